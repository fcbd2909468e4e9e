import shutil
import subprocess
from pathlib import Path

import pytest


def pytest_configure(config):
    """The translations compiled as `make messages` does, for a run that did not go through
    make (a stale or missing .mo would test yesterday's Spanish)."""
    msgfmt = shutil.which("msgfmt")
    for po in Path(__file__).parent.glob("locale/*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if msgfmt and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            subprocess.run([msgfmt, "--check", "-o", str(mo), str(po)], check=True)  # noqa: S603


@pytest.fixture(autouse=True)
def media_in_tmp_path(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

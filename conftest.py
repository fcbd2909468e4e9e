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
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if msgfmt:
            subprocess.run([msgfmt, "--check", "-o", str(mo), str(po)], check=True)  # noqa: S603
        else:  # no gettext on this machine: Babel compiles the same catalogue
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))


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

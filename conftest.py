import pytest


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

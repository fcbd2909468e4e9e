import pytest
from django.test import Client

from api.keys import create_api_key
from api.models import ApiConsumer


@pytest.fixture
def consumer(db):
    return ApiConsumer.objects.create(
        name="Example Health App",
        contact_email="dev@example-health.app",
        attribution="Content from healthsite, medically reviewed",
    )


@pytest.fixture
def api_key(consumer):
    """A new key's secret, as the partner holds it."""
    return create_api_key(consumer=consumer, label="tests").secret


@pytest.fixture
def api(api_key):
    """A test client that sends the key with every request."""
    return Client(headers={"Authorization": f"Bearer {api_key}"})


@pytest.fixture(autouse=True)
def usage_written_at_the_end(db, monkeypatch):
    """Each test starts with no stored JSON and no rate-limit slices; no timer writes usage
    in the middle of a test, and what a test counted is written before its transaction is
    rolled back (never at exit, into another database)."""
    from api import fragments, limits, usage

    fragments.summaries.clear()
    fragments.articles.clear()
    monkeypatch.setattr(usage, "FLUSH_SECONDS", 3600)
    monkeypatch.setattr(limits, "_slices", {})  # key ids come again after a rollback
    yield
    usage.flush_usage()

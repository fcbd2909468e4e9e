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

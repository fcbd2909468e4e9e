"""A listing's counts are kept until what readers see changes (website/listing_counts.py)."""

import pytest

from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def memoized_counts(settings):
    settings.LISTING_COUNT_SECONDS = 300


def topic_count(client):
    html = client.get("/topics/sleep/").content.decode()
    return html.split('<p class="hub-header__count">', 1)[1].split("</p>", 1)[0]


def test_a_count_is_counted_again_after_a_change(
    client, memoized_counts, django_capture_on_commit_callbacks
):
    sleep = CategoryFactory(slug="sleep")
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(category=sleep)
    assert topic_count(client) == "1 medically reviewed article"
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(category=sleep)
    assert topic_count(client) == "2 medically reviewed articles"
    home = client.get("/").content.decode()
    assert "2 articles" in home


def test_a_kept_count_is_read_not_counted(client, memoized_counts, django_assert_num_queries):
    sleep = CategoryFactory(slug="sleep")
    ArticleFactory(category=sleep)
    assert topic_count(client) == "1 medically reviewed article"
    # The topic, one page of articles, the navigation: no count.
    with django_assert_num_queries(3):
        assert topic_count(client) == "1 medically reviewed article"


def test_counts_without_a_cache_are_counted_each_time(client, settings):
    settings.LISTING_COUNT_SECONDS = 300
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    sleep = CategoryFactory(slug="sleep")
    ArticleFactory(category=sleep)
    assert topic_count(client) == "1 medically reviewed article"
    ArticleFactory(category=sleep)
    assert topic_count(client) == "2 medically reviewed articles"

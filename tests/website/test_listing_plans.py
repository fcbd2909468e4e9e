"""The home page's latest articles are read from an index in order, a page at a time, never
by sorting every published article (which took 180 ms at 10,000 articles on SQLite)."""

import pytest
from django.db import connection
from django.utils import translation

from tests.factories import ArticleFactory
from website.views import listed_articles

pytestmark = pytest.mark.django_db


def query_plan(queryset) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[3] for row in cursor.fetchall()]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's planner; PostgreSQL plans by its statistics"
)
def test_the_latest_articles_come_from_an_index_without_sorting_them_all():
    ArticleFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a long-running site's statistics would be
    with translation.override("en"):
        plan = query_plan(listed_articles()[:9])
    assert any("article_language_listing_idx" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's planner; PostgreSQL plans by its statistics"
)
def test_topic_tag_and_reviewer_pages_read_a_page_without_sorting_every_match():
    """A reviewer's page sorted every article they reviewed (5,000 at 100,000 articles)."""
    articles = ArticleFactory.create_batch(30, tags=["rest"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    article = articles[0]
    with translation.override("en"):
        listings = {
            "topic": listed_articles().in_category(article.live_category),
            "tag": listed_articles().with_tag(article.live_version.tags.get()),
            "reviewer": listed_articles().reviewed_by(article.reviewer),
        }
        for name, listing in listings.items():
            plan = query_plan(listing[:12])
            assert not any("TEMP B-TREE" in step for step in plan), (name, plan)

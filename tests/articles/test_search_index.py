"""The full-text index (articles/search_index.py) follows every write of what readers can
find, whoever makes it, and survives a migration that rebuilds a table."""

import pytest
from django.db import connection

from articles import search_index
from articles.models import Article, PublishedVersion
from tests.factories import ArticleFactory
from website.search import search_articles

pytestmark = pytest.mark.django_db

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")


def found(query):
    return [match.live_slug for match in search_articles(query)[0:50]]


def check_integrity():
    """FTS5's own check of its index structure."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {search_index.SQLITE_TABLE} ({search_index.SQLITE_TABLE}, rank) "
            "VALUES ('integrity-check', 0)"
        )


def test_bulk_writes_of_versions_and_live_versions_are_found():
    article = ArticleFactory(slug="gout", title="Gout")
    version = PublishedVersion.objects.get(pk=article.live_version_id)
    version.pk = None
    version.number = 2
    version.title = "Psoriasis"
    [copy] = PublishedVersion.objects.bulk_create([version])
    assert found("psoriasis") == []  # not live yet
    Article.objects.filter(pk=article.pk).update(live_version=copy)
    assert found("psoriasis") == ["gout"] and found("gout") == []
    # A version is final but for what is derived from it again, such as its search text.
    PublishedVersion.objects.filter(pk=copy.pk).update(search_text="Also about rosacea.")
    assert found("rosacea") == ["gout"] and found("psoriasis") == ["gout"]


@on_sqlite
def test_an_article_leaving_and_coming_back_leaves_and_rejoins_the_index():
    ArticleFactory(slug="kept", title="Kept shingles")
    gone = ArticleFactory(slug="gone", title="Gone shingles")
    ArticleFactory(title="Draft shingles", draft=True)
    assert set(found("shingles")) == {"kept", "gone"}
    version_id = gone.live_version_id
    Article.objects.filter(pk=gone.pk).update(live_version=None)
    assert found("shingles") == ["kept"]
    Article.objects.filter(pk=gone.pk).update(live_version=version_id)
    assert set(found("shingles")) == {"kept", "gone"}
    check_integrity()


@on_sqlite
def test_a_table_rebuild_dropping_the_triggers_is_repaired_after_migrate():
    ArticleFactory(slug="before", title="Eczema")
    with connection.cursor() as cursor:
        # What SQLite does to a table's triggers when a migration rebuilds the table.
        cursor.execute("DROP TRIGGER articles_search_article_update")
    later = ArticleFactory(slug="meanwhile", title="Eczema again")
    assert found("eczema") == ["before"]  # missed while the trigger was gone
    search_index.ensure_installed(using="default")
    assert set(found("eczema")) == {"meanwhile", "before"}
    Article.objects.filter(pk=later.pk).update(live_version=None)
    assert found("eczema") == ["before"]
    check_integrity()

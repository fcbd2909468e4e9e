import datetime

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, PublishedVersion
from articles.versions import current_fingerprint
from contentfiles.synthetic import generate_content
from editorial.models import SignOff
from tests.factories import ArticleFactory
from website.search import search_articles
from website.stored_pages import render_stale_pages

pytestmark = pytest.mark.django_db


def test_generates_published_articles_with_history_and_review_spread():
    today = datetime.date(2026, 11, 30)
    result = generate_content(articles=60, today=today)

    assert (result.articles, result.citations, result.faqs, result.versions) == (60, 300, 180, 120)
    published = Article.objects.published()
    assert published.count() == 60
    article = published.select_related("live_version").first()
    assert article.is_sample
    assert article.citations.count() == 5 and article.faqs.count() == 3
    assert article.tags.count() == 3
    assert [v.kind for v in article.versions.order_by("number")] == [
        "published",
        "reviewed_unchanged",
    ]
    assert article.live_version.reviewed_on == article.last_reviewed_on
    assert article.live_version.content_fingerprint == article.content_fingerprint
    assert 'class="trusted-source"' in article.live_version.body_html
    assert SignOff.objects.filter(article=article).count() == 2
    overdue = published.filter(next_review_due__lt=today).count()
    assert 0 < overdue < 60


def test_running_again_adds_more_without_clashing(client):
    generate_content(articles=5)
    generate_content(articles=5, seed=2)
    assert Article.objects.count() == 10
    assert PublishedVersion.objects.count() == 20
    article = Article.objects.published().first()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_command(capsys):
    call_command("generate_content", "--articles", "3")
    assert "Added 3 articles" in capsys.readouterr().out
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_content", "--articles", "0")


def test_batches_built_by_worker_processes_are_whole_consistent_and_searchable(client):
    ArticleFactory(slug="before")
    generate_content(articles=7, batch_size=3, workers=2)

    generated = Article.objects.filter(is_sample=True).select_related("live_version")
    assert generated.count() == 7
    assert render_stale_pages() == 8  # the article there before, and every new one
    for article in generated:
        live = article.live_version
        assert (live.article_id, live.number, live.kind) == (article.pk, 2, "reviewed_unchanged")
        assert article.live_slug == live.slug == article.slug
        assert article.live_category_id == live.category_id == article.category_id
        assert article.live_published_at == live.published_at
        assert current_fingerprint(article) == article.content_fingerprint
        assert live.content_fingerprint == article.content_fingerprint
        assert set(article.sign_offs.values_list("content_fingerprint", flat=True)) == {
            article.content_fingerprint
        }
        assert set(live.tags.all()) == set(article.tags.all())
        related = Article.objects.filter(pk__in=article.related_article_ids)
        assert article.pk not in article.related_article_ids
        assert {other.category_id for other in related} <= {article.category_id}
        assert client.get(article.get_absolute_url()).status_code == 200

    # Every generated article is found by its title's number, on either database.
    for article in generated:
        number = article.title.rsplit("(", 1)[1].rstrip(")")
        assert [found.pk for found in search_articles(f"{article.category.name} {number}")] == [
            article.pk
        ]
    # The tables' next keys follow the ones given here (PostgreSQL's sequences were reset).
    assert ArticleFactory(slug="after").pk > max(generated.values_list("pk", flat=True))

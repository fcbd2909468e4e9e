import datetime

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, PublishedVersion
from contentfiles.synthetic import generate_content
from editorial.models import SignOff

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

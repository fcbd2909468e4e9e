"""Related articles: shared tags first, then the same topic, then the newest; three at most."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from articles.models import Article, ArticleStatus
from tests.factories import ArticleFactory, CategoryFactory
from tests.page_markup import markup

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def sleep():
    return CategoryFactory(name="Sleep", slug="sleep")


@pytest.fixture
def insomnia(sleep):
    return ArticleFactory(slug="insomnia", category=sleep, tags=["night", "stress", "habits"])


def related(article):
    return [other.slug for other in Article.objects.related_to(article.live_version)]


def test_ranked_by_shared_tags_then_category_then_recency(sleep, insomnia):
    other = CategoryFactory()
    ArticleFactory(slug="two-tags-other-topic", category=other, tags=["night", "stress"])
    ArticleFactory(
        slug="one-tag-same-topic", category=sleep, tags=["night"], published_at=days_ago(50)
    )
    ArticleFactory(
        slug="one-tag-other-topic", category=other, tags=["habits"], published_at=days_ago(1)
    )
    ArticleFactory(slug="same-topic-only", category=sleep, published_at=days_ago(2))
    assert related(insomnia) == [
        "two-tags-other-topic",
        "one-tag-same-topic",
        "one-tag-other-topic",
    ]


def test_same_topic_articles_fill_in_newest_first(sleep, insomnia):
    for days in (30, 10, 20, 40):
        ArticleFactory(slug=f"sleep-{days}", category=sleep, published_at=days_ago(days))
    assert related(insomnia) == ["sleep-10", "sleep-20", "sleep-30"]


def test_unrelated_unpublished_and_itself_are_left_out(sleep, insomnia):
    ArticleFactory(slug="unrelated", tags=["diet"])
    ArticleFactory(slug="draft", category=sleep, tags=["night"], draft=True)
    ArticleFactory(slug="embargoed", category=sleep, published_at=days_ago(-1))
    gone = ArticleFactory(slug="gone", category=sleep)
    Article.objects.filter(pk=gone.pk).update(status=ArticleStatus.UNPUBLISHED)
    assert related(insomnia) == []


def test_article_without_tags_gets_its_topic(sleep):
    lonely = ArticleFactory(slug="lonely", category=sleep)
    ArticleFactory(slug="tagged", category=sleep, tags=["night"])
    ArticleFactory(slug="elsewhere", tags=["night"])
    assert related(lonely) == ["tagged"]


def test_one_query(sleep, insomnia, django_assert_num_queries):
    for n in range(5):
        ArticleFactory(category=sleep, tags=["night", f"t{n}"])
    ContentType.objects.get_for_model(Article)  # cached for the process, as in production
    insomnia = (  # as the page does
        Article.objects.select_related("live_version")
        .prefetch_related("live_version__tags")
        .get(pk=insomnia.pk)
    )
    with django_assert_num_queries(1):
        articles = list(Article.objects.related_to(insomnia.live_version))
    assert len(articles) == 3
    with django_assert_num_queries(0):  # ready for the cards: topic and live version loaded
        [
            (a.live_category.name, a.live_version.title, a.live_version.reviewer.name)
            for a in articles
        ]


def test_article_page_shows_them_in_order(client, sleep, insomnia):
    ArticleFactory(slug="same-topic", title="Naps", category=sleep, published_at=days_ago(1))
    ArticleFactory(slug="shared-tags", title="Night stress", tags=["night", "stress"])
    page = markup(client.get("/articles/insomnia/"))
    html = client.get("/articles/insomnia/").content.decode()
    section = html[html.index('id="related-heading"') :]
    assert section.index("Night stress") < section.index("Naps")
    assert page.find("a", href="/articles/shared-tags/")

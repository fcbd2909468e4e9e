"""Every page costs a constant number of queries, however much content it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    FAQFactory,
    ReviewerFactory,
    republish,
)

pytestmark = pytest.mark.django_db

# An article page is rendered once and stored (articles/article_pages.py): the view that
# renders and stores it, and then every view served from the stored page.
# One of them finds its other language versions (hreflang, the language switcher); one reads
# the navigation's topics, kept for later pages (website/context_processors.py); one renders
# the related articles' cards when they are not stored yet (website/stored_pages.py).
ARTICLE_PAGE_RENDER_BUDGET = 10
ARTICLE_PAGE_BUDGET = 1


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def rich_article(size, **fields):
    """A published article with `size` citations, FAQs, tags and history entries."""
    body = "## Overview\n\n" + " ".join(f"Claim {n}.[^c{n}]" for n in range(size))
    article = ArticleFactory(body=body, tags=[f"tag-{n}" for n in range(size)], **fields)
    for n in range(size):
        CitationFactory(article=article, key=f"c{n}", order=n)
        FAQFactory(article=article, order=n)
    for n in range(size):
        article.body += f"\n\nUpdate {n}."
        article.save()
        republish(article, change_summary=f"Update {n}")
    return article


@pytest.mark.parametrize("size", [1, 50])
def test_article_page_budget(client, size):
    article = rich_article(size)
    for n in range(3):
        ArticleFactory(category=article.category, title=f"Related {n}")
    assert article.versions.count() == size + 1
    assert queries_for(client, article.get_absolute_url()) <= ARTICLE_PAGE_RENDER_BUDGET
    assert queries_for(client, article.get_absolute_url()) <= ARTICLE_PAGE_BUDGET


def test_article_page_cost_does_not_grow_with_content(client):
    small, large = rich_article(1), rich_article(50)
    # Each is the other's related article, whose card one would find stored and the other
    # not: content, not related cards, is what this compares.
    Article.objects.filter(pk__in=[small.pk, large.pk]).update(related_article_ids=[])
    for _ in ("rendered and stored", "served stored"):
        assert queries_for(client, small.get_absolute_url()) == queries_for(
            client, large.get_absolute_url()
        )


@pytest.mark.parametrize("count", [1, 30])
def test_listing_page_budgets(client, count):
    category = CategoryFactory(slug="sleep")
    reviewer = ReviewerFactory(slug="lena")
    for _ in range(count):
        ArticleFactory(category=category, reviewer=reviewer, tags=["rest", "night"])
    # Nothing kept yet: the page generation, counts and navigation are read, and the cards
    # rendered (no article page has been viewed, so none is stored: website/stored_pages.py).
    for url in ["/", "/topics/sleep/", "/tags/rest/", "/reviewers/lena/"]:
        assert queries_for(client, url) <= 7, url


def test_admin_article_list_and_dashboard_do_not_grow_with_articles(admin_client):
    def costs():
        return (
            queries_for(admin_client, reverse("admin:articles_article_changelist")),
            queries_for(admin_client, reverse("admin:editorial_review_dashboard")),
        )

    ArticleFactory()
    few = costs()
    for _ in range(30):
        ArticleFactory()
    assert costs() == few


@pytest.fixture
def synthetic_site():
    """generate_content's articles, in bulk: 10 or 200 of them."""
    from contentfiles.synthetic import generate_content

    def make(count):
        generate_content(articles=count)

    return make


def listings_of_first_article():
    """Its topic, tag and reviewer pages, the home page and a search matching every article."""
    from articles.models import Article

    article = Article.objects.order_by("pk").select_related("live_version__reviewer").first()
    version = article.live_version
    return [
        "/",
        version.category.get_absolute_url(),
        f"/tags/{version.tags.first().slug}/",
        version.reviewer.get_absolute_url(),
        "/search/?q=sleep+treatment",
    ]


@pytest.mark.parametrize("memoized", [False, True])
def test_listing_pages_cost_the_same_at_10_and_200_articles(
    client, settings, synthetic_site, memoized
):
    """The same queries with 10 articles as with 200: no page counts or ranks more as the
    site grows, and with counts memoized (website/listing_counts.py) a listing read again
    counts nothing."""
    settings.LISTING_COUNT_SECONDS = 300 if memoized else 0
    costs = {}
    for size in (10, 200):
        synthetic_site(size - (10 if size == 200 else 0))
        clear_listing_counts()
        urls = listings_of_first_article()
        first = [queries_for(client, url) for url in urls]
        again = [queries_for(client, url) for url in urls]
        costs[size] = (first, again)
    assert costs[10] == costs[200]
    first, again = costs[200]
    if memoized:
        # Home: the topics with their counts and the navigation's topics; category, tag and
        # reviewer: the count.
        assert [f - a for f, a in zip(first, again, strict=True)] == [2, 1, 1, 1, 0]
    else:
        assert first == again


def clear_listing_counts():
    from django.core.cache import cache

    from website.page_cache import current_generation

    cache.clear()
    current_generation()  # read from its record once

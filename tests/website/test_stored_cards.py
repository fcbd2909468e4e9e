"""Listings put in the cards stored with each live version's page (website/stored_pages.py):
the same card as one rendered from the models, never one a change has made stale."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, PublishedVersion
from tests.factories import ArticleFactory, CategoryFactory, ReviewerFactory
from website.stored_pages import render_stale_pages

pytestmark = pytest.mark.django_db

LISTINGS = ["/", "/topics/sleep/", "/tags/rest/", "/reviewers/lena/", "/search/?q=insomnia"]


@pytest.fixture
def articles():
    category = CategoryFactory(slug="sleep", name="Sleep")
    reviewer = ReviewerFactory(slug="lena", name="Dr Lena Ortiz")
    return [
        ArticleFactory(
            title=f"Insomnia: step {n}",
            summary=f"What helps, part {n}.",
            category=category,
            reviewer=reviewer,
            tags=["rest"],
        )
        for n in range(3)
    ]


def cards_of(html: str) -> list[str]:
    return re.findall(r'<article class="card">.*?</article>', html, flags=re.S)


def get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(captured.captured_queries)


def stored_cards() -> list[str | None]:
    return list(
        PublishedVersion.objects.filter(live_article__isnull=False).values_list(
            "rendered_card", flat=True
        )
    )


def test_stored_cards_are_the_cards_rendered_from_the_models(client, articles):
    rendered = {url: get(client, url) for url in LISTINGS}
    assert stored_cards() == [None, None, None]
    assert render_stale_pages() == 3
    assert all(stored_cards())
    for url in LISTINGS:
        html, queries = get(client, url)
        before_html, before_queries = rendered[url]
        assert cards_of(html) == cards_of(before_html), url
        assert len(cards_of(html)) == 3, url
        # The cards are read with the page's rows: no query renders them.
        assert queries < before_queries, url


def test_viewing_an_article_stores_its_card(client, articles):
    client.get(articles[0].get_absolute_url())
    stored = PublishedVersion.objects.get(live_article=articles[0]).rendered_card
    assert "Insomnia: step 0" in stored
    assert "Dr Lena Ortiz" in stored


def test_each_listing_sets_the_card_headings_level(client, articles):
    render_stale_pages()
    levels = {
        url: set(re.findall(r'<(h\d) class="card__title">', get(client, url)[0]))
        for url in LISTINGS
    }
    # One below the heading each list is under: the topic's, tag's and search's h1, the
    # home's "Latest articles" and the reviewer's "Articles reviewed by" h2.
    assert levels == {
        "/": {"h3"},
        "/topics/sleep/": {"h2"},
        "/tags/rest/": {"h2"},
        "/reviewers/lena/": {"h3"},
        "/search/?q=insomnia": {"h2"},
    }
    assert "hN" not in get(client, "/")[0]


def test_search_cards_show_where_the_words_matched(client):
    ArticleFactory(title="Sleep", body="Crystals do not cure insomnia.")
    render_stale_pages()
    html, _ = get(client, "/search/?q=crystals")
    [card] = cards_of(html)
    # After the summary, as each database's snippet function cuts it.
    [snippet] = re.findall(r'</p>\n    <p class="card__snippet">(.*?)</p>', card)
    assert "<mark>Crystals</mark> do not cure insomnia" in snippet
    assert "card-snippet" not in html
    [topic_card] = cards_of(
        get(client, "/topics/" + Article.objects.get().live_category.slug + "/")[0]
    )
    assert "card__snippet" not in topic_card


def test_a_change_a_card_shows_is_listed_at_once_never_the_stale_card(client, articles):
    render_stale_pages()
    reviewer = articles[0].reviewer
    reviewer.name = "Dr Lena Ortiz-Park"
    reviewer.save()
    for url in LISTINGS:
        html, _ = get(client, url)
        assert html.count("Dr Lena Ortiz-Park") >= 3, url
    category = articles[0].category
    category.name = "Sleep and rest"
    category.save()
    html, _ = get(client, "/")
    assert all("Sleep and rest" in card for card in cards_of(html))


def test_cards_of_an_earlier_release_are_listed_until_rendered_again(client, articles, settings):
    """After a deploy the stored card still shows the version as it is (like its page)."""
    render_stale_pages()
    PublishedVersion.objects.update(rendered_with="an-earlier-release")
    html, queries = get(client, "/topics/sleep/")
    settings.DEBUG = True  # in development a card is rendered again at once, as a page is
    html_debug, queries_debug = get(client, "/topics/sleep/")
    assert cards_of(html) == cards_of(html_debug)
    assert queries_debug == queries + 1

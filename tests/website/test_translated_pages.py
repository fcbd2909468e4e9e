"""Readers' pages in each language: addresses (/es/…), <html lang>, hreflang alternates,
the language switcher, dates, trust labels, structured data, the sitemap, feeds and search."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import RequestFactory

from articles.models import Article
from tests.factories import ArticleFactory, CitationFactory, SourceFactory, republish
from website.page_cache import page_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    """An English article and its published Spanish translation."""
    source = ArticleFactory(
        title="How much sleep do adults need?",
        slug="sleep-basics",
        summary="Most adults need seven to nine hours.",
        body="## Overview\n\nMost adults need seven to nine hours of sleep.",
    )
    translation = ArticleFactory(
        draft=True,
        title="¿Cuántas horas necesitan dormir los adultos?",
        slug="dormir-lo-basico",
        summary="La mayoría de los adultos necesita de siete a nueve horas.",
        body="## Resumen\n\nLos adultos que duermen poco tienen más problemas de corazón.",
        category=source.category,
        language="es",
        translation_of=source,
        translated_from=source.live_version,
    )
    CitationFactory(article=translation, key="guia", source=SourceFactory(
        trust_label="Governmental authority"))  # fmt: skip
    Article.objects.filter(pk=translation.pk).update(
        body=translation.body + "[^guia]",
        reviewer=source.reviewer,
        last_reviewed_on=datetime.date(2023, 1, 3),
        next_review_due=datetime.date(2024, 1, 3),
    )
    translation.refresh_from_db()
    republish(translation)
    translation.refresh_from_db()
    source.refresh_from_db()
    return source, translation


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def alternates(page):
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))


def json_ld(page):
    data = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    return json.loads(data)["@graph"]


def test_a_translation_lives_under_its_language_prefix(client, pair):
    source, translation = pair
    assert translation.get_absolute_url() == "/es/articles/dormir-lo-basico/"
    assert source.get_absolute_url() == "/articles/sleep-basics/"

    response = client.get("/es/articles/dormir-lo-basico/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in page
    assert response["Content-Language"] == "es"
    assert "Accept-Language" not in response.get("Vary", "")
    assert '<html lang="en">' in html(client, "/articles/sleep-basics/")

    # Without its prefix, or under another language's, the address leads to the right page.
    moved = client.get("/articles/dormir-lo-basico/")
    assert (moved.status_code, moved["Location"]) == (301, "/es/articles/dormir-lo-basico/")
    moved = client.get("/es/articles/sleep-basics/")
    assert (moved.status_code, moved["Location"]) == (301, "/articles/sleep-basics/")


def test_hreflang_alternates_link_both_ways_with_x_default(client, pair):
    english = alternates(html(client, "/articles/sleep-basics/"))
    spanish = alternates(html(client, "/es/articles/dormir-lo-basico/"))
    expected = {
        "en": "http://testserver/articles/sleep-basics/",
        "es": "http://testserver/es/articles/dormir-lo-basico/",
        "x-default": "http://testserver/articles/sleep-basics/",
    }
    assert english == spanish == expected


def test_an_article_in_one_language_has_no_alternates_and_its_switcher_says_so(client):
    ArticleFactory(slug="only-english")
    page = html(client, "/articles/only-english/")
    assert alternates(page) == {}
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', page, re.S).group(0)
    assert 'href="/es/"' in switcher
    assert "(este artículo aún no está disponible en español)" in switcher


def test_the_switcher_leads_to_the_same_article_in_the_other_language(client, pair):
    page = html(client, "/es/articles/dormir-lo-basico/")
    nav = r'<nav class="language-switcher" aria-label="Idioma">.*?</nav>'
    switcher = re.search(nav, page, re.S)
    assert '<a href="/articles/sleep-basics/" hreflang="en" lang="en">English</a>' in switcher[0]
    assert 'aria-current="true" lang="es">Español</span>' in switcher[0]

    home = html(client, "/es/")
    assert '<a href="/" hreflang="en" lang="en">English</a>' in home
    assert alternates(home) == {
        "en": "http://testserver/",
        "es": "http://testserver/es/",
        "x-default": "http://testserver/",
    }


def test_dates_labels_and_interface_are_in_the_readers_language(client, pair):
    page = html(client, "/es/articles/dormir-lo-basico/")
    assert "3 de enero de 2023" in page
    assert "Última revisión de la página:" in page
    assert "Autoridad gubernamental" in page  # the source's trust label
    assert "Fuente fiable" in page  # the Trusted Source control
    assert "Aviso médico" in page
    english = html(client, "/articles/sleep-basics/")
    assert "3 January 2026" in english and "Page last reviewed:" in english


def test_listings_show_the_readers_language_only(client, pair):
    source, translation = pair
    assert "¿Cuántas horas" in html(client, "/es/")
    assert "¿Cuántas horas" not in html(client, "/")
    assert "How much sleep" not in html(client, "/es/")
    # Related articles too: same topic, but not the reader's language.
    source.refresh_from_db()
    assert translation.pk not in source.related_article_ids


def test_json_ld_names_the_language_and_links_the_translation(client, pair):
    spanish = json_ld(html(client, "/es/articles/dormir-lo-basico/"))[0]
    assert spanish["inLanguage"] == "es"
    assert spanish["translationOfWork"]["url"] == "http://testserver/articles/sleep-basics/"
    english = json_ld(html(client, "/articles/sleep-basics/"))[0]
    assert english["inLanguage"] == "en"
    assert [work["url"] for work in english["workTranslation"]] == [
        "http://testserver/es/articles/dormir-lo-basico/"
    ]


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_the_sitemap_lists_each_language_version_with_its_alternates(client, pair):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    entries = {}
    for file in index.iter(f"{SITEMAP}loc"):
        tree = ET.fromstring(client.get(file.text.removeprefix("http://testserver")).content)
        for url in tree.iter(f"{SITEMAP}url"):
            entries[url.find(f"{SITEMAP}loc").text] = {
                link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")
            }
    expected = {
        "en": "http://testserver/articles/sleep-basics/",
        "es": "http://testserver/es/articles/dormir-lo-basico/",
        "x-default": "http://testserver/articles/sleep-basics/",
    }
    assert entries["http://testserver/articles/sleep-basics/"] == expected
    assert entries["http://testserver/es/articles/dormir-lo-basico/"] == expected


def test_each_language_has_its_own_feed(client, pair):
    spanish = ET.fromstring(client.get("/es/feed/").content)
    assert spanish.find("channel/language").text == "es"
    assert [item.find("link").text for item in spanish.iter("item")] == [
        "http://testserver/es/articles/dormir-lo-basico/"
    ]
    english = ET.fromstring(client.get("/feed/").content)
    assert [item.find("link").text for item in english.iter("item")] == [
        "http://testserver/articles/sleep-basics/"
    ]


def results(client, url):
    response = client.get(url)
    return [match.pk for match in response.context["page_obj"].object_list]


def test_search_finds_articles_in_the_readers_language(client, pair):
    source, translation = pair
    assert results(client, "/es/search/?q=adultos") == [translation.pk]
    assert results(client, "/search/?q=adultos") == []
    assert results(client, "/search/?q=adults") == [source.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Spanish stemming needs PostgreSQL")
def test_spanish_search_uses_spanish_stemming(client, pair):
    _, translation = pair
    # "corazones" and "corazón" share the Spanish stem; "duermen" is a form of "dormir"'s stem.
    assert results(client, "/es/search/?q=corazones") == [translation.pk]
    assert results(client, "/es/search/?q=duermen") == [translation.pk]


def test_the_page_cache_key_holds_the_language():
    factory = RequestFactory()
    assert ":es:" in page_key(factory.get("/es/articles/x/"))
    assert ":en:" in page_key(factory.get("/articles/x/"))


def test_a_spanish_page_leaves_the_default_language_active_after_it(client, pair):
    from django.utils import translation

    html(client, "/es/articles/dormir-lo-basico/")
    assert translation.get_language() == "en"

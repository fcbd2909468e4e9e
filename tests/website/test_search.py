"""Search at /search/?q=: what it finds (only live versions), ranking on each database,
pagination, the empty query, and any input a visitor may type."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from articles.markdown import searchable_text
from articles.models import Article, ArticleStatus, PublishedVersion
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    FAQFactory,
    SourceFactory,
    republish,
)
from tests.page_markup import markup
from website import search
from website.search import (
    MAX_QUERY_LENGTH,
    clean_query,
    highlighted,
    search_articles,
    websearch_terms,
)

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text ranking needs PostgreSQL"
)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def found(query) -> list[str]:
    return [match.live_slug for match in search_articles(query)]


def result_links(response) -> list[str]:
    return [a["href"] for a in markup(response).find("a") if a["href"].startswith("/articles/")]


class TestWhatIsFound:
    def test_title_summary_body_and_faqs_are_searched(self):
        ArticleFactory(slug="by-title", title="Migraine explained")
        ArticleFactory(slug="by-summary", summary="How migraine differs from a headache.")
        ArticleFactory(slug="by-body", body="## Triggers\n\nA migraine can follow poor sleep.")
        faq_question = ArticleFactory(slug="by-faq-question")
        FAQFactory(article=faq_question, question="Is a migraine dangerous?", answer="Rarely.")
        faq_answer = ArticleFactory(slug="by-faq-answer")
        FAQFactory(article=faq_answer, question="What helps?", answer="Rest; **migraine** eases.")
        for article in (faq_question, faq_answer):
            republish(article)
        ArticleFactory(slug="unrelated", title="Sleep", summary="Rest.", body="Nothing here.")
        assert set(found("migraine")) == {
            "by-title",
            "by-summary",
            "by-body",
            "by-faq-question",
            "by-faq-answer",
        }

    def test_matching_ignores_case(self):
        ArticleFactory(slug="asthma", title="Asthma in adults")
        assert found("ASTHMA") == ["asthma"] == found("asthma")

    def test_every_word_must_match(self):
        ArticleFactory(slug="both", title="Knee pain", summary="Running injuries.")
        ArticleFactory(slug="one", title="Knee surgery", summary="Recovery.")
        assert found("knee running") == ["both"]

    def test_only_live_versions_are_found(self):
        ArticleFactory(slug="draft", title="Tinnitus draft", draft=True)
        ArticleFactory(slug="embargoed", title="Tinnitus soon", published_at=days_ago(-2))
        gone = ArticleFactory(slug="gone", title="Tinnitus gone")
        Article.objects.filter(pk=gone.pk).update(status=ArticleStatus.UNPUBLISHED)
        live = ArticleFactory(slug="live", title="Tinnitus", summary="Ringing in the ears.")
        # An edit to the working copy, not yet reviewed, is not what readers see.
        live.title = "Tinnitus and hyperacusis"
        live.summary = "Sensitivity to sound."
        live.save()
        assert found("tinnitus") == ["live"]
        assert found("hyperacusis") == []
        assert found("ringing") == ["live"]

    def test_trusted_source_labels_are_not_searched_as_article_text(self):
        article = ArticleFactory(slug="cited", body="Eat well.[^x]")
        CitationFactory(article=article, key="x", source=SourceFactory(name="Zymurgy Institute"))
        republish(article)
        assert found("zymurgy") == []
        assert found("eat") == ["cited"]

    def test_empty_query_finds_nothing(self):
        ArticleFactory()
        assert found("") == found("   ") == found(None) == []


class TestRanking:
    def test_title_match_comes_before_a_body_only_match(self):
        ArticleFactory(
            slug="body-only",
            title="Staying well in winter",
            body="## Colds\n\nWash your hands to avoid a cold.",
            published_at=days_ago(1),
        )
        ArticleFactory(slug="title", title="Colds and flu", published_at=days_ago(60))
        assert found("colds") == ["title", "body-only"]

    def test_recent_first_among_equal_matches(self):
        ArticleFactory(slug="older", title="Eczema in adults", published_at=days_ago(30))
        ArticleFactory(slug="newer", title="Eczema in children", published_at=days_ago(3))
        assert found("eczema") == ["newer", "older"]

    def test_weights_title_then_summary_then_body(self):
        ArticleFactory(
            slug="body", title="A", summary="B", body="Gout flares.", published_at=days_ago(1)
        )
        ArticleFactory(
            slug="summary", title="C", summary="Gout in brief.", published_at=days_ago(2)
        )
        ArticleFactory(slug="title", title="Gout", summary="D", published_at=days_ago(3))
        assert found("gout") == ["title", "summary", "body"]

    def test_full_text_search_stems_and_understands_web_search_syntax(self):
        ArticleFactory(slug="run", title="Running with asthma")
        ArticleFactory(slug="swim", title="Swimming with asthma")
        assert found("runs") == ["run"]
        assert set(found("asthma")) == {"run", "swim"}
        assert found("asthma -swimming") == ["run"]
        assert set(found("running or swimming")) == {"run", "swim"}
        assert found('"asthma running"') == []

    @on_postgresql
    @pytest.mark.postgres
    def test_the_stored_search_document_follows_every_write_of_a_version(self):
        article = ArticleFactory(slug="gout", title="Gout")
        assert found("gout") == ["gout"]
        # Versions written in bulk (generate_content, imports) get their document too.
        version = PublishedVersion.objects.get(pk=article.live_version_id)
        version.pk = None
        version.number = 2
        version.title = "Psoriasis"
        [copy] = PublishedVersion.objects.bulk_create([version])
        Article.objects.filter(pk=article.pk).update(live_version=copy)
        assert found("psoriasis") == ["gout"] and found("gout") == []
        # The search text is derived again when search changes; the rest of a version is final.
        PublishedVersion.objects.filter(pk=copy.pk).update(search_text="Also about rosacea.")
        assert found("rosacea") == ["gout"]

    def test_an_old_title_match_comes_before_many_newer_body_matches(self, monkeypatch):
        # Only a bounded number of candidates is ranked; title matches are looked for first,
        # so one is found however many articles mention the word elsewhere.
        monkeypatch.setattr(search, "OTHER_CANDIDATES", 3)
        ArticleFactory(slug="title", title="Shingles", published_at=days_ago(400))
        for n in range(5):  # the latest publications are the candidates
            ArticleFactory(
                slug=f"body-{n}", body="After chickenpox, shingles.", published_at=days_ago(9 - n)
            )
        results = search_articles("shingles")
        assert [match.live_slug for match in results[0:10]] == [
            "title",
            "body-4",
            "body-3",
            "body-2",
        ]
        assert results.more

    def test_all_matches_are_listed_below_the_bound(self):
        for n in range(3):
            ArticleFactory(body="Shingles.", published_at=days_ago(n))
        results = search_articles("shingles")
        assert results.count() == 3 and not results.more

    def test_or_and_phrases(self):
        ArticleFactory(slug="acne", title="Acne", body="Spots on the face.")
        ArticleFactory(slug="rosacea", title="Rosacea", body="Redness of the face.")
        assert set(found("acne or rosacea")) == {"acne", "rosacea"}
        assert found('"spots on the face"') == ["acne"]
        assert found("face -redness") == ["acne"]
        assert found("-redness") == []  # nothing to look for, only to leave out


class TestSnippets:
    def test_snippet_marks_where_the_words_matched_in_the_body(self, client):
        ArticleFactory(
            slug="gout",
            title="Gout",
            body="## Causes\n\nUric acid builds up in the joints and forms crystals.",
        )
        [article] = search_articles("crystals")[0:1]
        assert "<mark>crystals</mark>" in article.search_snippet
        html = client.get("/search/", {"q": "crystals"}).content.decode()
        assert '<p class="card__snippet">' in html
        assert "<mark>crystals</mark>" in html

    def test_snippet_is_escaped_except_the_marks(self, client):
        ArticleFactory(
            body="Write <script>alert(1)</script> & <b>bold</b> near the word hyperkalaemia."
        )
        html = client.get("/search/", {"q": "hyperkalaemia"}).content.decode()
        snippet = html.split('<p class="card__snippet">', 1)[1].split("</p>", 1)[0]
        assert "<script>" not in snippet and "<b>" not in snippet
        assert "&amp;" in snippet  # PostgreSQL's headline also drops what looks like a tag
        assert "<mark>hyperkalaemia</mark>" in snippet
        assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0

    def test_no_snippet_when_only_the_title_matched(self):
        ArticleFactory(title="Psoriasis", body="A skin condition.")
        [article] = search_articles("psoriasis")[0:1]
        assert article.search_snippet == ""

    def test_highlighted_marks_only_its_own_markers(self):
        assert highlighted("a \ue000b<i>\ue001 c") == "a <mark>b&lt;i&gt;</mark> c"
        assert highlighted("stray \ue000 <x> \ue000ok\ue001") == "stray  &lt;x&gt; <mark>ok</mark>"
        assert highlighted("no word of the query") == ""
        assert highlighted(None) == ""


class TestSearchPage:
    def test_results_with_count_and_query_echoed(self, client):
        ArticleFactory(slug="gout", title="Gout", summary="Painful joints.")
        response = client.get("/search/", {"q": "gout"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 result for <strong>“gout”</strong>" in html
        assert result_links(response) == ["/articles/gout/"]
        page = markup(response)
        assert page.find("input", id="search-page-q", value="gout")
        assert page.one_meta("robots") == "noindex"

    def test_no_results_suggests_what_to_do(self, client):
        ArticleFactory(category=CategoryFactory(name="Sleep"))
        html = client.get("/search/", {"q": "xylophone"}).content.decode()
        assert "0 results for" in html
        assert "No articles match your search." in html
        assert "Browse by topic" in html and "Sleep" in html

    def test_empty_query_shows_a_helpful_page(self, client):
        ArticleFactory(category=CategoryFactory(name="Sleep"))
        for url in ["/search/", "/search/?q=", "/search/?q=+++"]:
            response = client.get(url)
            assert response.status_code == 200
            html = response.content.decode()
            assert "Type a condition, symptom or treatment" in html
            assert "Browse by topic" in html
            assert "result" not in html.split("<main", 1)[1].split("Browse by topic")[0]
            assert markup(response).titles == ["Search | healthsite"]

    def test_is_paginated_keeping_the_query(self, client, settings):
        settings.ARTICLES_PER_PAGE = 2
        for n in range(5):
            ArticleFactory(slug=f"gout-{n}", title=f"Gout {n}", published_at=days_ago(n + 1))
        first = client.get("/search/", {"q": "gout"})
        assert result_links(first) == ["/articles/gout-0/", "/articles/gout-1/"]
        html = first.content.decode()
        assert "5 results for" in html and "(page 1 of 3)" in html
        assert 'href="?q=gout&amp;page=2"' in html
        second = client.get("/search/", {"q": "gout", "page": "2"})
        assert result_links(second) == ["/articles/gout-2/", "/articles/gout-3/"]
        assert markup(second).canonical() == "http://testserver/search/?q=gout&page=2"
        assert result_links(client.get("/search/", {"q": "gout", "page": "99"})) == [
            "/articles/gout-4/"
        ]
        assert result_links(client.get("/search/", {"q": "gout", "page": "x"})) == [
            "/articles/gout-0/",
            "/articles/gout-1/",
        ]

    def test_only_punctuation_says_there_is_nothing_to_search_for(self, client):
        ArticleFactory(category=CategoryFactory(name="Sleep"))
        html = client.get("/search/", {"q": "!!! ???"}).content.decode()
        assert "has no letters or numbers to search for" in html
        assert "0 results" not in html

    def test_a_long_query_is_shortened_and_says_so(self, client):
        ArticleFactory(title="Back pain")
        html = client.get("/search/", {"q": "back pain " * 40}).content.decode()
        assert "Your search was shortened to its first" in html
        assert "back pain" in html.split("search-summary", 1)[1]

    def test_more_results_than_listed_says_so(self, client, monkeypatch):
        monkeypatch.setattr(search, "OTHER_CANDIDATES", 2)
        for _ in range(3):
            ArticleFactory(body="Nausea.")
        html = client.get("/search/", {"q": "nausea"}).content.decode()
        assert "More than 2 results for" in html

    def test_pagination_link_encodes_the_query(self, client, settings):
        settings.ARTICLES_PER_PAGE = 1
        ArticleFactory(title="Fish & chips", published_at=days_ago(1))
        ArticleFactory(title="Fish & chips again", published_at=days_ago(2))
        html = client.get("/search/", {"q": "fish & chips"}).content.decode()
        assert 'href="?q=fish+%26+chips&amp;page=2"' in html

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_is_constant(self, client, django_assert_num_queries, count):
        for _ in range(count):
            article = ArticleFactory(title="Gout", tags=["joints"])
            FAQFactory(article=article)
        # The ranked matches, one page of them with their stored cards and snippets, the
        # cards not stored yet (no article page was viewed); the page generation and the
        # navigation's topics, then kept.
        with django_assert_num_queries(5):
            response = client.get("/search/", {"q": "gout"})
        assert len(result_links(response)) == min(count, 12)


HOSTILE_QUERIES = [
    "'",
    '"',
    "''; DROP TABLE articles_article; --",
    "1' OR '1'='1",
    "back\\slash \\",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "a & b | c ! d",
    "&&& ||| !!!",
    "pain:*",
    ":* & !",
    "(unbalanced",
    "-",
    '"',
    "%_%",
    "OR AND NOT",
    "x" * 1000,
    "pain " * 300,
    "Ärger Schmerz 痛み 🙂",
    "naïve café",
    "null\x00byte",
    "tab\tand\nnewline\r\x0b\x1f",
    "\u202eright-to-left",
    # Runs of operators with no word between them broke PostgreSQL's parser (a 500:
    # "tsquery stack too small") before websearch_terms.
    "-" * 33,
    "- " * 40,
    "(-" * 40,
    "-" * 200,
    '"-" ' * 30,
    "--pain ---back -(-(-sleep",
    "or " * 60,
]


def test_websearch_terms_keep_words_phrases_and_one_minus():
    assert websearch_terms("-" * 33) == ""
    assert websearch_terms("(-(-(-") == ""
    assert websearch_terms('--pain "lower back" -(-sleep) x') == '-pain "lower back" -sleep x'
    assert websearch_terms("a " * 30) == " ".join(["a"] * 10)


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_any_input_is_safe(client, query):
    ArticleFactory(title="Back pain", summary="Pain: what helps & what doesn't.")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    page = markup(response)
    echoed = clean_query(query)
    inputs = page.find("input", id="search-page-q")
    assert inputs and inputs[0].get("value", "") == echoed
    assert Article.objects.count() == 1


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF%FE", "%00", "%C0%AF", "a%26b%7Cc%21"])
def test_undecodable_or_encoded_bytes_are_safe(client, raw):
    ArticleFactory(title="Back pain")
    assert client.get(f"/search/?q={raw}").status_code == 200


def test_clean_query():
    assert clean_query("  back \t pain \n") == "back pain"
    assert clean_query("null\x00byte") == "null byte"
    assert clean_query(None) == ""
    assert len(clean_query("x" * 1000)) == MAX_QUERY_LENGTH


def test_search_text_is_the_plain_body_and_faqs():
    article = ArticleFactory(body="## Overview\n\nKeep **active**.[^x]\n\n- walk\n- swim")
    CitationFactory(article=article, key="x", source=SourceFactory(name="Zymurgy Institute"))
    FAQFactory(article=article, question="Can I run?", answer="Yes, *gently*.")
    version = republish(article)
    assert version.search_text == "Overview\nKeep active.\nwalk\nswim\nCan I run?\nYes, gently."


def test_migration_fills_search_text_of_existing_versions():
    article = ArticleFactory(body="Drink water.")
    FAQFactory(article=article, question="How much?", answer="Enough.")
    version = republish(article)
    PublishedVersion.objects.update(search_text="")
    migration = importlib.import_module("articles.migrations.0005_publishedversion_search_text")
    migration.fill_search_text(django_apps, None)
    version.refresh_from_db()
    assert version.search_text == searchable_text(body_html=version.body_html, faqs=version.faqs)
    assert version.search_text == "Drink water.\nHow much?\nEnough."

"""The "Quality checks" fieldset, the citation inline's link column and the changelist's
broken-link count and filter, as editors see them."""

import datetime
import re

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, CitationFactory, FAQFactory

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:articles_article_changelist")
CHECKED_AT = datetime.datetime(2026, 3, 4, 2, 30, tzinfo=datetime.UTC)


def change_page(admin_client, article):
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    return response.content.decode()


def checked(citation, *, status=None, error=""):
    citation.link_status = status
    citation.link_error = error
    citation.link_checked_url = citation.url
    citation.link_final_url = citation.url if status else ""
    citation.link_checked_at = CHECKED_AT
    citation.save()
    return citation


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the admin must not make network requests")

    monkeypatch.setattr(httpx.Client, "send", refuse)


def test_change_page_shows_the_checklist_with_blocking_and_warning_items_in_words(
    admin_client, settings, no_network
):
    settings.READABILITY_TARGET_GRADE = 8
    article = ArticleFactory(
        draft=True,
        body="## Overview\n\nMusculoskeletal conditions necessitate comprehensive "
        "multidisciplinary evaluation.[^nhs] Rest.[^ghost]",
    )
    CitationFactory(article=article, key="nhs")
    FAQFactory(article=article, question="Can I swim?", answer=" ")

    content = change_page(admin_client, article)

    assert "Quality checks" in content
    assert "✓</span> <strong>Passed:</strong> Summary present." in content
    assert "✗</span> <strong>Blocks submission:</strong> Every FAQ answered." in content
    assert "Answer or remove: “Can I swim?”" in content
    assert "<strong>Blocks submission:</strong> Citation integrity." in content
    warning = "✗</span> <strong>Warning:</strong> Readability within target or explained."
    assert warning in content
    assert 'name="readability_note"' in content


def test_change_page_shows_readability_figures_and_the_hardest_sentences(admin_client):
    article = ArticleFactory(
        draft=True,
        summary="Back pain is common.",
        body="## Overview\n\nMost people recover within a few weeks. Exercise regularly "
        "and drink water. Antibiotics do not help viral infections.",
    )

    content = change_page(admin_client, article)

    assert "Flesch–Kincaid grade <strong>" in content
    assert "target 8 or below" in content
    assert "SMOG grade" in content and "Flesch reading ease" in content
    assert "Grade 12.3: “Antibiotics do not help viral infections.”" in content


def test_change_page_lists_integrity_problems_old_citations_and_broken_links(
    admin_client, settings
):
    settings.CITATION_MAX_AGE_YEARS = 10
    article = ArticleFactory(draft=True, body="## Overview\n\nRest.[^nhs] Move.[^old]")
    checked(CitationFactory(article=article, key="nhs", url="https://nhs.example/p"), status=404)
    CitationFactory(article=article, key="old", year=timezone.localdate().year - 15)
    CitationFactory(article=article, key="unused")

    content = change_page(admin_client, article)

    assert "[^unused] is never cited in the body" in content
    assert "Older than 10 years" in content
    assert "[^old]" in content and "15 years old" in content
    broken = "[^nhs] https://nhs.example/p: Broken: 404 Not Found (checked 4 Mar 2026, 02:30)"
    assert broken in content
    assert "2 of 3 links not checked yet." in content


def test_everything_an_editor_typed_is_escaped(admin_client, settings):
    settings.CITATION_MAX_AGE_YEARS = 10
    article = ArticleFactory(
        draft=True,
        body="## Overview\n\nA sentence with <script>alert(1)</script> in it.[^x]",
        readability_note="<b>note</b>",
    )
    CitationFactory(article=article, key="x", title="<img src=x onerror=alert(2)>", year=1990)
    FAQFactory(article=article, question="<i>Why?</i>", answer="")

    content = change_page(admin_client, article)

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<img src=x onerror=alert(2)>" not in content
    assert "&lt;img src=x onerror=alert(2)&gt;" in content
    assert "<i>Why?</i>" not in content


def test_the_citation_inline_has_further_reading_and_a_link_check_column(admin_client):
    article = ArticleFactory(draft=True, body="## Overview\n\nRest.[^nhs] Move.[^who]")
    checked(CitationFactory(article=article, key="nhs"), error="Timed out after 10 s")
    CitationFactory(article=article, key="who")
    CitationFactory(article=article, key="reading", is_further_reading=True)

    content = change_page(admin_client, article)

    assert re.search(r'name="citations-2-is_further_reading"[^>]* checked>', content)
    assert not re.search(r'name="citations-1-is_further_reading"[^>]* checked>', content)
    assert "Broken: Timed out after 10 s (checked 4 Mar 2026, 02:30)" in content
    assert "Not checked yet" in content


def test_further_reading_can_be_ticked_and_a_readability_note_saved(admin_client):
    article = ArticleFactory(draft=True, body="## Overview\n\nRest.[^nhs]")
    nhs = CitationFactory(article=article, key="nhs")
    unused = CitationFactory(article=article, key="unused")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = {
        **{
            name: value
            for name, value in admin_client.get(url).context["adminform"].form.initial.items()
            if value is not None and name != "tags"
        },
        "category": str(article.category_id),
        "tags": "",
        "readability_note": "Names of medicines.",
        "citations-TOTAL_FORMS": "2",
        "citations-INITIAL_FORMS": "2",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "faqs-TOTAL_FORMS": "0",
        "faqs-INITIAL_FORMS": "0",
        "faqs-MIN_NUM_FORMS": "0",
        "faqs-MAX_NUM_FORMS": "1000",
    }
    for index, citation in enumerate([nhs, unused]):
        for field in ("order", "key", "title", "url", "year"):
            data[f"citations-{index}-{field}"] = getattr(citation, field)
        data[f"citations-{index}-id"] = citation.pk
        data[f"citations-{index}-article"] = article.pk
        data[f"citations-{index}-source"] = citation.source_id
    data["citations-1-is_further_reading"] = "on"
    data.pop("hero_image", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    unused.refresh_from_db()
    assert article.readability_note == "Names of medicines."
    assert unused.is_further_reading
    assert "never cited" not in change_page(admin_client, article)


def test_the_add_page_has_no_quality_fieldset(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))

    assert response.status_code == 200
    assert "Quality checks" not in response.content.decode()


def test_changelist_counts_broken_links_without_a_query_per_row(admin_client):
    broken = ArticleFactory(title="Has broken links")
    checked(CitationFactory(article=broken), status=404)
    checked(CitationFactory(article=broken), error="Connection refused")
    checked(CitationFactory(article=broken), status=403)
    checked(CitationFactory(article=ArticleFactory(title="All fine")), status=200)

    with CaptureQueriesContext(connection) as few:
        response = admin_client.get(CHANGELIST_URL)
    counts = {a.title: a._broken_links for a in response.context["cl"].result_list}
    ArticleFactory.create_batch(5)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(CHANGELIST_URL)

    assert counts == {"Has broken links": 2, "All fine": 0}
    assert len(many) == len(few)


@pytest.mark.parametrize(("choice", "titles"), [("yes", {"Broken"}), ("no", {"Fine", "New"})])
def test_changelist_filters_by_broken_links(admin_client, choice, titles):
    checked(CitationFactory(article=ArticleFactory(title="Broken")), status=410)
    checked(CitationFactory(article=ArticleFactory(title="Fine")), status=200)
    ArticleFactory(title="New")

    response = admin_client.get(CHANGELIST_URL, {"broken_links": choice})

    assert {a.title for a in response.context["cl"].result_list} == titles
    assert Article.objects.count() == 3

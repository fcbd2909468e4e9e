"""The editor's desk: the live preview endpoint and the DOI/PMID look-up, against a local
HTTP server that answers as Crossref's works API and NCBI's esummary do
(tests/citation_services.py)."""

import json
import re

import pytest
from django.urls import reverse

from editorial.admin.desk import MAX_PREVIEW_CHARACTERS
from tests.citation_services import citation_services
from tests.factories import ArticleFactory, SourceFactory, role_user

pytestmark = pytest.mark.django_db

PREVIEW = "admin:articles_article_preview_body"
LOOK_UP = "admin:articles_article_look_up_citation"


@pytest.fixture
def services(settings, monkeypatch):
    with citation_services(settings, monkeypatch) as server:
        yield server


@pytest.fixture
def writer(client):
    client.force_login(role_user("Writer"))
    return client


def preview(client, body, citations=(), **extra):
    data = {"body": body, "citations": json.dumps(list(citations)), **extra}
    return client.post(reverse(PREVIEW), data)


# The preview --------------------------------------------------------------------------------


def test_the_preview_renders_the_body_as_the_public_page_does(writer):
    nhs = SourceFactory(name="NHS", trust_label="Governmental authority")
    body = (
        "## When to get help\n\nMost back pain gets better.[^nhs]\n\n"
        "::: emergency\nCall now if your legs go numb.\n:::"
    )

    response = preview(
        writer,
        body,
        [{"key": "nhs", "source": str(nhs.pk), "title": "Back pain", "url": "https://www.nhs.uk/"}],
    )

    assert response.status_code == 200
    answer = response.json()
    assert '<h2 id="when-to-get-help">When to get help</h2>' in answer["html"]
    assert 'class="ts-toggle"' in answer["html"] and "Governmental authority" in answer["html"]
    assert 'class="callout callout-emergency"' in answer["html"]
    assert answer["unknown_keys"] == []
    assert answer["outline"] == ["When to get help"]


def test_unknown_citation_keys_are_flagged_at_once(writer):
    response = preview(writer, "Claim.[^nhs] Another.[^typo] Again.[^typo]", [{"key": "nhs"}])

    answer = response.json()
    assert answer["unknown_keys"] == ["typo"]
    assert '<span class="citation-missing">[^typo]</span>' in answer["html"]
    assert "No source chosen yet" in answer["html"]  # a citation whose source is not chosen


def test_a_fence_that_is_not_a_callout_is_flagged(writer):
    answer = preview(writer, "::: warning\nCareful.\n:::\n\n::: info\nFine.\n:::").json()

    assert answer["unknown_callouts"] == ["warning"]
    assert answer["callout_kinds"] == ["emergency", "urgent", "info"]


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "::: urgent <script>alert(1)</script>\n<iframe src=//evil></iframe>\n:::",
    ],
)
def test_hostile_input_comes_back_harmless(writer, hostile):
    citation = {"key": "k", "title": "<script>x</script>", "url": "javascript:alert(1)"}

    html = preview(writer, f"{hostile} [^k]", [citation]).json()["html"]

    assert "<script" not in html and "<iframe" not in html and "<img" not in html
    assert not re.search(r"<[^>]*\son\w+=", html)  # no event handler on any tag
    assert not re.search(r"""(href|src)=["']?\s*javascript:""", html, re.IGNORECASE)


def test_a_body_over_the_limit_is_refused_with_a_reason(writer):
    response = preview(writer, "a" * (MAX_PREVIEW_CHARACTERS + 1))

    assert response.status_code == 413
    assert "the preview shows at most 200,000" in response.json()["error"]


def test_citations_that_are_not_a_list_are_refused(writer):
    response = writer.post(reverse(PREVIEW), {"body": "x", "citations": "{not json"})

    assert response.status_code == 400
    assert response.json()["error"] == "The citations sent with the preview could not be read."


def test_the_preview_is_for_people_who_edit_articles(client):
    response = client.post(reverse(PREVIEW), {"body": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]

    client.force_login(role_user("Medical reviewer"))
    response = client.post(reverse(PREVIEW), {"body": "x"})
    assert response.status_code == 403
    assert "You may not edit articles" in response.json()["error"]

    assert client.get(reverse(PREVIEW)).status_code == 405


def test_the_preview_needs_the_csrf_token(writer):
    writer.handler.enforce_csrf_checks = True

    response = writer.post(reverse(PREVIEW), {"body": "x"})

    assert response.status_code == 403


def test_the_change_page_carries_the_desk_without_inline_script(writer):
    article = ArticleFactory(draft=True)

    response = writer.get(reverse("admin:articles_article_change", args=[article.pk]))

    html = response.content.decode()
    assert f'data-preview-url="{reverse(PREVIEW)}"' in html
    assert f'data-lookup-url="{reverse(LOOK_UP)}"' in html
    assert 'src="/static/js/editor-desk.js" defer' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


# The DOI and PMID look-up -------------------------------------------------------------------


def look_up(client, **data):
    response = client.post(reverse(LOOK_UP), data)
    return response.status_code, response.json()


def test_a_doi_fills_the_citation_from_crossref(writer, services):
    bmj = SourceFactory(name="BMJ")

    status, answer = look_up(writer, doi="https://doi.org/10.1136/bmj.n71")

    assert status == 200
    assert answer["fields"] == {
        "title": "The PRISMA 2020 statement: an updated guideline for reporting systematic reviews",
        "authors": "Page MJ, McKenzie JE, PRISMA Group",
        "year": 2021,
        "journal": "BMJ",
        "doi": "10.1136/bmj.n71",
        "pmid": "",
    }
    assert answer["source"] == {"id": bmj.pk, "name": "BMJ"}
    assert answer["message"].startswith("Filled in from Crossref; check each field")
    assert services.requests == ["/crossref/works/10.1136/bmj.n71"]


def test_a_pmid_fills_the_citation_from_pubmed(writer, services):
    status, answer = look_up(writer, pmid="33782057")

    assert status == 200
    assert answer["fields"] == {
        "title": "The PRISMA 2020 statement: an updated guideline for reporting systematic reviews",
        "authors": "Page MJ, McKenzie JE",
        "year": 2021,
        "journal": "BMJ (Clinical research ed.)",
        "doi": "10.1136/bmj.n71",
        "pmid": "33782057",
    }
    assert answer["source"] is None
    assert (
        "No source is named “BMJ (Clinical research ed.)”: choose or add one."
        in (answer["message"])
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"doi": "10.9999/slow"}, "Crossref did not answer within 0.5 seconds."),
        ({"doi": "10.1000/none"}, "Crossref has no record of the DOI 10.1000/none."),
        ({"doi": "10.9999/garbled"}, "Crossref's answer could not be read."),
        ({"doi": "10.9999/odd"}, "Crossref's answer could not be read."),
        ({"pmid": "1"}, "PubMed has no record of the PMID 1."),
        ({"pmid": "2"}, "NCBI (PubMed)'s answer could not be read."),
        ({"doi": "bmj.n71"}, "“bmj.n71” is not a DOI"),
        ({"pmid": "PMC123"}, "“PMC123” is not a PubMed ID"),
    ],
    ids=["timeout", "404", "not-json", "bad-shape", "no-pmid", "bad-pmid", "bad-doi", "bad-id"],
)
def test_a_failed_look_up_says_why_and_fills_nothing(writer, services, data, expected):
    status, answer = look_up(writer, **data)

    assert status == 502
    assert answer["error"].startswith(expected)
    assert "fields" not in answer


def test_nothing_to_look_up_and_a_service_that_is_down(writer, settings):
    assert look_up(writer) == (400, {"error": "Type a DOI or a PMID first, then look it up."})

    settings.CROSSREF_API_URL = "http://127.0.0.1:9"  # nothing listens there
    status, answer = look_up(writer, doi="10.1136/bmj.n71")
    assert status == 502 and answer["error"].startswith("Could not reach Crossref")


def test_the_look_up_is_for_people_who_edit_articles(client, services):
    client.force_login(role_user("Medical reviewer"))

    assert client.post(reverse(LOOK_UP), {"doi": "10.1136/bmj.n71"}).status_code == 403
    assert services.requests == []

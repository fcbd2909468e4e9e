"""Citation integrity, evidence currency and the pre-review checklist, rule by rule."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Citation
from editorial.quality import (
    blocking_problems,
    citation_integrity,
    normalise_url,
    old_citations,
    pre_review_checklist,
)
from tests.factories import ArticleFactory, CitationFactory, FAQFactory, SourceFactory, image_file

pytestmark = pytest.mark.django_db

GOOD_BODY = "## Overview\n\nMost people get better in a few weeks.[^nhs] Keep moving.[^nice]"


def good_article(**overrides):
    """A draft that passes every check."""
    article = ArticleFactory(draft=True, body=GOOD_BODY, **overrides)
    CitationFactory(article=article, key="nhs", url="https://www.nhs.uk/back-pain/")
    CitationFactory(article=article, key="nice", url="https://www.nice.org.uk/ng59")
    FAQFactory(article=article, question="Should I rest?", answer="Keep gently active.")
    return article


def checked(citation, *, status=None, error="", url=None):
    """Record a link check on the citation as check_citation_links would."""
    citation.link_status = status
    citation.link_error = error
    citation.link_checked_url = url or citation.url
    citation.link_final_url = citation.url if status else ""
    citation.link_checked_at = timezone.now()
    citation.save()
    return citation


def item(article, label):
    (found,) = [i for i in pre_review_checklist(article) if i.label == label]
    return found


# --- Citation integrity ---


def test_a_sound_article_has_no_integrity_problems():
    integrity = citation_integrity(good_article())

    assert integrity.ok
    assert integrity.problems == []


def test_a_marker_without_a_citation_is_named():
    article = good_article()
    article.body += " Rest briefly.[^who-2023]"

    integrity = citation_integrity(article)

    assert integrity.unknown_markers == ["who-2023"]
    assert not integrity.ok
    assert "[^who-2023]" in integrity.problems[0]


def test_a_citation_never_cited_is_flagged_unless_it_is_further_reading():
    article = good_article()
    CitationFactory(article=article, key="unused")
    CitationFactory(article=article, key="background", is_further_reading=True)

    integrity = citation_integrity(article)

    assert integrity.uncited_keys == ["unused"]
    assert "[^unused] is never cited" in integrity.problems[0]


def test_markers_in_code_do_not_count_as_citing():
    article = good_article()
    CitationFactory(article=article, key="shown-in-code")
    article.body += "\n\nWrite `[^shown-in-code]` to cite."

    assert citation_integrity(article).uncited_keys == ["shown-in-code"]


def test_two_citations_with_the_same_url_are_flagged_ignoring_host_case_and_trailing_slash():
    article = good_article()
    article.body += " Also here.[^nhs-again] And here.[^nhs-other-page]"
    CitationFactory(article=article, key="nhs-again", url="https://WWW.NHS.uk/back-pain")
    CitationFactory(article=article, key="nhs-other-page", url="https://www.nhs.uk/Back-Pain")

    integrity = citation_integrity(article)

    (duplicate,) = integrity.duplicate_urls
    assert duplicate.keys == ["nhs", "nhs-again"]
    assert "[^nhs], [^nhs-again] have the same URL" in integrity.problems[0]


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://WWW.Example.GOV/a/", "https://www.example.gov/a"),
        ("HTTPS://example.gov", "https://example.gov"),
        ("https://example.gov:443/", "https://example.gov"),
        ("http://example.gov:8080/x/?q=1", "http://example.gov:8080/x?q=1"),
        ("https://example.gov/CasePath", "https://example.gov/CasePath"),
    ],
)
def test_urls_are_normalised_for_comparison(url, normalised):
    assert normalise_url(url) == normalised


def test_a_citation_missing_its_source_title_or_url_is_named():
    article = good_article()
    source = SourceFactory()
    incomplete = [
        Citation(article=article, key="nhs", source=source, title="", url="https://a.example"),
        Citation(article=article, key="nice", source=None, title="Guidance", url=""),
    ]

    integrity = citation_integrity(article, citations=incomplete)

    assert [(c.key, c.missing) for c in integrity.incomplete] == [
        ("nhs", ["title"]),
        ("nice", ["source", "URL"]),
    ]
    assert "[^nice] has no source or URL: fill it in." in integrity.problems


# --- Evidence currency ---


def test_citations_older_than_the_setting_are_flagged_and_undated_ones_are_not(settings):
    settings.CITATION_MAX_AGE_YEARS = 10
    article = ArticleFactory(draft=True)
    CitationFactory(article=article, key="ten-years", year=2016)
    CitationFactory(article=article, key="eleven-years", year=2015, title="Old trial")
    CitationFactory(article=article, key="undated", year=None)

    old = old_citations(article, today=datetime.date(2026, 6, 1))

    assert [(o.key, o.title, o.year, o.age_years) for o in old] == [
        ("eleven-years", "Old trial", 2015, 11)
    ]
    settings.CITATION_MAX_AGE_YEARS = 5
    assert [o.key for o in old_citations(article, today=datetime.date(2026, 6, 1))] == [
        "ten-years",
        "eleven-years",
    ]


def test_old_citations_warn_but_never_block(settings):
    settings.CITATION_MAX_AGE_YEARS = 10
    article = good_article()
    CitationFactory(article=article, key="old", year=timezone.localdate().year - 20)
    article.body += " Long known.[^old]"

    old_item = item(article, "Citations are current")

    assert (old_item.passed, old_item.blocking) == (False, False)
    assert "[^old]" in old_item.detail
    assert blocking_problems(article) == []


# --- The pre-review checklist ---


def test_a_sound_article_passes_every_item():
    article = good_article()

    checklist = pre_review_checklist(article)

    assert [i.label for i in checklist] == [
        "Summary present",
        "Hero image has alt text",
        "At least one citation",
        "Every FAQ answered",
        "Citation integrity",
        "Readability within target or explained",
        "No broken citation links",
        "Citations are current",
    ]
    assert all(i.passed for i in checklist), [i for i in checklist if not i.passed]
    assert blocking_problems(article) == []


def test_blocking_and_warning_items_are_marked_as_such():
    blocking = {i.label: i.blocking for i in pre_review_checklist(good_article())}

    assert blocking == {
        "Summary present": True,
        "Hero image has alt text": True,
        "At least one citation": True,
        "Every FAQ answered": True,
        "Citation integrity": True,
        "Readability within target or explained": False,
        "No broken citation links": True,
        "Citations are current": False,
    }


def test_missing_summary_blocks():
    article = good_article()
    article.summary = "  "

    assert [i.label for i in blocking_problems(article)] == ["Summary present"]


def test_hero_image_without_alt_text_blocks_and_no_image_passes():
    article = good_article()
    assert item(article, "Hero image has alt text").detail == "No hero image."

    article.hero_image = image_file()
    article.hero_alt = " "

    (problem,) = blocking_problems(article)
    assert problem.label == "Hero image has alt text"
    assert "Describe the hero image" in problem.detail


def test_an_article_without_citations_blocks():
    article = ArticleFactory(draft=True, body="## Overview\n\nRest.")

    labels = [i.label for i in blocking_problems(article)]

    assert labels == ["At least one citation"]


def test_an_unanswered_faq_blocks_and_names_the_question():
    article = good_article()
    FAQFactory(article=article, question="Can I swim?", answer="   ")

    (problem,) = blocking_problems(article)

    assert problem.label == "Every FAQ answered"
    assert "“Can I swim?”" in problem.detail


def test_integrity_problems_block_with_what_to_fix():
    article = good_article()
    CitationFactory(article=article, key="unused")

    (problem,) = blocking_problems(article)

    assert problem.label == "Citation integrity"
    assert "[^unused] is never cited" in problem.detail


HARD_BODY = (
    "## Overview\n\nMusculoskeletal conditions necessitate comprehensive multidisciplinary "
    "evaluation.[^nhs] Pharmacological interventions demonstrate considerable "
    "heterogeneity.[^nice]"
)


def test_readability_above_target_warns_and_a_note_explains_it(settings):
    settings.READABILITY_TARGET_GRADE = 8
    article = good_article(summary="Rest.")
    article.body = HARD_BODY

    warning = item(article, "Readability within target or explained")
    assert (warning.passed, warning.blocking) == (False, False)
    assert "above the target of 8" in warning.detail
    assert blocking_problems(article) == []

    article.readability_note = "Drug names cannot be simplified."
    explained = item(article, "Readability within target or explained")
    assert explained.passed
    assert "Drug names cannot be simplified." in explained.detail


def test_a_link_found_broken_blocks_and_an_unchecked_one_does_not():
    article = good_article()
    nhs, nice = article.citations.all()
    unchecked = item(article, "No broken citation links")
    assert unchecked.passed
    assert "2 links not checked yet" in unchecked.detail

    checked(nhs, status=404)
    checked(nice, status=200)

    (problem,) = blocking_problems(article)
    assert problem.label == "No broken citation links"
    assert "[^nhs] https://www.nhs.uk/back-pain/ (404 Not Found)" in problem.detail


def test_a_timeout_blocks_but_a_server_turning_the_checker_away_does_not():
    article = good_article()
    nhs, nice = article.citations.all()
    checked(nhs, status=403)
    checked(nice, status=200)
    assert blocking_problems(article) == []

    checked(nice, error="Timed out after 10 s")
    assert "Timed out after 10 s" in blocking_problems(article)[0].detail


def test_a_check_of_an_earlier_url_no_longer_counts():
    article = good_article()
    nhs, _ = article.citations.all()
    checked(nhs, status=404, url="https://www.nhs.uk/old-page/")

    nhs.refresh_from_db()
    assert not nhs.link_is_checked
    assert not nhs.link_is_broken
    assert blocking_problems(article) == []


def test_the_queryset_and_the_property_agree_on_what_is_broken():
    article = ArticleFactory(draft=True)
    cases = {
        "unchecked": {},
        "ok": {"status": 200},
        "redirected-ok": {"status": 301},
        "missing": {"status": 404},
        "server-error": {"status": 500},
        "forbidden": {"status": 403},
        "rate-limited": {"status": 429},
        "timed-out": {"error": "Timed out after 10 s"},
        "stale": {"status": 404, "url": "https://elsewhere.example/"},
    }
    for key, outcome in cases.items():
        citation = CitationFactory(article=article, key=key)
        if outcome:
            checked(citation, **outcome)

    by_property = {c.key for c in Citation.objects.all() if c.link_is_broken}
    by_query = set(Citation.objects.link_broken().values_list("key", flat=True))

    assert by_property == by_query == {"missing", "server-error", "timed-out"}


def test_the_checklist_costs_two_queries(django_assert_num_queries):
    article = good_article()

    with django_assert_num_queries(2):  # citations, FAQs
        pre_review_checklist(article)


def test_an_unsaved_article_can_be_checked_without_queries(django_assert_num_queries):
    article = ArticleFactory.build(draft=True)

    with django_assert_num_queries(0):
        labels = [i.label for i in blocking_problems(article)]

    assert labels == ["At least one citation"]

"""Editorial quality checks on an article's working copy, as data.

Each check returns dataclasses that the admin shows and the review workflow enforces:
``pre_review_checklist`` lists every item, and ``blocking_problems`` the failed items
that stop an article being submitted for review. See docs/quality-checks.md.
"""

from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.utils import timezone

from articles.markdown import cited_keys
from articles.models import Article, Citation
from editorial.readability import ReadabilityReport, article_readability


@dataclass(frozen=True)
class DuplicateURL:
    url: str
    keys: list[str]


@dataclass(frozen=True)
class IncompleteCitation:
    key: str
    missing: list[str]  # "source", "title", "URL"


@dataclass(frozen=True)
class CitationIntegrity:
    """What is wrong between the body's [^key] markers and the article's citations."""

    unknown_markers: list[str] = field(default_factory=list)
    uncited_keys: list[str] = field(default_factory=list)
    duplicate_urls: list[DuplicateURL] = field(default_factory=list)
    incomplete: list[IncompleteCitation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        """Each problem as a sentence saying what to fix."""
        problems = []
        if self.unknown_markers:
            problems.append(
                "The body cites "
                + _markers(self.unknown_markers)
                + f", but no citation has {_that_key(self.unknown_markers)}: add the citation "
                "or correct the marker."
            )
        if self.uncited_keys:
            problems.append(
                _markers(self.uncited_keys)
                + f" {'is' if len(self.uncited_keys) == 1 else 'are'} never cited in the body: "
                "cite it after the claim it supports, mark it as further reading, or remove it."
            )
        for duplicate in self.duplicate_urls:
            problems.append(
                f"{_markers(duplicate.keys)} have the same URL ({duplicate.url}): "
                "keep one citation and cite it wherever it is needed."
            )
        for citation in self.incomplete:
            problems.append(
                f"[^{citation.key}] has no {' or '.join(citation.missing)}: fill it in."
            )
        return problems


@dataclass(frozen=True)
class OldCitation:
    key: str
    title: str
    year: int
    age_years: int


@dataclass(frozen=True)
class ChecklistItem:
    """One pre-review check. A failed blocking item stops submission; others only warn."""

    label: str
    passed: bool
    blocking: bool
    detail: str = ""


@dataclass(frozen=True)
class QualityReport:
    readability: ReadabilityReport
    integrity: CitationIntegrity
    old_citations: list[OldCitation]
    citations: list[Citation]
    checklist: list[ChecklistItem]

    @property
    def broken_links(self) -> list[Citation]:
        return [citation for citation in self.citations if citation.link_is_broken]

    @property
    def blocking_problems(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if item.blocking and not item.passed]


def normalise_url(url: str) -> str:
    """A URL in the form used to spot duplicates: lower-case scheme and host, no default
    port, no trailing slash. Paths and queries keep their case (servers may care)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, host, path, parts.query, parts.fragment))


def citation_integrity(article: Article, *, citations=None) -> CitationIntegrity:
    """Check markers against citations: every marker has a citation; every citation is
    cited or is further reading; no two citations share a URL; each has source, title, URL."""
    if citations is None:
        citations = _citations(article)
    markers = cited_keys(article.body)
    keys = [citation.key for citation in citations]
    cited = set(markers)

    by_url: dict[str, list[str]] = {}
    incomplete = []
    for citation in citations:
        if citation.url.strip():
            by_url.setdefault(normalise_url(citation.url), []).append(citation.key)
        missing = [
            name
            for name, present in (
                ("source", citation.source_id is not None),
                ("title", bool(citation.title.strip())),
                ("URL", bool(citation.url.strip())),
            )
            if not present
        ]
        if missing:
            incomplete.append(IncompleteCitation(key=citation.key, missing=missing))

    return CitationIntegrity(
        unknown_markers=[key for key in markers if key not in set(keys)],
        uncited_keys=[
            citation.key
            for citation in citations
            if citation.key not in cited and not citation.is_further_reading
        ],
        duplicate_urls=[
            DuplicateURL(url=url, keys=url_keys)
            for url, url_keys in by_url.items()
            if len(url_keys) > 1
        ],
        incomplete=incomplete,
    )


def old_citations(article: Article, *, citations=None, today=None) -> list[OldCitation]:
    """Citations published more than CITATION_MAX_AGE_YEARS ago (a warning, never a block).
    Citations without a year are not flagged."""
    if citations is None:
        citations = _citations(article)
    this_year = (today or timezone.localdate()).year
    max_age = settings.CITATION_MAX_AGE_YEARS
    return [
        OldCitation(
            key=citation.key,
            title=citation.title,
            year=citation.year,
            age_years=this_year - citation.year,
        )
        for citation in citations
        if citation.year is not None and this_year - citation.year > max_age
    ]


def quality_report(article: Article) -> QualityReport:
    """All quality checks for an article, read with two queries (citations, FAQs)."""
    citations = _citations(article)
    faqs = list(article.faqs.all()) if article.pk else []
    readability = article_readability(article, faqs=faqs)
    integrity = citation_integrity(article, citations=citations)
    old = old_citations(article, citations=citations)

    checklist = [
        _summary_item(article),
        _hero_alt_item(article),
        _has_citations_item(citations),
        _faqs_answered_item(faqs),
        ChecklistItem(
            label="Citation integrity",
            passed=integrity.ok,
            blocking=True,
            detail=" ".join(integrity.problems) or "Markers and citations match.",
        ),
        _readability_item(article, readability),
        _broken_links_item(citations),
        _old_citations_item(old),
    ]
    return QualityReport(
        readability=readability,
        integrity=integrity,
        old_citations=old,
        citations=citations,
        checklist=checklist,
    )


def pre_review_checklist(article: Article) -> list[ChecklistItem]:
    """Every pre-review check, passed or not, blocking or warning."""
    return quality_report(article).checklist


def blocking_problems(article: Article) -> list[ChecklistItem]:
    """The failed checks that stop the article being submitted for review (empty: may submit)."""
    return quality_report(article).blocking_problems


def _citations(article: Article) -> list[Citation]:
    return list(article.citations.all()) if article.pk else []


def _markers(keys) -> str:
    return ", ".join(f"[^{key}]" for key in keys)


def _that_key(keys) -> str:
    return "that key" if len(keys) == 1 else "those keys"


def _summary_item(article):
    present = bool((article.summary or "").strip())
    return ChecklistItem(
        label="Summary present",
        passed=present,
        blocking=True,
        detail="" if present else "Write one or two plain sentences for the summary.",
    )


def _hero_alt_item(article):
    if not article.hero_image:
        return ChecklistItem("Hero image has alt text", True, True, "No hero image.")
    has_alt = bool(article.hero_alt.strip())
    return ChecklistItem(
        label="Hero image has alt text",
        passed=has_alt,
        blocking=True,
        detail="" if has_alt else "Describe the hero image for readers who cannot see it.",
    )


def _has_citations_item(citations):
    count = len(citations)
    return ChecklistItem(
        label="At least one citation",
        passed=count > 0,
        blocking=True,
        detail=f"{count} citation{pluralize(count)}."
        if count
        else "Add the sources that support the article's claims.",
    )


def _faqs_answered_item(faqs):
    unanswered = [faq.question for faq in faqs if not faq.answer.strip()]
    if not faqs:
        detail = "No FAQs."
    elif unanswered:
        detail = "Answer or remove: " + "; ".join(f"“{question}”" for question in unanswered)
    else:
        detail = f"{len(faqs)} FAQ{pluralize(len(faqs))}, all answered."
    return ChecklistItem("Every FAQ answered", not unanswered, True, detail)


def _readability_item(article, readability: ReadabilityReport):
    label = "Readability within target or explained"
    grade, target = readability.flesch_kincaid_grade, readability.target_grade
    if not readability.has_text:
        return ChecklistItem(label, True, False, "No prose to measure yet.")
    if readability.within_target:
        return ChecklistItem(label, True, False, f"Grade {grade:.1f}, target {target:g}.")
    note = (article.readability_note or "").strip()
    if note:
        return ChecklistItem(
            label, True, False, f"Grade {grade:.1f} is above the target of {target:g}: {note}"
        )
    return ChecklistItem(
        label,
        False,
        False,
        f"Grade {grade:.1f} is above the target of {target:g}: shorten or simplify the hardest "
        "sentences, or say in the readability note why the article must be harder.",
    )


def _broken_links_item(citations):
    label = "No broken citation links"
    broken = [citation for citation in citations if citation.link_is_broken]
    unchecked = [citation for citation in citations if not citation.link_is_checked]
    if broken:
        detail = "Fix or replace: " + "; ".join(
            f"[^{citation.key}] {citation.url} ({link_outcome(citation)})" for citation in broken
        )
        return ChecklistItem(label, False, True, detail)
    if unchecked:
        count = len(unchecked)
        return ChecklistItem(
            label,
            True,
            True,
            f"{count} link{pluralize(count)} not checked yet: "
            + _markers(citation.key for citation in unchecked)
            + ".",
        )
    return ChecklistItem(label, True, True, "All links answered when last checked.")


def _old_citations_item(old):
    label = "Citations are current"
    if not old:
        return ChecklistItem(label, True, False, "")
    max_age = settings.CITATION_MAX_AGE_YEARS
    return ChecklistItem(
        label,
        False,
        False,
        f"Older than {max_age} years, check for newer evidence: "
        + "; ".join(f"[^{item.key}] ({item.year})" for item in old),
    )


def link_outcome(citation: Citation) -> str:
    """What the latest link check found, in words: "404 Not Found", "Timed out after 10 s"."""
    if citation.link_error:
        return citation.link_error
    if citation.link_status is None:
        return "not checked"
    return status_text(citation.link_status)


def status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)

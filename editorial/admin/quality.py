"""The "Quality checks" part of the article admin: read-only figures and the checklist,
as HTML, and the changelist's broken-link count and filter.

Everything here reads what ``editorial.quality`` computes; nothing makes a network request
(links are checked by the check_citation_links command, and only its records are shown).
"""

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from articles.models import Citation
from editorial.quality import QualityReport, link_outcome, status_text

QUALITY_FIELDS = [
    "quality_checklist",
    "readability_figures",
    "readability_note",
    "citation_problems",
    "old_citations",
    "broken_links_detail",
]
QUALITY_READONLY_FIELDS = [name for name in QUALITY_FIELDS if name != "readability_note"]


def link_check_text(citation: Citation) -> str:
    """A citation's latest link check in words, e.g. "Broken: 404 Not Found (checked …)"."""
    if citation.link_checked_at is None:
        return "Not checked yet"
    if not citation.link_is_checked:
        return "Not checked since the URL changed"
    checked = date_format(timezone.localtime(citation.link_checked_at), "j M Y, H:i")
    if citation.link_is_broken:
        return f"Broken: {link_outcome(citation)} (checked {checked})"
    if citation.link_status is not None and citation.link_status >= 400:
        return f"Could not verify: {status_text(citation.link_status)} (checked {checked})"
    text = f"OK: {status_text(citation.link_status)} (checked {checked})"
    if citation.link_final_url and citation.link_final_url != citation.url:
        text += f", redirects to {citation.link_final_url}"
    return text


class BrokenLinksFilter(admin.SimpleListFilter):
    title = "broken links"
    parameter_name = "broken_links"

    def lookups(self, request, model_admin):
        return [("yes", "Has broken links"), ("no", "No broken links")]

    def queryset(self, request, queryset):
        broken = Exists(Citation.objects.link_broken().filter(article=OuterRef("pk")))
        match self.value():
            case "yes":
                return queryset.filter(broken)
            case "no":
                return queryset.filter(~broken)
        return queryset


def with_broken_link_counts(articles):
    """Articles annotated with ``_broken_links`` (one subquery, no query per row)."""
    broken_count = (
        Citation.objects.link_broken()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return articles.annotate(
        _broken_links=Coalesce(Subquery(broken_count, output_field=IntegerField()), 0)
    )


def checklist_html(report: QualityReport) -> str:
    items = []
    for item in report.checklist:
        if item.passed:
            mark, verdict = "✓", "Passed"
        elif item.blocking:
            mark, verdict = "✗", "Blocks submission"
        else:
            mark, verdict = "✗", "Warning"
        items.append((mark, verdict, item.label, item.detail))
    return format_html(
        '<ul class="quality-checklist">{}</ul>',
        format_html_join(
            "",
            '<li><span aria-hidden="true">{}</span> <strong>{}:</strong> {}. {}</li>',
            items,
        ),
    )


def readability_html(report: QualityReport) -> str:
    figures = report.readability
    if not figures.has_text:
        return "No prose to measure yet."
    verdict = "within target" if figures.within_target else "above target (see the checklist)"
    hardest = format_html_join(
        "",
        "<li>Grade {}: “{}”</li>",
        ((f"{sentence.grade:.1f}", sentence.text) for sentence in figures.hardest_sentences),
    )
    return format_html(
        "<p>Flesch–Kincaid grade <strong>{}</strong>, target {} or below: {}.<br>"
        "SMOG grade {}. Flesch reading ease {} (0–100, higher is easier; 60 or more "
        "is plain English).<br>From {} sentences, {} words, {} syllables.</p>"
        "<p>Hardest sentences:</p><ol>{}</ol>",
        f"{figures.flesch_kincaid_grade:.1f}",
        f"{figures.target_grade:g}",
        verdict,
        f"{figures.smog_grade:.1f}",
        f"{figures.flesch_reading_ease:.1f}",
        figures.sentences,
        figures.words,
        figures.syllables,
        hardest,
    )


def citation_problems_html(report: QualityReport) -> str:
    problems = report.integrity.problems
    if not problems:
        return "No problems: every marker has a citation and every citation is used."
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems)))


def old_citations_html(report: QualityReport) -> str:
    old = report.old_citations
    if not old:
        return f"None older than {settings.CITATION_MAX_AGE_YEARS} years."
    return format_html(
        "<p>Older than {} years: the reviewer should check for newer evidence.</p><ul>{}</ul>",
        settings.CITATION_MAX_AGE_YEARS,
        format_html_join(
            "",
            "<li>[^{}] {} ({}, {} years old)</li>",
            ((item.key, item.title, item.year, item.age_years) for item in old),
        ),
    )


def broken_links_html(report: QualityReport) -> str:
    unchecked = sum(1 for citation in report.citations if not citation.link_is_checked)
    summary = (
        f"{unchecked} of {len(report.citations)} links not checked yet."
        if unchecked
        else "All links checked."
    )
    if not report.broken_links:
        return f"None found. {summary}"
    return format_html(
        "<ul>{}</ul><p>{}</p>",
        format_html_join(
            "",
            "<li>[^{}] {}: {}</li>",
            (
                (citation.key, citation.url, link_check_text(citation))
                for citation in report.broken_links
            ),
        ),
        summary,
    )

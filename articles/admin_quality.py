"""The "Quality checks" part of the article admin: read-only figures and the checklist.

Everything here reads what ``articles.quality`` computes; nothing makes a network request
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
from articles.quality import link_outcome, quality_report, status_text

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


class QualityChecksAdminMixin:
    """Adds the read-only "Quality checks" fieldset to the article change page and a
    broken-link count to the changelist (one subquery, no query per row)."""

    def get_queryset(self, request):
        broken_count = (
            Citation.objects.link_broken()
            .filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                _broken_links=Coalesce(Subquery(broken_count, output_field=IntegerField()), 0)
            )
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.pk:
            fieldsets.append(
                (
                    "Quality checks",
                    {
                        "fields": QUALITY_FIELDS,
                        "description": (
                            "Checked when the page loads, from the saved article; links are "
                            "checked nightly. Items marked “Blocks submission” must be fixed "
                            "before the article can be submitted for review."
                        ),
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *QUALITY_READONLY_FIELDS]

    def _quality(self, article):
        if not hasattr(article, "_quality_report"):
            article._quality_report = quality_report(article)
        return article._quality_report

    @admin.display(description="Broken links", ordering="_broken_links")
    def broken_links(self, article):
        return getattr(article, "_broken_links", 0)

    @admin.display(description="Pre-review checklist")
    def quality_checklist(self, article):
        items = []
        for item in self._quality(article).checklist:
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

    @admin.display(description="Readability")
    def readability_figures(self, article):
        figures = self._quality(article).readability
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

    @admin.display(description="Citation integrity")
    def citation_problems(self, article):
        problems = self._quality(article).integrity.problems
        if not problems:
            return "No problems: every marker has a citation and every citation is used."
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )

    @admin.display(description="Old citations")
    def old_citations(self, article):
        old = self._quality(article).old_citations
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

    @admin.display(description="Broken links")
    def broken_links_detail(self, article):
        report = self._quality(article)
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

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from articles.models.article import Article
from articles.models.fields import HttpsURLField
from articles.models.source import Source

citation_key_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*\Z",
    "Use lowercase letters, digits, hyphens and underscores, starting with a letter or digit "
    "(for example “nhs-back-pain”). The body cites it as [^nhs-back-pain].",
    code="invalid_citation_key",
)


# Statuses that say the server turned the link checker away, not that the page is gone:
# recorded and shown, but not counted as broken.
UNVERIFIABLE_LINK_STATUSES = (401, 403, 429)


def link_check_found_broken(*, status: int | None, error: str) -> bool:
    """Whether a link check's outcome means the link is broken (the rule in one place)."""
    return bool(error) or (
        status is not None and status >= 400 and status not in UNVERIFIABLE_LINK_STATUSES
    )


class CitationQuerySet(models.QuerySet):
    def link_broken(self):
        """Citations whose latest link check, made on their current URL, found them broken."""
        return self.filter(link_checked_at__isnull=False, link_checked_url=models.F("url")).filter(
            ~Q(link_error="")
            | (Q(link_status__gte=400) & ~Q(link_status__in=UNVERIFIABLE_LINK_STATUSES))
        )

    def link_check_due(self, *, checked_before):
        """Citations never checked, checked before the given time, or changed since."""
        return self.filter(
            Q(link_checked_at__isnull=True)
            | Q(link_checked_at__lt=checked_before)
            | ~Q(link_checked_url=models.F("url"))
        )


class Citation(models.Model):
    """A source an article cites, referenced in its body as [^key]."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    key = models.CharField(
        max_length=60,
        validators=[citation_key_validator],
        help_text="Short label used in the body as [^key], e.g. nhs-back-pain.",
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    title = models.CharField(max_length=500, help_text="Title of the page or paper cited.")
    url = HttpsURLField("URL", max_length=1000)
    authors = models.CharField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
        help_text="Year of publication.",
    )
    doi = models.CharField("DOI", max_length=200, blank=True, help_text="e.g. 10.1136/bmj.n71")
    pmid = models.CharField(
        "PMID",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d+\Z", "A PubMed ID is digits only, e.g. 33782057.")],
    )
    accessed_on = models.DateField("accessed", null=True, blank=True)
    order = models.PositiveIntegerField(default=0, help_text="Position in the Sources list.")
    is_further_reading = models.BooleanField(
        "further reading",
        default=False,
        help_text=(
            "Tick for a source listed for further reading that the body does not cite "
            "with [^key]. Every other citation must be cited in the body."
        ),
    )
    # Set by the check_citation_links command (docs/quality-checks.md), never by editors.
    link_status = models.PositiveSmallIntegerField(
        "link status", null=True, blank=True, editable=False, help_text="HTTP status."
    )
    link_final_url = models.URLField(
        "final URL", max_length=1000, blank=True, editable=False, help_text="After redirects."
    )
    link_checked_url = models.URLField(
        "URL checked",
        max_length=1000,
        blank=True,
        editable=False,
        help_text="The URL as it was when checked; a check of an older URL no longer counts.",
    )
    link_checked_at = models.DateTimeField("link checked", null=True, blank=True, editable=False)
    link_error = models.CharField(
        "link error",
        max_length=200,
        blank=True,
        editable=False,
        help_text="Why the check got no answer, e.g. “Timed out after 10 s”.",
    )

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "key"], name="citation_key_unique_in_article"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1800, year__lte=2100),
                name="citation_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(link_status__isnull=True)
                | Q(link_status__gte=100, link_status__lte=599),
                name="citation_link_status_plausible",
            ),
        ]

    def __str__(self):
        return f"[^{self.key}] {self.title}"

    @property
    def link_is_checked(self) -> bool:
        """Whether the link was checked, and its URL has not changed since."""
        return self.link_checked_at is not None and self.link_checked_url == self.url

    @property
    def link_is_broken(self) -> bool:
        """Whether the latest check of the current URL found it broken (unchecked: False)."""
        return self.link_is_checked and link_check_found_broken(
            status=self.link_status, error=self.link_error
        )

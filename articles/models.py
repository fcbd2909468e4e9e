import calendar
import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from articles.images import validate_image_upload
from articles.markdown import cited_keys


class HttpsURLField(models.URLField):
    """A URL field whose forms assume https:// when an editor leaves out the scheme."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


MAX_REVIEW_INTERVAL_MONTHS = 36


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


review_interval_validators = [MinValueValidator(1), MaxValueValidator(MAX_REVIEW_INTERVAL_MONTHS)]


def review_interval_field(help_text):
    return models.PositiveSmallIntegerField(
        "review interval (months)",
        null=True,
        blank=True,
        validators=review_interval_validators,
        help_text=help_text,
    )


def review_interval_constraint(name):
    return models.CheckConstraint(
        condition=Q(review_interval_months__isnull=True)
        | Q(review_interval_months__gte=1, review_interval_months__lte=MAX_REVIEW_INTERVAL_MONTHS),
        name=name,
    )


citation_key_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*\Z",
    "Use lowercase letters, digits, hyphens and underscores, starting with a letter or digit "
    "(for example “nhs-back-pain”). The body cites it as [^nhs-back-pain].",
    code="invalid_citation_key",
)


class Category(models.Model):
    """A topic readers browse by, with a hub page listing its articles."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(
        blank=True, help_text="One or two sentences shown at the top of the category's hub page."
    )
    review_interval_months = review_interval_field(
        "How often this category's articles are re-reviewed, at most 36 months. Empty: the "
        "site default."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [review_interval_constraint("category_review_interval_range")]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})


class SourceType(models.TextChoices):
    PEER_REVIEWED_JOURNAL = "peer_reviewed_journal", "Peer-reviewed journal"
    GOVERNMENT_AUTHORITY = "government_authority", "Government authority"
    ACADEMIC_INSTITUTION = "academic_institution", "Academic or research institution"
    RESPECTED_DATABASE = "respected_database", "Respected database"
    MEDICAL_ASSOCIATION = "medical_association", "Medical association"
    OTHER = "other", "Other"

    @property
    def suggested_trust_label(self):
        return {
            "peer_reviewed_journal": "Peer-reviewed journal",
            "government_authority": "Governmental authority",
            "academic_institution": "Academic research institution",
            "respected_database": "Highly respected database",
            "medical_association": "Medical association",
            "other": "",
        }[self.value]


class Source(models.Model):
    """A publisher registered once and cited by many articles."""

    name = models.CharField(
        max_length=200, unique=True, help_text="As readers know it, e.g. “PubMed Central”."
    )
    slug = models.SlugField(max_length=200, unique=True)
    source_type = models.CharField(
        max_length=32, choices=SourceType.choices, default=SourceType.OTHER
    )
    trust_label = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "The short label readers see next to every citation of this source, e.g. "
            "“Highly respected database from the National Institutes of Health” or "
            "“Governmental authority”. It tells readers why they can trust it. "
            "Left empty, the usual label for the source type is used."
        ),
    )
    url = HttpsURLField("homepage", max_length=500, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(trust_label=""), name="source_trust_label_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(source_type__in=SourceType.values), name="source_type_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not self.trust_label.strip():
            self.trust_label = SourceType(self.source_type).suggested_trust_label
        if not self.trust_label:
            raise ValidationError(
                {
                    "trust_label": "Enter the label readers see for this source, e.g. "
                    "“Independent health charity”, so they can judge it."
                }
            )


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


# A version's large columns: what it shows and was reviewed on, not what lists of versions need.
VERSION_CONTENT_FIELDS = (
    "body_html",
    "rendered_page",
    "search_document",
    "outline",
    "sources",
    "faqs",
    "content",
    "search_text",
)


LISTING_DEFERRED_FIELDS = [
    "body",
    "related_article_ids",
    "readability_note",
    "content_fingerprint",
    *(f"live_version__{name}" for name in (*VERSION_CONTENT_FIELDS, "content_fingerprint")),
]


# "Due soon" on the review dashboard and in the article list's filter.
REVIEW_DUE_SOON_DAYS = 30


def review_overdue(*, today: datetime.date) -> Q:
    """Articles whose next review date has passed."""
    return Q(next_review_due__lt=today)


def review_due_within(*, today: datetime.date, days: int = REVIEW_DUE_SOON_DAYS) -> Q:
    """Articles whose next review falls between today and ``days`` from now."""
    return Q(next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=days))


def published_condition(prefix: str = "") -> Q:
    """What makes an article one readers may see (ArticleQuerySet.published), for use across
    a relation: ``published_condition("articles__")`` on categories."""
    return Q(
        **{
            f"{prefix}status": ArticleStatus.PUBLISHED,
            f"{prefix}live_version__isnull": False,
            f"{prefix}published_at__lte": timezone.now(),
        }
    )


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see: published, with a live version, from their publication time."""
        return self.filter(published_condition())

    def due_for_review(self, *, on):
        """Articles whose next review is due on or before the given date."""
        return self.filter(next_review_due__lte=on)

    def for_listing(self):
        """Published articles as listings show them: the live version's title and summary,
        without the large text columns a card never shows."""
        return (
            self.select_related("category", "live_version__reviewer")
            .defer(*LISTING_DEFERRED_FIELDS)
            .order_by("-live_published_at", "-pk")
        )

    def related_to(self, article, *, limit=3):
        """Published articles sharing the article's tags or category, in one query: most
        shared tags first, then the same category, then the most recently published.

        Uses the article's tags as loaded (prefetch them), and counts shared tags with one
        join instead of a subquery per candidate, so the cost follows the few candidates,
        not the size of the site.
        """
        tag_ids = [tag.pk for tag in article.tags.all()]
        candidates = Q(category=article.category_id)
        shared_tags = models.Value(0)
        if tag_ids:
            candidates |= Q(tags__in=tag_ids)
            shared_tags = models.Count("tags", filter=Q(tags__in=tag_ids))
        return (
            self.published()
            .exclude(pk=article.pk)
            .filter(candidates)
            .annotate(
                shared_tags=shared_tags,
                same_category=models.Case(
                    models.When(category=article.category_id, then=1), default=0
                ),
            )
            .for_listing()
            .order_by("-shared_tags", "-same_category", "-live_published_at", "-pk")[:limit]
        )


class Article(models.Model):
    """The working copy of an article that writers and editors change."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Used in the article's web address."
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    tags = TaggableManager(blank=True, help_text="Topics readers can browse by.")
    summary = models.CharField(
        max_length=300,
        help_text=(
            "One or two plain sentences (up to 300 characters) shown under the title, "
            "in listings and to search engines."
        ),
    )
    body = models.TextField(
        help_text=(
            "Markdown. Start sections with ## (the title is the page's only top heading). "
            "Cite a source right after the claim with [^key], where key is one of the "
            "citations below."
        )
    )
    hero_image = models.ImageField(
        upload_to="articles/hero/",
        blank=True,
        validators=[validate_image_upload],
        width_field="hero_width",
        height_field="hero_height",
        help_text="A wide picture (at least 1200 pixels across); JPEG, PNG, WebP or GIF.",
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_alt = models.CharField(
        "hero image alt text",
        max_length=250,
        blank=True,
        help_text=(
            "Describe what the picture shows for readers who cannot see it (screen readers "
            "read this aloud). Required when there is a hero image."
        ),
    )
    hero_credit = models.CharField(
        "hero image credit", max_length=200, blank=True, help_text="e.g. “Photo: Jane Doe”."
    )
    # Resized copies of the hero image (WebP and a JPEG or PNG fallback) that pages offer
    # through srcset; made by services.refresh_hero_renditions whenever the image changes.
    hero_renditions = models.JSONField(default=list, blank=True, editable=False)
    author = models.CharField(max_length=200, help_text="The byline: who wrote the article.")
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(
        "published", null=True, blank=True, help_text="When the article first went public."
    )
    reviewer = models.ForeignKey(
        "reviewers.Reviewer",
        verbose_name="medical reviewer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_articles",
    )
    last_reviewed_on = models.DateField(
        "last reviewed", null=True, blank=True, help_text="The date of the latest medical review."
    )
    next_review_due = models.DateField(
        "next review due",
        null=True,
        blank=True,
        help_text="The last review plus the review interval, or the date an editor set.",
    )
    review_interval_months = review_interval_field(
        "How often this article is re-reviewed, at most 36 months. Empty: its category's "
        "interval, or the site default."
    )
    next_review_due_override = models.DateField(
        "set next review date",
        null=True,
        blank=True,
        help_text="Editors: set a date to bring the next review forward or push it back "
        "(at most 36 months after the last review). Cleared by the next review.",
    )
    is_sample = models.BooleanField(
        "sample content",
        default=False,
        help_text="Demo content: the page tells readers it is a sample, not real guidance.",
    )
    readability_note = models.TextField(
        blank=True,
        help_text=(
            "If the article must be above the target grade, say why (e.g. technical drug names)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # What readers see: the latest published version. Set only by publishing.
    live_version = models.OneToOneField(
        "PublishedVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The live version's publication time, kept beside it (services.create_published_version)
    # so listings sort on an indexed column of their own table.
    live_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A hash of the reviewed content (title, summary, body, citations, FAQs), kept current by
    # services.refresh_content_fingerprint whenever the working copy is saved.
    content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    publish_at = models.DateTimeField(
        "scheduled publication",
        null=True,
        blank=True,
        editable=False,
        help_text="When publish_scheduled will publish the approved content.",
    )
    publish_note = models.CharField(max_length=200, blank=True, editable=False)
    # The articles shown as "Related articles", chosen when this or a related article is
    # published (services.refresh_related_articles), so the page need not rank them.
    related_article_ids = models.JSONField(default=list, blank=True, editable=False)
    # Optimistic locking: each save through the admin increments it, so a second editor
    # saving an older copy gets a conflict instead of silently overwriting the first.
    edit_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("submit_article", "Can submit articles for medical review"),
            ("publish_article", "Can publish, schedule and unpublish articles"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published_idx"),
            # A topic page's count and list of its published articles; the home page's list.
            models.Index(
                fields=["category", "status", "-published_at"], name="article_category_listing_idx"
            ),
            models.Index(
                fields=["category", "status", "-live_published_at", "-id"],
                name="article_category_latest_idx",
            ),
            models.Index(fields=["status", "-live_published_at", "-id"], name="article_latest_idx"),
            models.Index(fields=["next_review_due"], name="article_review_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(hero_image="") | ~Q(hero_alt=""),
                name="article_hero_image_has_alt_text",
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED)
                | Q(
                    published_at__isnull=False,
                    reviewer__isnull=False,
                    last_reviewed_on__isnull=False,
                    next_review_due__isnull=False,
                ),
                name="article_published_is_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(last_reviewed_on__isnull=True)
                | Q(next_review_due__isnull=True)
                | Q(next_review_due__gt=models.F("last_reviewed_on")),
                name="article_next_review_after_last",
            ),
            review_interval_constraint("article_review_interval_range"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.live_version_id is not None
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_being_rereviewed(self):
        """Overdue by more than the grace period: the page tells readers it is being reviewed."""
        return self.next_review_due is not None and (
            self.next_review_due + datetime.timedelta(days=settings.REVIEW_OVERDUE_GRACE_DAYS)
            < timezone.localdate()
        )

    @property
    def review_is_overdue(self):
        return self.next_review_due is not None and self.next_review_due < timezone.localdate()

    def clean(self):
        errors = {}
        if self.hero_image and not self.hero_alt.strip():
            errors["hero_alt"] = (
                "Describe the hero image for readers who cannot see it, or remove the image."
            )
        if self.status == ArticleStatus.PUBLISHED:
            missing = {
                "published_at": "Enter when the article was (or will be) published.",
                "reviewer": "Choose the medical reviewer who approved this article.",
                "last_reviewed_on": "Enter the date of the medical review.",
                "next_review_due": "Enter when the article is next due for review.",
            }
            for field, message in missing.items():
                if not getattr(self, field if field != "reviewer" else "reviewer_id"):
                    errors[field] = f"A published article needs this. {message}"
        if (
            self.last_reviewed_on
            and self.next_review_due
            and self.next_review_due <= self.last_reviewed_on
        ):
            errors["next_review_due"] = "The next review must be after the last review date."
        override = self.next_review_due_override
        if override and self.last_reviewed_on:
            if override <= self.last_reviewed_on:
                errors["next_review_due_override"] = (
                    "The next review must be after the last review "
                    f"({self.last_reviewed_on:%d %B %Y}); choose a later date."
                )
            elif override > (
                latest := add_months(self.last_reviewed_on, MAX_REVIEW_INTERVAL_MONTHS)
            ):
                errors["next_review_due_override"] = (
                    f"Reviews are at most {MAX_REVIEW_INTERVAL_MONTHS} months apart; choose a "
                    f"date on or before {latest:%d %B %Y}."
                )
        if errors:
            raise ValidationError(errors)


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


class FAQ(models.Model):
    """A question and answer shown at the end of an article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question

    def clean(self):
        markers = cited_keys(self.answer)
        if markers:
            raise ValidationError(
                {
                    "answer": "Citation markers work only in the article body; remove "
                    + ", ".join(f"[^{key}]" for key in markers)
                    + " from this answer or cite the source in the body instead."
                }
            )


class VersionKind(models.TextChoices):
    PUBLISHED = "published", "Published"
    REVIEWED_UNCHANGED = "reviewed_unchanged", "Reviewed, no changes"
    IMPORTED = "imported", "Imported"


class PublishedVersionQuerySet(models.QuerySet):
    def history(self):
        """Versions newest first, with their reviewers, without the content columns the
        history list never shows."""
        return self.select_related("reviewer").defer(*VERSION_CONTENT_FIELDS).order_by("-number")


class PublishedVersion(models.Model):
    """An immutable snapshot of approved content, as readers saw it from ``published_at``."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=VersionKind.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    author = models.CharField(max_length=200)
    body_html = models.TextField()
    outline = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    faqs = models.JSONField(default=list, blank=True)
    # The article page while this version is live, as articles/article_pages.py rendered it;
    # ``rendered_with`` says whether it is current (see article_pages.rendering_fingerprint).
    rendered_page = models.TextField(blank=True, editable=False)
    rendered_with = models.CharField(max_length=64, blank=True, editable=False)
    # On PostgreSQL, the weighted full-text document of title, summary and search_text, kept
    # by a trigger (migration 0009) for articles/search.py; unused (empty) elsewhere.
    search_document = SearchVectorField(null=True, editable=False)
    # The body's plain text and the FAQs' questions and answers, for search.
    search_text = models.TextField(blank=True, editable=False)
    content = models.JSONField(help_text="The reviewed source content, for diffs and audits.")
    content_fingerprint = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        "reviewers.Reviewer", on_delete=models.PROTECT, related_name="published_versions"
    )
    reviewed_on = models.DateField()
    change_summary = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PublishedVersionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="published_version_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=VersionKind.values), name="published_version_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.article} v{self.number} ({self.published_at:%Y-%m-%d})"


class ArticleEvent(models.Model):
    """One line of an article's audit trail: who did what, when, and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="article_event_recent_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


FEEDBACK_COMMENT_MAX_LENGTH = 1000


class Feedback(models.Model):
    """A reader's answer to "Was this helpful?" on a published article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    version = models.ForeignKey(
        PublishedVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
        help_text="The version the reader was shown.",
    )
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=FEEDBACK_COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField("sent", default=timezone.now)
    # A keyed SHA-256 of the sender's address (services.client_hash), for rate limits and
    # spotting floods; the address itself is never stored.
    client_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "feedback"
        indexes = [
            models.Index(fields=["article", "-created_at"], name="feedback_article_recent_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.lookups.LessThanOrEqual(
                    Length("comment"), FEEDBACK_COMMENT_MAX_LENGTH
                ),
                name="feedback_comment_length",
            ),
        ]

    def __str__(self):
        return f"{'Yes' if self.helpful else 'No'} on {self.article} ({self.created_at:%Y-%m-%d})"

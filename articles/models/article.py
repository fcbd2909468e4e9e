import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from taggit.managers import TaggableManager

from articles.models.category import Category
from articles.models.fields import review_interval_constraint, review_interval_field
from articles.review_schedule import MAX_REVIEW_INTERVAL_MONTHS, add_months
from images.checks import validate_image_upload
from reviewers.models import Reviewer


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


# A version's large columns: what it shows and was reviewed on, not what lists of versions need.
VERSION_CONTENT_FIELDS = (
    "body_html",
    "rendered_page",
    "rendered_card",
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


# What readers see of an article besides its reviewed content (title, summary, body,
# citations and FAQs, which a sign-off covers): frozen into each published version with it,
# so an edit reaches readers only when an editor publishes it (docs/architecture.md).
PRESENTATION_FIELDS = (
    "slug",
    "category",
    "tags",
    "author",
    "hero_image",
    "hero_alt",
    "hero_credit",
    "is_sample",
)


# What a published article must have, and what to tell an editor who left it out. The
# constraint article_published_is_reviewed holds the same rule in the database.
PUBLISHED_REQUIRES = {
    "published_at": "Enter when the article was (or will be) published.",
    "reviewer": "Choose the medical reviewer who approved this article.",
    "last_reviewed_on": "Enter the date of the medical review.",
    "next_review_due": "Enter when the article is next due for review.",
}


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see: published, with a live version, from their publication time."""
        return self.filter(published_condition())

    def due_for_review(self, *, on):
        """Articles whose next review is due on or before the given date."""
        return self.filter(next_review_due__lte=on)

    def for_listing(self):
        """Published articles as listings show them: the live version's title, summary,
        topic and image, without the large text columns a card never shows."""
        return (
            self.select_related("live_category", "live_version__reviewer")
            .defer(*LISTING_DEFERRED_FIELDS)
            .order_by("-live_published_at", "-pk")
        )

    def in_language(self, language):
        """Articles written in the language (a code from settings.LANGUAGES)."""
        return self.filter(language=language)

    def in_category(self, category):
        """Articles whose published version is in the category."""
        return self.filter(live_category=category)

    def with_tag(self, tag):
        """Articles whose published version has the tag."""
        return self.filter(live_version__tags=tag)

    def reviewed_by(self, reviewer):
        return self.filter(reviewer=reviewer)

    def related_to(self, version, *, limit=3):
        """Published articles in the version's language sharing its tags or category, in one
        query: most shared tags first, then the same category, then the most recently published.

        Uses the version's tags as loaded (prefetch them), and counts shared tags with one
        join instead of a subquery per candidate, so the cost follows the few candidates,
        not the size of the site.
        """
        tag_ids = [tag.pk for tag in version.tags.all()] if version.pk else version.tag_ids
        candidates = Q(live_category=version.category_id)
        shared_tags = models.Value(0)
        if tag_ids:
            candidates |= Q(live_version__tags__in=tag_ids)
            shared_tags = models.Count(
                "live_version__tags", filter=Q(live_version__tags__in=tag_ids)
            )
        return (
            self.published()
            .filter(language=version.language)  # cards in the reader's language only
            .exclude(pk=version.article_id)
            .filter(candidates)
            .annotate(
                shared_tags=shared_tags,
                same_category=models.Case(
                    models.When(live_category=version.category_id, then=1), default=0
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
    # through srcset; made by images.renditions.refresh_hero_renditions whenever the image changes.
    hero_renditions = models.JSONField(default=list, blank=True, editable=False)
    author = models.CharField(max_length=200, help_text="The byline: who wrote the article.")
    language = models.CharField(
        max_length=16,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The language the article is written in; its page is offered in it.",
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name="translation of",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations",
        limit_choices_to={"translation_of__isnull": True},
        help_text=(
            "For a translation: the article it translates (in another language). A "
            "translation is reviewed and published on its own; readers can switch between "
            "the two, and it is marked out of date when its source publishes newer content."
        ),
    )
    translated_from = models.ForeignKey(
        "PublishedVersion",
        verbose_name="translated from version",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=(
            "The published version of the source this translation follows (the source's "
            "live version when left empty). After bringing the translation up to date, "
            "choose the source's newest version: the reviewer signs off on that too."
        ),
    )
    # When the source first published content that the live translation does not follow;
    # None while it is up to date (articles.translations.refresh_translation_status).
    source_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(
        "published", null=True, blank=True, help_text="When the article first went public."
    )
    reviewer = models.ForeignKey(
        Reviewer,
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
        related_name="live_article",
    )
    # The live version's publication time, address and topic, kept beside it
    # (versions.create_published_version) so listings sort and filter on indexed columns of
    # their own table, and a reader's address finds the article.
    live_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # NULL, not "", until the first publication: several unpublished articles may lack one.
    live_slug = models.SlugField(max_length=200, unique=True, null=True, editable=False)  # noqa: DJ001
    live_category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="live_articles",
    )
    # A hash of the reviewed content (title, summary, body, citations, FAQs), and one of what
    # else readers see (PRESENTATION_FIELDS), kept current by versions.refresh_fingerprints
    # whenever the working copy is saved.
    content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    presentation_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    publish_at = models.DateTimeField(
        "scheduled publication",
        null=True,
        blank=True,
        editable=False,
        help_text="When publish_scheduled will publish the approved content.",
    )
    publish_note = models.CharField(max_length=200, blank=True, editable=False)
    # The articles shown as "Related articles", chosen when this or a related article is
    # published (related.refresh_related_articles), so the page need not rank them.
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
                fields=["live_category", "status", "-live_published_at", "-id"],
                name="article_live_category_idx",
            ),
            # A reviewer's page lists their articles newest first, a page at a time.
            models.Index(
                fields=["reviewer", "status", "-live_published_at", "-id"],
                name="article_reviewer_listing_idx",
            ),
            models.Index(fields=["status", "-live_published_at", "-id"], name="article_latest_idx"),
            models.Index(fields=["next_review_due"], name="article_review_due_idx"),
            # The home page's latest articles. published_at and live_version ride along so
            # SQLite's planner reads this index in order (and stops after a page) rather than
            # range-scanning article_status_published_idx and sorting every article.
            models.Index(
                fields=[
                    "language",
                    "status",
                    "-live_published_at",
                    "-id",
                    "published_at",
                    "live_version",
                ],
                name="article_language_listing_idx",
            ),
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
                | Q(**{f"{name}__isnull": False for name in PUBLISHED_REQUIRES}),
                name="article_published_is_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(last_reviewed_on__isnull=True)
                | Q(next_review_due__isnull=True)
                | Q(next_review_due__gt=models.F("last_reviewed_on")),
                name="article_next_review_after_last",
            ),
            review_interval_constraint("article_review_interval_range"),
            # One translation per language per source; that the source is in another
            # language and not itself a translation is checked by clean() (it spans rows).
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="article_one_translation_per_language",
                violation_error_message="This article already has a translation in that language.",
            ),
            models.CheckConstraint(
                condition=Q(translation_of__isnull=False) | Q(translated_from__isnull=True),
                name="article_translated_from_needs_source",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The address readers know, in the article's language: the published one, or the
        working copy's before the first publication."""
        with translation.override(self.language):
            return reverse("website:article", kwargs={"slug": self.live_slug or self.slug})

    @property
    def is_translation(self) -> bool:
        return self.translation_of_id is not None

    @property
    def translation_is_out_of_date(self) -> bool:
        """Its source has published content this translation's live version does not follow."""
        return self.source_changed_at is not None

    @property
    def shows_outdated_translation_notice(self) -> bool:
        """Out of date for longer than the grace period: the page tells readers so."""
        return self.source_changed_at is not None and (
            timezone.localdate(self.source_changed_at)
            + datetime.timedelta(days=settings.TRANSLATION_OUTDATED_GRACE_DAYS)
            < timezone.localdate()
        )

    @property
    def is_published(self):
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.live_version_id is not None
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def content_is_live(self) -> bool:
        """Whether readers see exactly the working copy's reviewed content: the article is
        published and its live version was frozen from content with the stored fingerprint."""
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.live_version_id is not None
            and self.live_version.content_fingerprint == self.content_fingerprint
        )

    @property
    def presentation_is_live(self) -> bool:
        """Whether readers see the working copy's PRESENTATION_FIELDS as they are."""
        return (
            self.live_version_id is not None
            and self.live_version.presentation_fingerprint == self.presentation_fingerprint
        )

    def missing_for_publication(self) -> list[str]:
        """The fields of PUBLISHED_REQUIRES this article has no value for."""
        return [
            name
            for name in PUBLISHED_REQUIRES
            if getattr(self, self._meta.get_field(name).attname) is None
        ]

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
        if self.slug:
            holder = Article.objects.exclude(pk=self.pk).filter(live_slug=self.slug).first()
            if holder is not None:
                errors["slug"] = (
                    f"“{self.slug}” is the address of the published article “{holder}”. "
                    "Choose another address."
                )
        errors.update(self._translation_errors())
        if self.hero_image and not self.hero_alt.strip():
            errors["hero_alt"] = (
                "Describe the hero image for readers who cannot see it, or remove the image."
            )
        if self.status == ArticleStatus.PUBLISHED:
            for field in self.missing_for_publication():
                errors[field] = f"A published article needs this. {PUBLISHED_REQUIRES[field]}"
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

    def _translation_errors(self) -> dict:
        """A translation's source is another article, in another language, that is not itself
        a translation; it follows one of its source's published versions."""
        source = self.translation_of
        if source is None:
            if self.translated_from_id is not None:
                return {"translated_from": "Only a translation follows a source's version."}
            return {}
        if self.pk and source.pk == self.pk:
            return {"translation_of": "An article cannot be a translation of itself."}
        if source.translation_of_id is not None:
            return {
                "translation_of": f"“{source}” is itself a translation (of "
                f"“{source.translation_of}”): choose the original article instead."
            }
        if source.language == self.language:
            return {
                "translation_of": f"“{source}” is in {source.get_language_display()} too; a "
                "translation is in another language. Change this article's language."
            }
        if self.pk and self.translations.exists():
            return {
                "translation_of": "Other articles are translations of this one, so it cannot "
                "be a translation itself."
            }
        if self.translated_from_id is None:
            self.translated_from_id = source.live_version_id
        elif self.translated_from.article_id != source.pk:
            return {
                "translated_from": f"Choose a published version of “{source}”, the article "
                "this one translates."
            }
        return {}

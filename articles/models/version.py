from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from taggit.models import Tag

from articles.models.article import VERSION_CONTENT_FIELDS, Article
from articles.models.category import Category
from articles.models.records import FinalRecord, FinalRecordQuerySet
from reviewers.models import Reviewer


class VersionKind(models.TextChoices):
    PUBLISHED = "published", "Published"
    REVIEWED_UNCHANGED = "reviewed_unchanged", "Reviewed, no changes"
    IMPORTED = "imported", "Imported"


class PublishedVersionQuerySet(FinalRecordQuerySet):
    def history(self):
        """Versions newest first, with their reviewers, without the content columns the
        history list never shows."""
        return self.select_related("reviewer").defer(*VERSION_CONTENT_FIELDS).order_by("-number")


class PublishedVersion(FinalRecord):
    """An immutable snapshot of approved content, as readers saw it from ``published_at``.
    Only what is derived from it again may change: its stored page and card, image
    renditions and sizes, and its search text and document."""

    DERIVED_FIELDS = frozenset(
        ["rendered_page", "rendered_card", "rendered_with", "hero_width", "hero_height",
         "hero_renditions", "search_document", "search_text"]
    )  # fmt: skip

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=VersionKind.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    author = models.CharField(max_length=200)
    language = models.CharField(max_length=16, default=settings.LANGUAGE_CODE)
    # For a translation's version: the source's published version it was translated from.
    source_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translated_versions",
    )
    # What readers see besides the reviewed content (Article's PRESENTATION_FIELDS), as it
    # was at publication: the page's address, topic, tags, hero image and sample notice.
    slug = models.SlugField(max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="published_versions"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="published_versions")
    hero_image = models.ImageField(upload_to="articles/hero/", blank=True, max_length=200)
    hero_width = models.PositiveIntegerField(null=True, blank=True)
    hero_height = models.PositiveIntegerField(null=True, blank=True)
    hero_renditions = models.JSONField(default=list, blank=True)
    hero_alt = models.CharField(max_length=250, blank=True)
    hero_credit = models.CharField(max_length=200, blank=True)
    is_sample = models.BooleanField(default=False)
    presentation_fingerprint = models.CharField(max_length=64, blank=True)
    body_html = models.TextField()
    outline = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    faqs = models.JSONField(default=list, blank=True)
    # The article page while this version is live, as website/stored_pages.py rendered it;
    # ``rendered_with`` says whether it is current (see stored_pages.rendering_fingerprint).
    rendered_page = models.TextField(blank=True, editable=False)
    # Its card in listings (topic, tag, reviewer, home and search pages), rendered and stored
    # with the page, current with it (website/stored_pages.py).
    # Nullable, so adding the column needs no table rebuild.
    rendered_card = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    rendered_with = models.CharField(max_length=64, blank=True, editable=False)
    # On PostgreSQL, the weighted full-text document of title, summary and search_text, kept
    # by a trigger (migration 0009) for website/search.py; unused (empty) elsewhere.
    search_document = SearchVectorField(null=True, editable=False)
    # The body's plain text and the FAQs' questions and answers, for search.
    search_text = models.TextField(blank=True, editable=False)
    content = models.JSONField(help_text="The reviewed source content, for diffs and audits.")
    content_fingerprint = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        Reviewer, on_delete=models.PROTECT, related_name="published_versions"
    )
    reviewed_on = models.DateField()
    change_summary = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
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

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("website:article", kwargs={"slug": self.slug})


class ArticleAddress(models.Model):
    """An address an article was published at before: it redirects to the article's
    current one."""

    slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_addresses")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "article addresses"

    def __str__(self):
        return f"{self.slug} → {self.article}"

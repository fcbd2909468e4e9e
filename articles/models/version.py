from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from articles.models.article import VERSION_CONTENT_FIELDS, Article
from reviewers.models import Reviewer


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
        Reviewer, on_delete=models.PROTECT, related_name="published_versions"
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

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models.article import Article
from articles.models.records import FinalRecord


class ArticleEvent(FinalRecord):
    """One line of an article's audit trail: who did what, when, and why. Never changed or
    deleted: an article with a trail cannot be deleted either (unpublish it instead)."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="article_event_recent_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

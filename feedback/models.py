"""Readers' answers to "Was this helpful?". The table keeps the name it had in articles."""

from django.db import models
from django.db.models.functions import Length
from django.utils import timezone

from articles.models import Article, PublishedVersion

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
        db_table = "articles_feedback"
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

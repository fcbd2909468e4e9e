from django.core.exceptions import ValidationError
from django.db import models

from articles.markdown import cited_keys
from articles.models.article import Article


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

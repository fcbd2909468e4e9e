from django.db import models
from django.urls import reverse

from articles.models.fields import review_interval_constraint, review_interval_field


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
        return reverse("website:category", kwargs={"slug": self.slug})

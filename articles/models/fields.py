"""Field types and validators the content models share."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from articles.review_schedule import MAX_REVIEW_INTERVAL_MONTHS


class HttpsURLField(models.URLField):
    """A URL field whose forms assume https:// when an editor leaves out the scheme."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


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

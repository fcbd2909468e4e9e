from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from articles.models.fields import HttpsURLField


class SourceType(models.TextChoices):
    PEER_REVIEWED_JOURNAL = "peer_reviewed_journal", _("Peer-reviewed journal")
    GOVERNMENT_AUTHORITY = "government_authority", _("Government authority")
    ACADEMIC_INSTITUTION = "academic_institution", _("Academic or research institution")
    RESPECTED_DATABASE = "respected_database", _("Respected database")
    MEDICAL_ASSOCIATION = "medical_association", _("Medical association")
    OTHER = "other", _("Other")

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


# The suggested trust labels, for the translation catalogue (locale/*/LC_MESSAGES/django.po).
_SUGGESTED_LABELS = (
    gettext_noop("Peer-reviewed journal"),
    gettext_noop("Governmental authority"),
    gettext_noop("Academic research institution"),
    gettext_noop("Highly respected database"),
    gettext_noop("Medical association"),
)


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

    def reader_trust_label(self) -> str:
        """The trust label in the active language: the catalogue's translation of it (the
        suggested labels and the demo's are there), else the label as the editor wrote it."""
        return gettext(self.trust_label) if self.trust_label else ""

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

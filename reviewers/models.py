"""The people who medically review articles. The review work is in editorial, the public
profile in website; this app imports none of ours but the shared image checks."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from images.checks import validate_image_upload


def new_calendar_token() -> str:
    """Migration 0004 made calendar secrets with this; they are editorial.CalendarLink now."""
    return secrets.token_urlsafe(32)


class ReviewerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Reviewer(models.Model):
    """A qualified person who medically reviews articles."""

    name = models.CharField(max_length=200, help_text="Full name as readers should see it.")
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Used in the profile's web address."
    )
    credentials = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "Post-nominals exactly as the reviewer uses them, e.g. "
            "“MD, FACP” or “D.Ac., M.S., L.Ac., Dipl. Ac., CYT”. Shown verbatim."
        ),
    )
    specialty = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True, help_text="A short biography shown on the profile page.")
    photo = models.ImageField(
        upload_to="reviewers/",
        blank=True,
        validators=[validate_image_upload],
        width_field="photo_width",
        height_field="photo_height",
        help_text="A head-and-shoulders portrait, square, at least 400 pixels across.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Resized copies of the photo that pages offer through srcset (made by
    # images.renditions.refresh_photo_renditions whenever the photo changes).
    photo_renditions = models.JSONField(default=list, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewer_profile",
        help_text="The admin account this reviewer signs in with, if any.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Inactive reviewers keep their profile and history but get no new reviews.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="reviewer_name_not_empty"),
        ]

    def __str__(self):
        return self.name_with_credentials

    def get_absolute_url(self):
        return reverse("website:reviewer", kwargs={"slug": self.slug})

    @property
    def email(self) -> str:
        """Where review emails go: the linked account's address while it is active, or ""."""
        user = self.user
        return user.email if user is not None and user.is_active else ""

    @property
    def name_with_credentials(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

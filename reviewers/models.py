import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from articles.images import validate_image_upload


def new_calendar_token() -> str:
    """A fresh secret for a reviewer's private calendar feed URL (256 bits)."""
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
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text="The secret in the reviewer's private calendar feed URL. Reset it to revoke "
        "the old URL.",
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
        return reverse("reviewers:profile", kwargs={"slug": self.slug})

    @property
    def email(self) -> str:
        """Where review emails go: the linked account's address while it is active, or ""."""
        user = self.user
        return user.email if user is not None and user.is_active else ""

    @property
    def name_with_credentials(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class ReviewStatus(models.TextChoices):
    OPEN = "open", "In review"
    DECIDED = "decided", "Decided"
    CANCELLED = "cancelled", "Cancelled"


class ReviewRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ReviewStatus.OPEN)

    def assigned_to(self, user):
        return self.filter(reviewer__user=user)


class ReviewRequest(models.Model):
    """An article assigned to a medical reviewer, with an optional due date."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="review_requests"
    )
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="review_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    due_on = models.DateField("due", null=True, blank=True)
    note = models.TextField(blank=True, help_text="What the reviewer should look at.")
    publish_on_approval = models.BooleanField(
        default=False,
        help_text="Publish the approved content as soon as the reviewer approves it.",
    )
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "review"
        permissions = [
            ("sign_off", "Can approve or request changes on reviews assigned to them"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(status="open"),
                name="review_request_one_open_per_article",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReviewStatus.values),
                name="review_request_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.article} → {self.reviewer.name}"

    @property
    def is_overdue(self):
        return (
            self.status == ReviewStatus.OPEN
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class SignOffQuerySet(models.QuerySet):
    def approvals(self):
        return self.filter(decision=Decision.APPROVED)


class SignOff(models.Model):
    """A reviewer's decision on a fingerprint of the exact content they reviewed."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="sign_offs"
    )
    review_request = models.OneToOneField(
        ReviewRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sign_off",
        help_text="Empty for imported approvals.",
    )
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="sign_offs")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision = models.CharField(max_length=24, choices=Decision.choices)
    notes = models.TextField(blank=True)
    checklist = models.JSONField(default=dict, blank=True)
    reviewed_on = models.DateField()
    content_fingerprint = models.CharField(max_length=64)
    content = models.JSONField(help_text="The content reviewed, for diffs and audits.")
    is_imported = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        verbose_name = "sign-off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=Decision.values), name="sign_off_decision_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="changes_requested") | ~models.Q(notes=""),
                name="sign_off_changes_requested_has_notes",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.reviewer.name} on {self.reviewed_on}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon"
    DUE_TODAY = "due_today", "Due today"
    OVERDUE = "overdue", "Overdue (to the editors)"


class ReviewReminder(models.Model):
    """One reminder about a review's due date, recorded when it is sent so it is sent once."""

    review_request = models.ForeignKey(
        ReviewRequest, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.TextField(
        blank=True, help_text="Email addresses, comma-separated; empty when nobody had one."
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review_request", "kind"], name="review_reminder_once_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReminderKind.values), name="review_reminder_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder for {self.review_request}"

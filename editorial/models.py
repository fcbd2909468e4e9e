"""The review work: an article assigned to a medical reviewer (ReviewRequest), the
reviewer's decision on a fingerprint of the content (SignOff), and reminders sent about
due dates. The tables keep the names they had in the reviewers app."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef
from django.utils import timezone

from articles.models import Article
from articles.models.records import FinalRecord, FinalRecordQuerySet
from reviewers.models import Reviewer


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

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="review_requests")
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
        db_table = "reviewers_reviewrequest"
        ordering = ["-created_at", "-pk"]
        verbose_name = "review"
        permissions = [
            ("sign_off", "Can approve or request changes on reviews assigned to them"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(status=ReviewStatus.OPEN),
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


class SignOffQuerySet(FinalRecordQuerySet):
    def approvals(self):
        return self.filter(decision=Decision.APPROVED)

    def on_content(self, *, article=None, fingerprint=None):
        """Decisions on exactly this content of the article, latest first: the first one
        decides whether the content is approved. Without arguments, for a subquery over
        articles, matching each article's stored fingerprint."""
        if article is None:
            article, fingerprint = OuterRef("pk"), OuterRef("content_fingerprint")
        return self.filter(article=article, content_fingerprint=fingerprint).order_by(
            "-created_at", "-pk"
        )


class ConfirmationMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    AUTHENTICATOR = "authenticator", "Authenticator app code"


class SignOff(FinalRecord):
    """A reviewer's decision on a fingerprint of the exact content they reviewed, signed:
    the statement they affirmed, and how and when they confirmed who they are
    (editorial.signatures). Never changed or deleted."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="sign_offs")
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
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decision = models.CharField(max_length=24, choices=Decision.choices)
    notes = models.TextField(blank=True)
    checklist = models.JSONField(default=dict, blank=True)
    reviewed_on = models.DateField()
    content_fingerprint = models.CharField(max_length=64)
    content = models.JSONField(help_text="The content reviewed, for diffs and audits.")
    is_imported = models.BooleanField(default=False)
    statement = models.TextField(
        blank=True, help_text="What the reviewer affirmed they reviewed. Empty for imports."
    )
    confirmation_method = models.CharField(
        max_length=16, choices=ConfirmationMethod.choices, blank=True
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the reviewer confirmed who they are."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        db_table = "reviewers_signoff"
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        verbose_name = "sign-off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=Decision.values), name="sign_off_decision_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision=Decision.CHANGES_REQUESTED) | ~models.Q(notes=""),
                name="sign_off_changes_requested_has_notes",
            ),
            # Decisions recorded before signatures, and imported ones, have no method.
            models.CheckConstraint(
                condition=models.Q(confirmation_method="")
                | (
                    models.Q(confirmation_method__in=ConfirmationMethod.values)
                    & ~models.Q(statement="")
                    & models.Q(confirmed_at__isnull=False)
                ),
                name="sign_off_signature_complete",
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
        db_table = "reviewers_reviewreminder"
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


class CalendarLink(models.Model):
    """A reviewer's private calendar feed address. Only a hash of its secret is kept: the
    address is shown once, to whoever makes it (editorial.calendar_feed)."""

    reviewer = models.OneToOneField(
        Reviewer, on_delete=models.CASCADE, related_name="calendar_link"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("made", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self):
        return f"Calendar link of {self.reviewer.name}"


class ArticleReviewReminder(models.Model):
    """One reminder that an article's next review date is near, here or past, whether or
    not anyone has been asked to review it. Recorded when sent, so it is sent once per due
    date: when the date moves (a new review, an editor's date) the reminders start again."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_reminders")
    due_on = models.DateField("review due")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.TextField(
        blank=True, help_text="Email addresses, comma-separated; empty when nobody had one."
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "review date reminder"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "due_on", "kind"],
                name="article_review_reminder_once_per_due_date",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReminderKind.values),
                name="article_review_reminder_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder for {self.article} (due {self.due_on})"


class ReviewDigest(models.Model):
    """The editors' weekly digest, recorded per week (its Monday) so it is sent once."""

    week_of = models.DateField(unique=True, help_text="The Monday of the week it covers.")
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.TextField(blank=True)

    class Meta:
        ordering = ["-week_of"]
        verbose_name = "review digest"

    def __str__(self):
        return f"Review digest for the week of {self.week_of}"

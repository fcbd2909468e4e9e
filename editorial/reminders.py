"""Reminders about review due dates, sent by ``manage.py send_review_reminders``.

For each open review with a due date there are three reminders, each sent at most once:

- ``due_soon``: to the reviewer, when the due date is at most REVIEW_REMINDER_DAYS_BEFORE
  days away;
- ``due_today``: to the reviewer, on the due date;
- ``overdue``: to the editors and whoever asked for the review, once the date has passed.

Only the reminder that applies on the day of the run is considered: a run that starts late
(the first one after the due date, say) sends the overdue notice and never the stale ones.
Each reminder is recorded as a ReviewReminder, so running the command again, hourly from
cron, sends nothing twice.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from editorial.models import ReminderKind, ReviewReminder, ReviewRequest, ReviewStatus

logger = logging.getLogger(__name__)

EDITOR_GROUP = "Editor"


@dataclass
class Reminder:
    """A reminder that applies now: who gets it, the email, and what went wrong, if anything."""

    review_request: ReviewRequest
    kind: ReminderKind
    recipients: list[str]
    subject: str
    body: str
    problem: str = ""  # someone who should have been emailed could not be, and why
    error: str = ""  # the mail server refused the email; the next run tries again


def reminder_kind(*, due_on: datetime.date, today: datetime.date) -> ReminderKind | None:
    """The one reminder that applies on ``today`` to a review due on ``due_on``, if any."""
    days_left = (due_on - today).days
    if days_left < 0:
        return ReminderKind.OVERDUE
    if days_left == 0:
        return ReminderKind.DUE_TODAY
    if days_left <= settings.REVIEW_REMINDER_DAYS_BEFORE:
        return ReminderKind.DUE_SOON
    return None


def send_review_reminders(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> list[Reminder]:
    """Send every reminder that applies today and has not been sent; return them.

    With ``dry_run`` nothing is sent or recorded: the list says what would be sent.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(settings.REVIEW_REMINDER_DAYS_BEFORE, 0))
    candidates = (
        ReviewRequest.objects.open()
        .filter(due_on__isnull=False, due_on__lte=horizon)
        .select_related("article", "reviewer__user", "requested_by")
        .prefetch_related("reminders")
        .order_by("due_on", "pk")
    )
    reminders = []
    for review_request in candidates:
        kind = reminder_kind(due_on=review_request.due_on, today=today)
        if kind is None or any(sent.kind == kind for sent in review_request.reminders.all()):
            continue
        reminder = _compose(review_request, kind, today)
        if dry_run or _record_and_send(reminder):
            reminders.append(reminder)
    return reminders


def _record_and_send(reminder: Reminder) -> bool:
    """Record the reminder and send its email once the record is committed.

    The record is committed first and the email goes out after (on_commit), so a crash
    between the two can lose that one email but never send it twice: the next run finds the
    record and skips it. Sending first and recording after could send it again on every run
    that crashed. When the mail server refuses the email we know it was not sent, so the
    record is deleted and the next run tries again. The lock on the review and the unique
    constraint keep two overlapping runs from both sending, and a review decided or
    cancelled meanwhile from being reminded about.
    """
    review_request = reminder.review_request
    with transaction.atomic():
        still_due = (
            ReviewRequest.objects.select_for_update()
            .filter(pk=review_request.pk, status=ReviewStatus.OPEN, due_on=review_request.due_on)
            .values_list("pk", flat=True)
            .first()
        )
        if still_due is None:
            return False
        try:
            with transaction.atomic():
                record = ReviewReminder.objects.create(
                    review_request=review_request,
                    kind=reminder.kind,
                    recipients=", ".join(reminder.recipients),
                )
        except IntegrityError:
            return False  # another run has just sent it
        if reminder.recipients:
            transaction.on_commit(lambda: _deliver(reminder, record_pk=record.pk))
    return True


def _deliver(reminder: Reminder, *, record_pk: int) -> None:
    try:
        send_mail(
            subject=reminder.subject,
            message=reminder.body,
            from_email=None,
            recipient_list=reminder.recipients,
        )
    except Exception as error:
        logger.exception(
            "Could not send the %s reminder for review %s",
            reminder.kind,
            reminder.review_request.pk,
        )
        ReviewReminder.objects.filter(pk=record_pk).delete()
        reminder.error = str(error) or error.__class__.__name__


def _compose(review_request: ReviewRequest, kind: ReminderKind, today: datetime.date) -> Reminder:
    reviewer = review_request.reviewer
    reviewer_email = reviewer.email
    no_email = (
        f"{reviewer.name} has no email address: link an active admin account with an email "
        "address to their reviewer profile"
        if not reviewer_email
        else ""
    )
    if kind == ReminderKind.OVERDUE:
        recipients = escalation_recipients(review_request)
        problems = [f"{no_email}, so they have had no reminders"] if no_email else []
        if not recipients:
            problems.append("no active editor (or the requester) has an email address")
        subject, body = _overdue_email(review_request, today, reviewer_emailed=bool(reviewer_email))
        return Reminder(review_request, kind, recipients, subject, body, "; ".join(problems))
    subject, body = _reviewer_email(review_request, kind, today)
    recipients = [reviewer_email] if reviewer_email else []
    return Reminder(review_request, kind, recipients, subject, body, no_email)


def escalation_recipients(review_request: ReviewRequest) -> list[str]:
    """Active users in the Editor group with an email address, and whoever asked for the
    review, once each."""
    emails = editor_emails()
    requester = review_request.requested_by
    if requester is not None and requester.is_active and requester.email:
        emails.append(requester.email)
    return unique_emails(emails)


def editor_emails() -> list[str]:
    """Active users in the Editor group with an email address."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=EDITOR_GROUP)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def unique_emails(emails) -> list[str]:
    """The addresses once each (ignoring case), in their first order."""
    unique = {}
    for email in emails:
        unique.setdefault(email.lower(), email)
    return list(unique.values())


def absolute(path: str) -> str:
    """A link for an email: commands have no request, so the site's address is a setting."""
    return f"{settings.SITE_URL}{path}"


def admin_path(review_request: ReviewRequest) -> str:
    return reverse("admin:editorial_reviewrequest_review", args=[review_request.pk])


def long_date(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _note(review_request: ReviewRequest, heading: str) -> str:
    note = review_request.note.strip()
    return f"{heading}:\n{note}\n\n" if note else ""


def _reviewer_email(
    review_request: ReviewRequest, kind: ReminderKind, today: datetime.date
) -> tuple[str, str]:
    title = review_request.article.title
    due_on = review_request.due_on
    days_left = (due_on - today).days
    if kind == ReminderKind.DUE_TODAY:
        subject = f"Review due today: {title}"
        when = f"is due today, {long_date(due_on)}"
        closing = (
            "If you can't finish it today, please let the editors know, so they can plan "
            "around it. A short note is plenty."
        )
    else:
        in_days = "tomorrow" if days_left == 1 else f"in {days_left} days"
        subject = f"Review due {in_days}: {title}"
        when = f"is due on {long_date(due_on)}, {in_days}"
        closing = (
            "If you need more time, please let the editors know; they would much rather hear early."
        )
    body = (
        f"Hello {review_request.reviewer.name},\n\n"
        f"A friendly reminder: your medical review of “{title}” {when}.\n\n"
        f"{_note(review_request, 'The note that came with it')}"
        "You can open it in the admin under “My reviews”, or at:\n"
        f"{absolute(admin_path(review_request))}\n\n"
        f"{closing}\n\n"
        f"Thank you for your help,\n{settings.SITE_NAME}\n"
    )
    return subject, body


def _overdue_email(
    review_request: ReviewRequest, today: datetime.date, *, reviewer_emailed: bool
) -> tuple[str, str]:
    title = review_request.article.title
    reviewer = review_request.reviewer
    overdue = _days((today - review_request.due_on).days)
    reminders = (
        ""
        if reviewer_emailed
        else f" {reviewer.name} has no email address in the admin, so they have had no "
        "reminders from us."
    )
    subject = f"Review overdue by {overdue}: {title}"
    body = (
        "Hello,\n\n"
        f"The medical review of “{title}” by {reviewer.name_with_credentials} was due on "
        f"{long_date(review_request.due_on)} and is now {overdue} overdue.{reminders}\n\n"
        f"{_note(review_request, 'The note sent with the request')}"
        "You may want to check in with them, or cancel the review and submit the article to "
        "another reviewer.\n\n"
        f"Open the review in the admin:\n{absolute(admin_path(review_request))}\n\n"
        "You are receiving this because you are an editor or asked for this review. This is "
        "the only email about it being overdue.\n\n"
        f"{settings.SITE_NAME}\n"
    )
    return subject, body

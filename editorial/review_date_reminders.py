"""Reminders from each published article's own next review date, and the editors' weekly
digest; sent by ``manage.py send_review_reminders`` (``--digest`` for the digest).

Reminders of open reviews (``editorial.reminders``) follow a review someone asked for. These
follow the article: its next review date comes whether or not anyone has asked for a review,
so nothing goes stale unseen. For a published article with no open review, three reminders,
each sent once per due date (a new review date starts them again):

- ``due_soon``, REVIEW_REMINDER_DAYS_BEFORE days before, and ``due_today``, on the day: to the
  article's last reviewer while they are active and have an email address, else the editors;
- ``overdue``, once the date has passed: to the editors, and the last reviewer if active.

As with review reminders, only the one that applies on the day of the run is sent, and each
is recorded (``ArticleReviewReminder``) before its email goes, so no run sends one twice.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.review_schedule import REVIEW_DUE_SOON_DAYS
from editorial.models import (
    ArticleReviewReminder,
    ReminderKind,
    ReviewDigest,
    ReviewRequest,
)
from editorial.reminders import (
    absolute,
    editor_emails,
    long_date,
    reminder_kind,
    unique_emails,
)

logger = logging.getLogger(__name__)


@dataclass
class ReviewDateReminder:
    """A reminder about an article's review date: who gets it, the email, what went wrong."""

    article: Article
    due_on: datetime.date
    kind: ReminderKind
    recipients: list[str]
    subject: str
    body: str
    problem: str = ""  # nobody could be emailed, and why
    error: str = ""  # the mail server refused the email; the next run tries again


def _without_open_review(articles):
    return articles.annotate(
        _in_review=Exists(ReviewRequest.objects.open().filter(article=OuterRef("pk")))
    ).filter(_in_review=False)


def send_review_date_reminders(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> list[ReviewDateReminder]:
    """Send every review-date reminder that applies today and has not been sent; return them.

    With ``dry_run`` nothing is sent or recorded: the list says what would be sent.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(settings.REVIEW_REMINDER_DAYS_BEFORE, 0))
    candidates = list(
        _without_open_review(Article.objects.published())
        .filter(next_review_due__isnull=False, next_review_due__lte=horizon)
        .select_related("reviewer__user")
        .order_by("next_review_due", "pk")
    )
    already_sent = set(
        ArticleReviewReminder.objects.filter(article__in=candidates).values_list(
            "article_id", "due_on", "kind"
        )
    )
    editors = None
    reminders = []
    for article in candidates:
        due_on = article.next_review_due
        kind = reminder_kind(due_on=due_on, today=today)
        if kind is None or (article.pk, due_on, kind) in already_sent:
            continue
        if editors is None:
            editors = editor_emails()
        reminder = _compose(article, kind, today, editors)
        if dry_run or _record_and_send(reminder):
            reminders.append(reminder)
    return reminders


def _reviewer_email(article: Article) -> str:
    reviewer = article.reviewer
    return reviewer.email if reviewer is not None and reviewer.is_active else ""


def _compose(
    article: Article, kind: ReminderKind, today: datetime.date, editors: list[str]
) -> ReviewDateReminder:
    reviewer_email = _reviewer_email(article)
    if kind == ReminderKind.OVERDUE:
        recipients = unique_emails(([reviewer_email] if reviewer_email else []) + editors)
        subject, body = _overdue_email(article, today)
    elif reviewer_email:
        recipients = [reviewer_email]
        subject, body = _coming_email(article, today, to_reviewer=True)
    else:
        recipients = editors
        subject, body = _coming_email(article, today, to_reviewer=False)
    problem = "" if recipients else "no active editor has an email address"
    return ReviewDateReminder(
        article, article.next_review_due, kind, recipients, subject, body, problem
    )


def _record_and_send(reminder: ReviewDateReminder) -> bool:
    """Record the reminder, then send it once the record is committed (as
    ``editorial.reminders`` does, for the same reasons): a crash can lose one email but never
    send it twice; a refused email deletes the record so the next run tries again. The row
    lock and the unique constraint keep overlapping runs from both sending, and an article
    whose date moved or that went into review meanwhile from being reminded about."""
    with transaction.atomic():
        still_due = (
            _without_open_review(Article.objects.select_for_update(of=("self",)))
            .filter(pk=reminder.article.pk, next_review_due=reminder.due_on)
            .values_list("pk", flat=True)
            .first()
        )
        if still_due is None:
            return False
        try:
            with transaction.atomic():
                record = ArticleReviewReminder.objects.create(
                    article=reminder.article,
                    due_on=reminder.due_on,
                    kind=reminder.kind,
                    recipients=", ".join(reminder.recipients),
                )
        except IntegrityError:
            return False  # another run has just sent it
        if reminder.recipients:
            transaction.on_commit(lambda: _deliver(reminder, record_pk=record.pk))
    return True


def _deliver(reminder: ReviewDateReminder, *, record_pk: int) -> None:
    try:
        send_mail(
            subject=reminder.subject,
            message=reminder.body,
            from_email=None,
            recipient_list=reminder.recipients,
        )
    except Exception as error:
        logger.exception(
            "Could not send the %s review-date reminder for article %s",
            reminder.kind,
            reminder.article.pk,
        )
        ArticleReviewReminder.objects.filter(pk=record_pk).delete()
        reminder.error = str(error) or error.__class__.__name__


def article_admin_url(article: Article) -> str:
    return absolute(reverse("admin:articles_article_change", args=[article.pk]))


def _last_review(article: Article) -> str:
    if article.last_reviewed_on is None:
        return ""
    by = f" by {article.reviewer.name_with_credentials}" if article.reviewer else ""
    return f" It was last reviewed{by} on {long_date(article.last_reviewed_on)}."


def _coming_email(article: Article, today: datetime.date, *, to_reviewer: bool) -> tuple[str, str]:
    due_on = article.next_review_due
    days_left = (due_on - today).days
    if days_left == 0:
        subject = f"Next review due today: {article.title}"
        when = f"is due for its next medical review today, {long_date(due_on)}"
    else:
        in_days = "tomorrow" if days_left == 1 else f"in {days_left} days"
        subject = f"Next review due {in_days}: {article.title}"
        when = f"is due for its next medical review on {long_date(due_on)}, {in_days}"
    if to_reviewer:
        greeting = f"Hello {article.reviewer.name},\n\n"
        ask = (
            "You reviewed it last time, so the editors will probably ask you again. If you "
            "already know of anything that has changed (new guidance, a withdrawn source), or "
            "you can't take it on, please tell them; they would much rather hear early.\n\n"
        )
    else:
        greeting = "Hello,\n\n"
        reason = (
            f" Its last reviewer, {article.reviewer.name}, is no longer active or has no email "
            "address, so this comes to the editors."
            if article.reviewer
            else ""
        )
        ask = (
            f"Nobody has been asked to review it yet.{reason} Submit it for review from its "
            "admin page:\n"
            f"{article_admin_url(article)}\n\n"
        )
    body = (
        f"{greeting}The published article “{article.title}” {when}.{_last_review(article)}\n\n"
        f"{ask}"
        f"Readers see it at:\n{absolute(article.get_absolute_url())}\n\n"
        f"{settings.SITE_NAME}\n"
    )
    return subject, body


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _overdue_email(article: Article, today: datetime.date) -> tuple[str, str]:
    overdue = _days((today - article.next_review_due).days)
    subject = f"Next review overdue by {overdue}: {article.title}"
    body = (
        "Hello,\n\n"
        f"The published article “{article.title}” was due for its next medical review on "
        f"{long_date(article.next_review_due)} and is now {overdue} overdue, with no review "
        f"under way.{_last_review(article)} After {settings.REVIEW_OVERDUE_GRACE_DAYS} days "
        "overdue its page tells readers it is being reviewed.\n\n"
        "Submit it for review, or set a later review date if it is still current, from its "
        f"admin page:\n{article_admin_url(article)}\n\n"
        "You are receiving this because you are an editor or its last reviewer. This is the "
        "only email about it being overdue until its review date changes.\n\n"
        f"{settings.SITE_NAME}\n"
    )
    return subject, body


# The weekly digest ---------------------------------------------------------------------------


@dataclass
class ReviewDigestEmail:
    week_of: datetime.date
    recipients: list[str]
    subject: str
    body: str
    due_soon: list[Article] = field(default_factory=list)
    overdue: list[Article] = field(default_factory=list)
    problem: str = ""
    error: str = ""


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the day's week."""
    return day - datetime.timedelta(days=day.weekday())


def review_digest(*, today: datetime.date) -> ReviewDigestEmail:
    """The editors' digest for today's week: published articles falling due in the next
    REVIEW_DUE_SOON_DAYS days that nobody has been asked to review, and every overdue one."""
    published = Article.objects.published().select_related("reviewer")
    soon = today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)
    due_soon = list(
        _without_open_review(published)
        .filter(next_review_due__gte=today, next_review_due__lte=soon)
        .order_by("next_review_due", "pk")
    )
    overdue = list(
        published.filter(next_review_due__lt=today)
        .prefetch_related(_open_reviews())
        .order_by("next_review_due", "pk")
    )
    recipients = editor_emails()
    subject = (
        f"Reviews this week: {len(overdue)} overdue, {len(due_soon)} due within "
        f"{REVIEW_DUE_SOON_DAYS} days with no review asked for"
    )
    return ReviewDigestEmail(
        week_of=week_of(today),
        recipients=recipients,
        subject=subject,
        body=_digest_body(today, due_soon, overdue),
        due_soon=due_soon,
        overdue=overdue,
        problem="" if recipients else "no active editor has an email address",
    )


def _open_reviews():
    return Prefetch(
        "review_requests",
        queryset=ReviewRequest.objects.open().select_related("reviewer"),
        to_attr="open_reviews",
    )


def _digest_body(today: datetime.date, due_soon: list[Article], overdue: list[Article]) -> str:
    lines = ["Hello,", "", f"Where the published articles' reviews stand on {long_date(today)}."]
    lines += ["", f"OVERDUE ({len(overdue)})", ""]
    for article in overdue:
        review = article.open_reviews[0] if article.open_reviews else None
        state = (
            f"in review with {review.reviewer.name}"
            + (f", due {long_date(review.due_on)}" if review.due_on else "")
            if review
            else "no review asked for"
        )
        lines += [
            f"- {article.title}: due {long_date(article.next_review_due)}, "
            f"{_days((today - article.next_review_due).days)} ago; {state}",
            f"  {article_admin_url(article)}",
        ]
    if not overdue:
        lines.append("Nothing is overdue.")
    lines += [
        "",
        f"DUE IN THE NEXT {REVIEW_DUE_SOON_DAYS} DAYS, NO REVIEW ASKED FOR ({len(due_soon)})",
        "",
    ]
    for article in due_soon:
        last = f"; last reviewer {article.reviewer.name}" if article.reviewer else ""
        lines += [
            f"- {article.title}: due {long_date(article.next_review_due)}{last}",
            f"  {article_admin_url(article)}",
        ]
    if not due_soon:
        lines.append("Nothing falls due without a review already asked for.")
    lines += [
        "",
        f"The review dashboard: {absolute(reverse('admin:editorial_review_dashboard'))}",
        "",
        settings.SITE_NAME,
    ]
    return "\n".join(lines) + "\n"


def send_review_digest(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> ReviewDigestEmail | None:
    """Send this week's digest to the editors unless it has been sent; return it, or None
    when it was already sent this week."""
    today = today or timezone.localdate()
    digest = review_digest(today=today)
    if ReviewDigest.objects.filter(week_of=digest.week_of).exists():
        return None
    if dry_run:
        return digest
    try:
        with transaction.atomic():
            record = ReviewDigest.objects.create(
                week_of=digest.week_of, recipients=", ".join(digest.recipients)
            )
    except IntegrityError:
        return None  # another run has just sent it
    if digest.recipients:
        try:
            send_mail(
                subject=digest.subject,
                message=digest.body,
                from_email=None,
                recipient_list=digest.recipients,
            )
        except Exception as error:
            logger.exception("Could not send the review digest for the week of %s", digest.week_of)
            record.delete()
            digest.error = str(error) or error.__class__.__name__
    return digest

"""send_review_reminders: before, on and after the due date, each reminder once."""

import datetime
import smtplib
import threading
from io import StringIO

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import IntegrityError, connection, connections
from django.utils import timezone

from editorial.models import ReminderKind, ReviewReminder, ReviewStatus
from editorial.reminders import long_date, send_review_reminders
from tests.factories import (
    ReviewerFactory,
    ReviewRequestFactory,
    UserFactory,
    reviewer_with_account,
    role_user,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)  # a Tuesday


def days(count):
    return datetime.timedelta(days=count)


@pytest.fixture
def people():
    return {
        "reviewer": reviewer_with_account(name="Dr Rita Osei", credentials="MBChB"),
        "writer": role_user("Writer", username="wendy", email="wendy@example.org"),
        "editors": [
            role_user("Editor", username="eddie", email="eddie@example.org"),
            role_user("Editor", username="anna", email="anna@example.org"),
        ],
    }


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the reminders as cron would on a given day, sending what is committed."""

    def run(today=TODAY, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return send_review_reminders(today=today, **options)

    return run


def review_due(people, due_on, **kwargs):
    kwargs.setdefault("reviewer", people["reviewer"])
    kwargs.setdefault("requested_by", people["writer"])
    return ReviewRequestFactory(due_on=due_on, **kwargs)


def sent(mailoutbox):
    return [(message.to, message.subject) for message in mailoutbox]


# When each reminder goes ---------------------------------------------------------------------


def test_nothing_is_sent_before_the_window_opens(people, run, mailoutbox):
    review_due(people, TODAY + days(8))
    review_due(people, None)

    assert run() == []
    assert mailoutbox == []
    assert not ReviewReminder.objects.exists()


def test_the_reviewer_is_reminded_when_the_due_date_is_a_week_away(people, run, mailoutbox):
    review = review_due(people, TODAY + days(7), note="Check the new dosage table.")
    reviewer_email = people["reviewer"].user.email

    reminders = run()

    assert [r.kind for r in reminders] == [ReminderKind.DUE_SOON]
    assert sent(mailoutbox) == [([reviewer_email], f"Review due in 7 days: {review.article.title}")]
    body = mailoutbox[0].body
    assert body.startswith("Hello Dr Rita Osei,\n\n")
    assert f"your medical review of “{review.article.title}” is due on Tuesday 17 March 2026" in (
        body
    )
    assert "Check the new dosage table." in body
    assert f"/admin/editorial/reviewrequest/{review.pk}/review/" in body
    record = ReviewReminder.objects.get()
    assert (record.review_request, record.kind, record.recipients) == (
        review,
        ReminderKind.DUE_SOON,
        reviewer_email,
    )


def test_tomorrow_is_said_as_tomorrow(people, run, mailoutbox):
    review = review_due(people, TODAY + days(1))

    run()

    assert mailoutbox[0].subject == f"Review due tomorrow: {review.article.title}"


def test_the_reviewer_is_reminded_on_the_due_date(people, run, mailoutbox):
    review = review_due(people, TODAY)

    run()

    assert sent(mailoutbox) == [
        ([people["reviewer"].user.email], f"Review due today: {review.article.title}")
    ]
    assert "is due today, Tuesday 10 March 2026" in mailoutbox[0].body


def test_an_overdue_review_is_escalated_to_the_editors_and_the_requester(people, run, mailoutbox):
    role_user("Editor", username="gone", email="gone@example.org", is_active=False)
    role_user("Editor", username="no-email", email="")
    role_user("Writer", username="other-writer", email="other@example.org")
    review = review_due(people, TODAY - days(3), note="Focus on the FAQs.")

    reminders = run()

    assert [r.kind for r in reminders] == [ReminderKind.OVERDUE]
    assert sent(mailoutbox) == [
        (
            ["anna@example.org", "eddie@example.org", "wendy@example.org"],
            f"Review overdue by 3 days: {review.article.title}",
        )
    ]
    body = mailoutbox[0].body
    assert f"The medical review of “{review.article.title}” by Dr Rita Osei, MBChB" in body
    assert "was due on Saturday 7 March 2026 and is now 3 days overdue." in body
    assert "Focus on the FAQs." in body
    assert f"/admin/editorial/reviewrequest/{review.pk}/review/" in body
    assert "no email address" not in body
    assert ReviewReminder.objects.get().recipients == (
        "anna@example.org, eddie@example.org, wendy@example.org"
    )


def test_an_editor_who_asked_for_the_review_is_emailed_once(people, run, mailoutbox):
    review_due(people, TODAY - days(1), requested_by=people["editors"][0])

    run()

    assert mailoutbox[0].to == ["anna@example.org", "eddie@example.org"]
    assert "overdue by 1 day:" in mailoutbox[0].subject


def test_the_window_follows_the_setting(people, run, mailoutbox, settings):
    settings.REVIEW_REMINDER_DAYS_BEFORE = 3
    review_due(people, TODAY + days(4))
    soon = review_due(people, TODAY + days(3))

    run()

    assert [m.subject for m in mailoutbox] == [f"Review due in 3 days: {soon.article.title}"]


# Once each, and only what applies now ----------------------------------------------------------


def test_running_twice_sends_each_email_once(people, run, mailoutbox):
    soon = review_due(people, TODAY + days(2))
    today = review_due(people, TODAY)
    late = review_due(people, TODAY - days(10))

    first = run()
    second = run()

    assert len(first) == 3
    assert second == []
    reviewer_email = people["reviewer"].user.email
    assert sorted(sent(mailoutbox)) == sorted(
        [
            ([reviewer_email], f"Review due in 2 days: {soon.article.title}"),
            ([reviewer_email], f"Review due today: {today.article.title}"),
            (
                ["anna@example.org", "eddie@example.org", "wendy@example.org"],
                f"Review overdue by 10 days: {late.article.title}",
            ),
        ]
    )
    assert ReviewReminder.objects.count() == 3


def test_hourly_runs_over_a_review_s_life_send_each_reminder_once(people, run, mailoutbox):
    review = review_due(people, TODAY + days(5))
    title = review.article.title

    for day in [TODAY - days(1)] + [TODAY + days(n) for n in range(8)]:
        for _hour in range(3):
            run(today=day)

    assert sent(mailoutbox) == [
        ([people["reviewer"].user.email], f"Review due in 6 days: {title}"),
        ([people["reviewer"].user.email], f"Review due today: {title}"),
        (
            ["anna@example.org", "eddie@example.org", "wendy@example.org"],
            f"Review overdue by 1 day: {title}",
        ),
    ]


def test_a_first_run_after_the_due_date_sends_only_the_overdue_notice(people, run, mailoutbox):
    review_due(people, TODAY - days(2))

    run()

    assert [r.kind for r in ReviewReminder.objects.all()] == [ReminderKind.OVERDUE]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Review overdue by 2 days:")


def test_a_first_run_on_the_due_date_skips_the_due_soon_reminder(people, run, mailoutbox):
    review_due(people, TODAY)

    run()
    run(today=TODAY + days(1))

    kinds = sorted(ReviewReminder.objects.values_list("kind", flat=True))
    assert kinds == [ReminderKind.DUE_TODAY, ReminderKind.OVERDUE]
    assert [m.subject.split(":")[0] for m in mailoutbox] == [
        "Review due today",
        "Review overdue by 1 day",
    ]


def test_decided_cancelled_and_undated_reviews_get_no_reminders(people, run, mailoutbox):
    for status in (ReviewStatus.DECIDED, ReviewStatus.CANCELLED):
        for due_on in (TODAY + days(2), TODAY, TODAY - days(2)):
            review_due(people, due_on, status=status)
    review_due(people, None)

    assert run() == []
    assert mailoutbox == []
    assert not ReviewReminder.objects.exists()


def test_the_database_refuses_a_second_reminder_of_the_same_kind(people):
    review = review_due(people, TODAY)
    ReviewReminder.objects.create(review_request=review, kind=ReminderKind.DUE_TODAY)

    with pytest.raises(IntegrityError):
        ReviewReminder.objects.create(review_request=review, kind=ReminderKind.DUE_TODAY)


# Sending safely -------------------------------------------------------------------------------


def test_the_email_goes_only_once_the_record_is_committed(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    review_due(people, TODAY)

    with django_capture_on_commit_callbacks() as callbacks:
        send_review_reminders(today=TODAY)
        assert ReviewReminder.objects.count() == 1
        assert mailoutbox == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_an_email_the_server_refused_is_tried_again_on_the_next_run(
    people, run, mailoutbox, settings
):
    review_due(people, TODAY)
    settings.EMAIL_BACKEND = "tests.editorial.test_reminders.RefusingBackend"

    [failed] = run()

    assert failed.error == "Connection unexpectedly closed"
    assert not ReviewReminder.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [retried] = run()
    assert retried.error == ""
    assert len(mailoutbox) == 1
    assert ReviewReminder.objects.count() == 1


def test_dry_run_sends_and_records_nothing(people, run, mailoutbox):
    review_due(people, TODAY + days(3))
    review_due(people, TODAY - days(3))

    reminders = run(dry_run=True)

    assert sorted(r.kind for r in reminders) == [ReminderKind.DUE_SOON, ReminderKind.OVERDUE]
    assert all(r.subject and r.body and r.recipients for r in reminders)
    assert mailoutbox == []
    assert not ReviewReminder.objects.exists()
    assert len(run()) == 2  # the real run still sends both
    assert len(mailoutbox) == 2


# A reviewer without an email address --------------------------------------------------------


def test_a_reviewer_without_an_email_is_not_emailed_and_the_reminder_says_why(
    people, run, mailoutbox
):
    no_account = ReviewerFactory(name="Dr No Account")
    blank = ReviewerFactory(name="Dr Blank Email", user=UserFactory(email=""))
    left = ReviewerFactory(name="Dr Has Left", user=UserFactory(is_active=False))
    review_due(people, TODAY + days(2), reviewer=no_account)
    review_due(people, TODAY, reviewer=blank)
    review_due(people, TODAY + days(1), reviewer=left)

    reminders = run()

    assert mailoutbox == []
    assert [(r.recipients, r.problem.split(":")[0]) for r in reminders] == [
        ([], "Dr Blank Email has no email address"),
        ([], "Dr Has Left has no email address"),
        ([], "Dr No Account has no email address"),
    ]
    assert set(ReviewReminder.objects.values_list("recipients", flat=True)) == {""}
    assert run() == []  # said once, not every hour


def test_an_overdue_review_is_escalated_even_when_the_reviewer_has_no_email(
    people, run, mailoutbox
):
    review_due(people, TODAY - days(4), reviewer=ReviewerFactory(name="Dr No Account"))

    [reminder] = run()

    assert mailoutbox[0].to == ["anna@example.org", "eddie@example.org", "wendy@example.org"]
    assert "Dr No Account has no email address in the admin" in mailoutbox[0].body
    assert reminder.problem.startswith("Dr No Account has no email address")


def test_with_nobody_to_escalate_to_the_reminder_says_so(people, run, mailoutbox):
    for editor in people["editors"]:
        editor.is_active = False
        editor.save()
    review_due(people, TODAY - days(1), requested_by=None)

    [reminder] = run()

    assert mailoutbox == []
    assert reminder.recipients == []
    assert "no active editor (or the requester) has an email address" in reminder.problem


# The command ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_reports_what_it_sent_and_is_quiet_the_second_time(mailoutbox):
    today = timezone.localdate()
    people = {
        "reviewer": reviewer_with_account(name="Dr Rita Osei"),
        "writer": role_user("Writer", email="wendy@example.org"),
    }
    role_user("Editor", email="eddie@example.org")
    soon = review_due(people, today + days(2))
    late = review_due(people, today - days(1))
    review_due(people, today, reviewer=ReviewerFactory(name="Dr No Account"))

    dry = StringIO()
    call_command("send_review_reminders", "--dry-run", stdout=dry)
    assert mailoutbox == []
    assert not ReviewReminder.objects.exists()
    lines = dry.getvalue().splitlines()
    assert len(lines) == 4  # the earliest due first
    assert lines[0].startswith(
        f"Would send overdue (to the editors) reminder for “{late.article.title}”"
    )
    assert lines[1].startswith("Would not send: due today reminder")
    assert lines[2].startswith(f"Would send due soon reminder for “{soon.article.title}”")
    assert lines[-1] == "Dry run: 3 reminder(s) apply now; nothing was sent or recorded."

    out = StringIO()
    call_command("send_review_reminders", stdout=out)

    lines = out.getvalue().splitlines()
    reviewer_email = people["reviewer"].user.email
    assert lines[2] == (
        f"Sent due soon reminder for “{soon.article.title}” (due {long_date(today + days(2))}, "
        f"reviewer Dr Rita Osei) to "
        f"{reviewer_email}: Review due in 2 days: {soon.article.title}"
    )
    assert any(
        line.startswith("Not sent: due today reminder") and "Dr No Account has no email" in line
        for line in lines
    )
    assert any(
        line.startswith(f"Sent overdue (to the editors) reminder for “{late.article.title}”")
        and line.endswith(
            f"to eddie@example.org, wendy@example.org: Review overdue by 1 day: "
            f"{late.article.title}"
        )
        for line in lines
    )
    assert lines[-1] == "2 sent, 1 with nobody to email, 0 failed."
    assert len(mailoutbox) == 2  # sent for real, after each record was committed

    again = StringIO()
    call_command("send_review_reminders", stdout=again)
    assert again.getvalue() == ""  # nothing new: quiet, as cron likes it
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE and lets only one writer "
    "in at a time, so two runs cannot really overlap there",
)
def test_two_overlapping_runs_send_each_reminder_once(mailoutbox):
    people = {"reviewer": reviewer_with_account(), "writer": role_user("Writer")}
    role_user("Editor")
    for offset in (3, 0, -3):
        review_due(people, TODAY + days(offset))
    start = threading.Barrier(2, timeout=10)
    results = []

    def run():
        try:
            start.wait()
            results.append(send_review_reminders(today=TODAY))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sum(len(reminders) for reminders in results) == 3
    assert len(mailoutbox) == 3
    assert ReviewReminder.objects.count() == 3

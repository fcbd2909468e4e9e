"""Reminders from each article's own next review date, and the editors' weekly digest."""

import datetime
import smtplib
import threading
from io import StringIO

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from articles.models import Article
from editorial.models import ArticleReviewReminder, ReminderKind, ReviewDigest
from editorial.reminders import long_date
from editorial.review_date_reminders import send_review_date_reminders, send_review_digest
from tests.factories import (
    ArticleFactory,
    ReviewerFactory,
    ReviewRequestFactory,
    reviewer_with_account,
    role_user,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)  # a Tuesday


def days(count):
    return datetime.timedelta(days=count)


@pytest.fixture
def editors():
    return [
        role_user("Editor", username="eddie", email="eddie@example.org"),
        role_user("Editor", username="anna", email="anna@example.org"),
    ]


@pytest.fixture
def reviewer():
    return reviewer_with_account(name="Dr Rita Osei", credentials="MBChB")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(today=TODAY, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return send_review_date_reminders(today=today, **options)

    return run


def due(next_review_due, **kwargs):
    return ArticleFactory(
        next_review_due=next_review_due, last_reviewed_on=datetime.date(2025, 3, 10), **kwargs
    )


def sent(mailoutbox):
    return [(sorted(message.to), message.subject) for message in mailoutbox]


def test_the_last_reviewer_is_reminded_a_week_before_the_article_is_due(
    editors, reviewer, run, mailoutbox
):
    article = due(TODAY + days(7), reviewer=reviewer)
    due(TODAY + days(8), reviewer=reviewer)  # not yet

    reminders = run()

    assert [(r.article, r.kind) for r in reminders] == [(article, ReminderKind.DUE_SOON)]
    assert sent(mailoutbox) == [
        ([reviewer.user.email], f"Next review due in 7 days: {article.title}")
    ]
    body = mailoutbox[0].body
    assert body.startswith("Hello Dr Rita Osei,\n\n")
    assert "is due for its next medical review on Tuesday 17 March 2026, in 7 days" in body
    assert "last reviewed by Dr Rita Osei, MBChB on Monday 10 March 2025" in body
    assert f"http://127.0.0.1:8000/articles/{article.slug}/" in body
    record = ArticleReviewReminder.objects.get()
    assert (record.article, record.due_on, record.kind) == (
        article,
        TODAY + days(7),
        ReminderKind.DUE_SOON,
    )


def test_on_the_day_and_once_overdue_each_reminder_is_sent_once(editors, reviewer, run, mailoutbox):
    article = due(TODAY + days(3), reviewer=reviewer)

    assert len(run()) == 1  # due soon
    assert run() == []
    assert run(TODAY + days(1)) == []  # still "due soon": already sent for this date
    assert [r.kind for r in run(TODAY + days(3))] == [ReminderKind.DUE_TODAY]
    assert run(TODAY + days(3)) == []
    overdue = run(TODAY + days(4))
    assert [r.kind for r in overdue] == [ReminderKind.OVERDUE]
    assert run(TODAY + days(5)) == []
    assert run(TODAY + days(40)) == []

    assert [m.subject for m in mailoutbox] == [
        f"Next review due in 3 days: {article.title}",
        f"Next review due today: {article.title}",
        f"Next review overdue by 1 day: {article.title}",
    ]
    # Overdue: the editors, and the last reviewer since they are active.
    assert sorted(mailoutbox[2].to) == sorted(
        ["anna@example.org", "eddie@example.org", reviewer.user.email]
    )
    body = mailoutbox[2].body
    assert "was due for its next medical review on Friday 13 March 2026" in body
    assert f"http://127.0.0.1:8000/admin/articles/article/{article.pk}/change/" in body
    assert ArticleReviewReminder.objects.count() == 3


def test_a_new_due_date_starts_the_reminders_again(editors, reviewer, run, mailoutbox):
    article = due(TODAY - days(2), reviewer=reviewer)
    run()
    Article.objects.filter(pk=article.pk).update(next_review_due=TODAY + days(5))

    assert [r.kind for r in run()] == [ReminderKind.DUE_SOON]
    assert ArticleReviewReminder.objects.count() == 2


def test_an_inactive_or_unreachable_reviewer_means_the_editors_are_reminded(
    editors, run, mailoutbox
):
    retired = reviewer_with_account(name="Dr Gone", is_active=False)
    no_account = ReviewerFactory(name="Dr No Account")
    first = due(TODAY + days(2), reviewer=retired)
    second = due(TODAY, reviewer=no_account)

    run()

    assert sent(mailoutbox) == [
        (["anna@example.org", "eddie@example.org"], f"Next review due today: {second.title}"),
        (["anna@example.org", "eddie@example.org"], f"Next review due in 2 days: {first.title}"),
    ]
    assert "Nobody has been asked to review it yet." in mailoutbox[1].body
    assert "Its last reviewer, Dr Gone, is no longer active" in mailoutbox[1].body


def test_articles_in_review_unpublished_or_without_a_date_get_none(editors, reviewer, run):
    in_review = due(TODAY - days(3), reviewer=reviewer)
    ReviewRequestFactory(article=in_review, reviewer=reviewer)
    ArticleFactory(draft=True)

    assert run() == []


def test_nobody_to_email_is_recorded_and_reported(run, mailoutbox):
    due(TODAY - days(1), reviewer=ReviewerFactory())

    (reminder,) = run()

    assert reminder.recipients == []
    assert reminder.problem == "no active editor has an email address"
    assert mailoutbox == []
    assert ArticleReviewReminder.objects.get().recipients == ""


def test_a_dry_run_sends_and_records_nothing(editors, reviewer, run, mailoutbox):
    due(TODAY, reviewer=reviewer)

    assert len(run(dry_run=True)) == 1
    assert len(run(dry_run=True)) == 1
    assert mailoutbox == []
    assert not ArticleReviewReminder.objects.exists()


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_refused_email_is_tried_again_next_run(editors, reviewer, run, settings, mailoutbox):
    due(TODAY, reviewer=reviewer)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    (failed,) = run()

    assert failed.error == "Connection unexpectedly closed"
    assert not ArticleReviewReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(run()) == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE and lets only one writer "
    "in at a time, so two runs cannot really overlap there",
)
def test_two_overlapping_runs_send_each_review_date_reminder_once(mailoutbox):
    reviewer = reviewer_with_account()
    role_user("Editor", email="editor@example.org")
    for offset in (3, 0, -3):
        due(TODAY + days(offset), reviewer=reviewer)
    start = threading.Barrier(2, timeout=10)
    results = []

    def run():
        try:
            start.wait()
            results.append(send_review_date_reminders(today=TODAY))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sum(len(reminders) for reminders in results) == 3
    assert len(mailoutbox) == 3
    assert ArticleReviewReminder.objects.count() == 3


# The command --------------------------------------------------------------------------------


def test_the_command_lists_review_date_reminders_beside_review_reminders(
    editors, reviewer, mailoutbox
):
    today = timezone.localdate()
    article = due(today - days(10), reviewer=reviewer)
    ReviewRequestFactory(due_on=today)
    out = StringIO()

    call_command("send_review_reminders", "--dry-run", stdout=out)

    output = out.getvalue()
    assert (
        f"Would send overdue (to the editors) review-date reminder for “{article.title}” "
        f"(next review due {long_date(today - days(10))}, no review asked for, last reviewer "
        f"Dr Rita Osei) to {reviewer.user.email}, anna@example.org, eddie@example.org" in output
    )
    assert "Would not send: due today reminder for" in output  # the open review's reviewer
    assert "Dry run: 2 reminder(s) apply now; nothing was sent or recorded." in output
    assert mailoutbox == []


# The weekly digest ---------------------------------------------------------------------------


def test_the_digest_lists_what_is_overdue_and_what_is_coming_with_nobody_asked(
    editors, reviewer, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SITE_URL = "https://health.example.org"
    overdue = due(TODAY - days(5), reviewer=reviewer, title="Overdue, nobody asked")
    overdue_in_review = due(TODAY - days(1), title="Overdue but in review")
    ReviewRequestFactory(article=overdue_in_review, reviewer=reviewer, due_on=TODAY + days(4))
    coming = due(TODAY + days(30), reviewer=reviewer, title="Coming up")
    coming_in_review = due(TODAY + days(10), title="Coming, already in review")
    ReviewRequestFactory(article=coming_in_review)
    due(TODAY + days(31), title="Later")

    digest = send_review_digest(today=TODAY)

    assert digest.overdue == [overdue, overdue_in_review]
    assert digest.due_soon == [coming]
    assert sent(mailoutbox) == [
        (
            ["anna@example.org", "eddie@example.org"],
            "Reviews this week: 2 overdue, 1 due within 30 days with no review asked for",
        )
    ]
    body = mailoutbox[0].body
    assert (
        "- Overdue, nobody asked: due Thursday 5 March 2026, 5 days ago; no review asked for\n"
        f"  https://health.example.org/admin/articles/article/{overdue.pk}/change/\n"
    ) in body
    assert (
        "- Overdue but in review: due Monday 9 March 2026, 1 day ago; in review with "
        "Dr Rita Osei, due Saturday 14 March 2026\n"
    ) in body
    assert "- Coming up: due Thursday 9 April 2026; last reviewer Dr Rita Osei\n" in body
    assert "Later" not in body and "Coming, already in review" not in body
    assert "https://health.example.org/admin/editorial/reviewrequest/dashboard/" in body


def test_the_digest_is_sent_once_a_week(editors, mailoutbox):
    assert send_review_digest(today=TODAY) is not None
    assert send_review_digest(today=TODAY + days(1)) is None  # same week (Monday 9 March)
    assert send_review_digest(today=TODAY + days(6)) is not None  # Monday 16 March
    assert len(mailoutbox) == 2
    assert list(ReviewDigest.objects.values_list("week_of", flat=True)) == [
        datetime.date(2026, 3, 16),
        datetime.date(2026, 3, 9),
    ]
    assert "Nothing is overdue." in mailoutbox[0].body


def test_a_dry_run_of_the_digest_prints_it_and_records_nothing(editors, reviewer, mailoutbox):
    article = due(timezone.localdate() - days(3), reviewer=reviewer)
    out = StringIO()

    call_command("send_review_reminders", "--digest", "--dry-run", stdout=out)

    assert "Would send the review digest to anna@example.org, eddie@example.org" in out.getvalue()
    assert f"- {article.title}: due" in out.getvalue()
    assert mailoutbox == []
    assert not ReviewDigest.objects.exists()
    call_command("send_review_reminders", "--digest", stdout=StringIO())
    call_command("send_review_reminders", "--digest", stdout=out)
    assert "This week's review digest was already sent." in out.getvalue()
    assert len(mailoutbox) == 1


# The demo -----------------------------------------------------------------------------------


def test_after_loading_the_demo_a_dry_run_lists_its_overdue_and_due_soon_articles(settings):
    settings.DEBUG = True  # as make run: the demo's editor and reviewer accounts
    call_command("load_demo", stdout=StringIO())
    out = StringIO()

    call_command("send_review_reminders", "--dry-run", stdout=out)

    lines = [line for line in out.getvalue().splitlines() if "review-date reminder" in line]
    assert [line.split(" review-date")[0] for line in lines] == [
        "Would send overdue (to the editors)",
        "Would send overdue (to the editors)",
        "Would send due soon",
    ]
    assert "Lower back pain" in lines[0] and "blood pressure" in lines[1]
    assert "How much sleep do adults really need?" in lines[2]


def test_the_demo_dates_move_with_the_day_it_is_loaded(tmp_path):
    from contentfiles.management.commands.load_demo import (
        DEMO_DATES_AS_OF,
        demo_content_as_of_today,
    )

    copy = demo_content_as_of_today(tmp_path / "content", today=DEMO_DATES_AS_OF + days(100))

    text = (copy / "articles" / "lower-back-pain-basics.md").read_text()
    assert "reviewed_on: 2025-12-21\n" in text  # 2025-09-12 + 100 days
    assert "next_review_due: 2026-12-21\n" in text
    assert "year: 2026" in (copy / "articles" / "heart-attack-warning-signs.md").read_text()

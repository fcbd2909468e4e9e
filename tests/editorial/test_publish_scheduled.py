"""Scheduled publishing: an editor sets a time on approved content, and publish_scheduled
(run every minute from cron) publishes what is due, once."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from articles.models import Article, ArticleStatus, PublishedVersion, VersionKind
from articles.versions import refresh_content_fingerprint
from editorial.models import Decision
from editorial.services import (
    cancel_schedule,
    decide_review,
    publish,
    publish_scheduled,
    schedule_publication,
    submit_for_review,
)
from tests.factories import cited_article, reviewer_with_account, role_user
from tests.signatures import signed

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def editor():
    return role_user("Editor")


@pytest.fixture
def reviewer():
    return reviewer_with_account(name="Dr Ada Lee")


def approved_draft(reviewer, editor, **kwargs):
    article = cited_article(published=False, **kwargs)
    review = submit_for_review(article=article, reviewer=reviewer, requested_by=editor)
    decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        **signed(review, reviewer.user),
    )
    article.refresh_from_db()
    return article


@pytest.fixture
def approved(reviewer, editor):
    return approved_draft(reviewer, editor, slug="sleep-basics")


def edit_body(article, body):
    article.refresh_from_db()
    article.body = body
    article.save()
    refresh_content_fingerprint(article=article)


def make_due(*articles):
    """Move scheduled times into the past, as if the clock had reached them."""
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )


# Scheduling --------------------------------------------------------------------------------


def test_an_editor_schedules_approved_content(approved, editor):
    when = timezone.now() + 2 * HOUR

    schedule_publication(
        article=approved, user=editor, publish_at=when, change_summary=" Added advice on naps "
    )

    approved.refresh_from_db()
    assert (approved.publish_at, approved.publish_note) == (when, "Added advice on naps")
    assert approved.events.filter(action="scheduled", actor=editor).exists()
    # Nothing is public before the time comes.
    assert (approved.status, approved.live_version) == (ArticleStatus.DRAFT, None)


@pytest.mark.parametrize("role", ["Writer", "Medical reviewer"])
def test_scheduling_needs_the_publish_permission(approved, role):
    with pytest.raises(PermissionDenied):
        schedule_publication(
            article=approved, user=role_user(role), publish_at=timezone.now() + HOUR
        )

    approved.refresh_from_db()
    assert approved.publish_at is None


@pytest.mark.parametrize("offset", [datetime.timedelta(0), -HOUR])
def test_scheduling_needs_a_time_in_the_future(approved, editor, offset):
    with pytest.raises(ValidationError) as raised:
        schedule_publication(article=approved, user=editor, publish_at=timezone.now() + offset)

    assert "publish_at" in raised.value.message_dict
    approved.refresh_from_db()
    assert approved.publish_at is None


def test_content_nobody_approved_cannot_be_scheduled(editor):
    draft = cited_article(published=False)

    with pytest.raises(ValidationError, match="has not been approved"):
        schedule_publication(article=draft, user=editor, publish_at=timezone.now() + HOUR)

    draft.refresh_from_db()
    assert draft.publish_at is None


def test_content_changed_since_its_approval_cannot_be_scheduled(approved, editor):
    edit_body(approved, "## Overview\n\nUnreviewed advice.[^guidance]")

    with pytest.raises(ValidationError, match="changed since it was last approved"):
        schedule_publication(article=approved, user=editor, publish_at=timezone.now() + HOUR)


def test_content_already_live_cannot_be_scheduled(reviewer, editor):
    article = cited_article(reviewer=reviewer)

    with pytest.raises(ValidationError):
        schedule_publication(article=article, user=editor, publish_at=timezone.now() + HOUR)


def test_an_editor_cancels_a_schedule(approved, editor):
    schedule_publication(article=approved, user=editor, publish_at=timezone.now() + HOUR)

    cancel_schedule(article=approved, user=editor)

    approved.refresh_from_db()
    assert (approved.publish_at, approved.publish_note) == (None, "")
    assert approved.events.filter(action="schedule cancelled", actor=editor).exists()
    assert publish_scheduled(now=timezone.now() + 2 * HOUR) == []
    assert not PublishedVersion.objects.exists()


def test_cancelling_needs_a_schedule_and_the_permission(approved, editor):
    with pytest.raises(ValidationError, match="no scheduled publication"):
        cancel_schedule(article=approved, user=editor)

    schedule_publication(article=approved, user=editor, publish_at=timezone.now() + HOUR)
    with pytest.raises(PermissionDenied):
        cancel_schedule(article=approved, user=role_user("Writer"))

    approved.refresh_from_db()
    assert approved.publish_at is not None


# publish_scheduled -------------------------------------------------------------------------


def test_due_articles_are_published_once(approved, reviewer, editor):
    later = approved_draft(reviewer, editor, slug="later")
    now = timezone.now()
    schedule_publication(
        article=approved, user=editor, publish_at=now + HOUR, change_summary="New advice"
    )
    schedule_publication(article=later, user=editor, publish_at=now + 3 * HOUR)

    assert publish_scheduled(now=now) == []  # nothing due yet
    outcomes = publish_scheduled(now=now + 2 * HOUR)

    assert [(article.slug, outcome) for article, outcome in outcomes] == [
        ("sleep-basics", "published")
    ]
    approved.refresh_from_db()
    assert approved.is_published
    version = approved.live_version
    assert (version.number, version.kind) == (1, VersionKind.PUBLISHED)
    assert (version.change_summary, version.published_by) == ("New advice", None)
    assert (version.reviewer, version.reviewed_on) == (reviewer, timezone.localdate())
    assert (approved.publish_at, approved.publish_note) == (None, "")
    later.refresh_from_db()
    assert later.publish_at == now + 3 * HOUR and later.live_version is None

    assert publish_scheduled(now=now + 2 * HOUR) == []  # running again publishes nothing
    assert approved.versions.count() == 1


def test_a_scheduled_update_to_a_live_article_becomes_a_new_version(reviewer, editor):
    article = cited_article(reviewer=reviewer, slug="live")
    edit_body(article, "## Overview\n\nUpdated advice.[^guidance]")
    review = submit_for_review(article=article, reviewer=reviewer, requested_by=editor)
    decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        **signed(review, reviewer.user),
    )
    schedule_publication(article=article, user=editor, publish_at=timezone.now() + HOUR)

    publish_scheduled(now=timezone.now() + 2 * HOUR)

    article.refresh_from_db()
    assert article.versions.count() == 2
    assert article.live_version.number == 2
    assert article.live_version.change_summary == "Published as scheduled"
    assert "Updated advice." in article.live_version.body_html


def test_content_changed_after_approval_is_skipped_and_its_schedule_cleared(approved, editor):
    schedule_publication(article=approved, user=editor, publish_at=timezone.now() + HOUR)
    # Edited without refreshing the stored fingerprint: the job must recompute it.
    Article.objects.filter(pk=approved.pk).update(body="Unreviewed advice.")

    outcomes = publish_scheduled(now=timezone.now() + 2 * HOUR)

    [(article, outcome)] = outcomes
    assert article.slug == "sleep-basics"
    assert outcome.startswith("skipped: The content has changed since it was last approved.")
    approved.refresh_from_db()
    assert approved.publish_at is None
    assert (approved.status, approved.live_version) == (ArticleStatus.DRAFT, None)
    event = approved.events.get(action="scheduled publication skipped")
    assert event.actor is None
    assert "changed since it was last approved" in event.detail
    assert publish_scheduled(now=timezone.now() + 2 * HOUR) == []


def test_an_article_published_by_hand_before_its_time_is_not_published_again(approved, editor):
    schedule_publication(article=approved, user=editor, publish_at=timezone.now() + HOUR)
    publish(article=approved, user=editor)

    assert publish_scheduled(now=timezone.now() + 2 * HOUR) == []
    assert approved.versions.count() == 1


def test_the_command_prints_what_it_did(approved, reviewer, editor):
    stale = approved_draft(reviewer, editor, slug="stale")
    for article in (approved, stale):
        schedule_publication(article=article, user=editor, publish_at=timezone.now() + HOUR)
    edit_body(stale, "## Overview\n\nUnreviewed advice.[^guidance]")
    make_due(approved, stale)
    out = StringIO()

    call_command("publish_scheduled", stdout=out)

    lines = out.getvalue().splitlines()
    assert "sleep-basics: published" in lines
    assert any(line.startswith("stale: skipped: The content has changed") for line in lines)
    assert lines[-1] == "1 published, 1 skipped."
    assert len(lines) == 3
    approved.refresh_from_db()
    assert approved.is_published

    again = StringIO()
    call_command("publish_scheduled", stdout=again)
    assert again.getvalue() == ""  # quiet when there is nothing to do, as cron likes it
    verbose = StringIO()
    call_command("publish_scheduled", verbosity=2, stdout=verbose)
    assert verbose.getvalue() == "0 published, 0 skipped.\n"
    assert PublishedVersion.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE and lets only one writer "
    "in at a time, so two runs cannot really overlap there",
)
def test_two_overlapping_runs_publish_a_due_article_once():
    editor = role_user("Editor")
    reviewer = reviewer_with_account()
    article = approved_draft(reviewer, editor, slug="overlap")
    schedule_publication(article=article, user=editor, publish_at=timezone.now() + HOUR)
    start = threading.Barrier(2, timeout=10)
    results = []

    def run():
        try:
            start.wait()
            results.append(publish_scheduled(now=timezone.now() + 2 * HOUR))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(len(outcomes) for outcomes in results) == [0, 1]
    assert PublishedVersion.objects.filter(article=article).count() == 1

"""The medical review workflow (reviewers.services): every transition, who may make it, and
the promise behind it: readers only ever see content a reviewer approved.

Users are put in the real groups the roles migration creates; a reviewer's account is linked
to their profile with Reviewer.user.
"""

import datetime
import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from articles.models import Article, ArticleEvent, ArticleStatus, PublishedVersion, VersionKind
from articles.versions import content_snapshot, fingerprint, refresh_content_fingerprint
from contentfiles.importer import import_content
from editorial.models import Decision, ReviewRequest, ReviewStatus, SignOff
from editorial.services import (
    REVIEWED_UNCHANGED_SUMMARY,
    cancel_review,
    current_approval,
    decide_review,
    publish,
    schedule_publication,
    submit_for_review,
    unpublish,
)
from tests.factories import (
    ArticleFactory,
    CitationFactory,
    FAQFactory,
    ReviewerFactory,
    cited_article,
    reviewer_with_account,
    role_user,
)
from tests.signatures import signed

pytestmark = pytest.mark.django_db

APPROVED_BODY = "## Overview\n\nAdults need seven to nine hours of sleep.[^nhs-sleep]"
APPROVED_TEXT = "Adults need seven to nine hours of sleep."
CHECKLIST_CONFIRMED = {
    "check_accurate": "on",
    "check_balanced": "on",
    "check_sources_current": "on",
    "check_safety_warnings": "on",
}

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE and lets only one writer "
    "in at a time, so two decisions cannot really run at once there",
)


def today():
    return timezone.localdate()


def a_year_after(day: datetime.date) -> datetime.date:
    """The site's default review interval is 12 months (REVIEW_INTERVAL_MONTHS)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def long_date(day: datetime.date) -> str:
    return format_date(day, "j F Y")


@pytest.fixture
def writer():
    return role_user("Writer", first_name="Sam", last_name="Writer")


@pytest.fixture
def editor():
    return role_user("Editor")


@pytest.fixture
def reviewer():
    """A reviewer profile whose account is in the "Medical reviewer" group."""
    return reviewer_with_account(name="Dr Ada Lee", credentials="MD")


@pytest.fixture
def draft(writer):
    """A draft the writer created, citing one source and with one FAQ."""
    article = ArticleFactory(
        draft=True,
        created_by=writer,
        title="How much sleep do adults need?",
        slug="sleep-basics",
        body=APPROVED_BODY,
    )
    CitationFactory(article=article, key="nhs-sleep", title="How to get to sleep")
    FAQFactory(article=article, question="Is napping bad?", answer="Short naps are fine.")
    return article


def approve(article, reviewer, *, by, **submit_options):
    """Submit the article's current content and have the reviewer approve it."""
    review = submit_for_review(
        article=article, reviewer=reviewer, requested_by=by, **submit_options
    )
    return decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        **signed(review, reviewer.user),
    )


def edit(article, **fields):
    """Change the working copy as the admin does: load it, save, refresh the fingerprint."""
    article.refresh_from_db()
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    refresh_content_fingerprint(article=article)


# The stored rendering of the article page is derived from the version, not part of it.
RENDERED_FIELDS = {"rendered_page", "rendered_with"}


def version_row(version) -> dict:
    row = PublishedVersion.objects.filter(pk=version.pk).values().get()
    return {name: value for name, value in row.items() if name not in RENDERED_FIELDS}


# Submitting for review ---------------------------------------------------------------------


def test_a_writer_submits_for_review_with_an_event_and_an_email_to_the_reviewer(
    draft, writer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    due = today() + datetime.timedelta(days=7)

    with django_capture_on_commit_callbacks(execute=True):
        review = submit_for_review(
            article=draft, reviewer=reviewer, requested_by=writer, due_on=due, note="New FAQ."
        )

    review.refresh_from_db()
    assert (review.article, review.reviewer, review.requested_by) == (draft, reviewer, writer)
    assert (review.status, review.due_on, review.note) == (ReviewStatus.OPEN, due, "New FAQ.")
    assert review.publish_on_approval is False
    draft.refresh_from_db()
    assert draft.content_fingerprint  # computed when submitted
    event = ArticleEvent.objects.get(article=draft)
    assert (event.actor, event.action) == (writer, "submitted for review")
    assert "Dr Ada Lee" in event.detail and "New FAQ." in event.detail
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [reviewer.user.email]
    assert email.subject == "Please review: How much sleep do adults need?"
    assert f"by {due:%d %B %Y}" in email.body
    assert "New FAQ." in email.body


def test_a_reviewer_whose_account_is_deactivated_gets_no_email(
    draft, writer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    reviewer.user.is_active = False
    reviewer.user.save()

    with django_capture_on_commit_callbacks(execute=True):
        submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)

    assert mailoutbox == []  # as reminders skip them too


def test_the_reviewer_is_emailed_only_once_the_submission_is_committed(
    draft, writer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
        assert mailoutbox == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mailoutbox] == [[reviewer.user.email]]


def test_an_editor_may_submit_and_ask_for_publication_on_approval(draft, editor, reviewer):
    review = submit_for_review(
        article=draft, reviewer=reviewer, requested_by=editor, publish_on_approval=True
    )

    assert review.publish_on_approval is True
    assert review.requested_by == editor


def test_a_medical_reviewer_cannot_submit_for_review(draft, reviewer):
    other = ReviewerFactory()

    with pytest.raises(PermissionDenied):
        submit_for_review(article=draft, reviewer=other, requested_by=reviewer.user)

    assert not ReviewRequest.objects.exists()


def test_only_editors_may_ask_for_publication_on_approval(draft, writer, reviewer):
    with pytest.raises(PermissionDenied):
        submit_for_review(
            article=draft, reviewer=reviewer, requested_by=writer, publish_on_approval=True
        )

    assert not ReviewRequest.objects.exists()
    assert not draft.events.exists()


def test_an_inactive_reviewer_gets_no_new_reviews(draft, writer, reviewer):
    reviewer.is_active = False
    reviewer.save()

    with pytest.raises(ValidationError) as raised:
        submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)

    assert raised.value.message_dict["reviewer"] == [
        "Dr Ada Lee is no longer reviewing; choose another reviewer."
    ]
    assert not ReviewRequest.objects.exists()


def test_a_reviewer_who_wrote_the_article_cannot_be_assigned_to_it(draft, writer, editor):
    author_reviewer = ReviewerFactory(name="Dr Sam Writer", user=writer)

    with pytest.raises(ValidationError) as raised:
        submit_for_review(article=draft, reviewer=author_reviewer, requested_by=editor)

    [message] = raised.value.message_dict["reviewer"]
    assert message.startswith("Dr Sam Writer wrote this article")
    assert not ReviewRequest.objects.exists()


def test_a_due_date_in_the_past_is_refused_and_today_is_accepted(draft, writer, reviewer):
    with pytest.raises(ValidationError) as raised:
        submit_for_review(
            article=draft,
            reviewer=reviewer,
            requested_by=writer,
            due_on=today() - datetime.timedelta(days=1),
        )
    assert "in the past" in raised.value.message_dict["due_on"][0]
    assert not ReviewRequest.objects.exists()

    review = submit_for_review(
        article=draft, reviewer=reviewer, requested_by=writer, due_on=today()
    )
    assert review.due_on == today()


def test_a_second_submission_while_one_is_open_is_refused_naming_the_reviewer(
    draft, writer, editor, reviewer
):
    submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)

    with pytest.raises(ValidationError) as raised:
        submit_for_review(article=draft, reviewer=ReviewerFactory(), requested_by=editor)

    assert "already in review with Dr Ada Lee" in raised.value.messages[0]
    assert ReviewRequest.objects.count() == 1


def test_an_article_failing_the_pre_review_checks_cannot_be_submitted(writer, reviewer):
    uncited = ArticleFactory(draft=True, created_by=writer)

    with pytest.raises(ValidationError, match="Fix these before submitting for review"):
        submit_for_review(article=uncited, reviewer=reviewer, requested_by=writer)

    assert not ReviewRequest.objects.exists()


# Deciding a review -------------------------------------------------------------------------


def test_an_approval_records_the_reviewer_the_day_and_the_exact_content(draft, writer, reviewer):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    checklist = {"accurate": True, "balanced": True}

    sign_off = decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        notes="  Clear and accurate.  ",
        checklist=checklist,
        **signed(review, reviewer.user),
    )

    sign_off.refresh_from_db()
    draft.refresh_from_db()
    assert (sign_off.article, sign_off.review_request, sign_off.reviewer) == (
        draft,
        review,
        reviewer,
    )
    assert (sign_off.decision, sign_off.decided_by) == (Decision.APPROVED, reviewer.user)
    assert (sign_off.notes, sign_off.checklist) == ("Clear and accurate.", checklist)
    assert sign_off.reviewed_on == today()
    assert sign_off.is_imported is False
    assert sign_off.content_fingerprint == draft.content_fingerprint
    assert sign_off.content == content_snapshot(draft)
    assert sign_off.content["body"] == APPROVED_BODY
    assert [c["key"] for c in sign_off.content["citations"]] == ["nhs-sleep"]
    assert sign_off.content["faqs"] == [
        {"question": "Is napping bad?", "answer": "Short naps are fine."}
    ]
    review.refresh_from_db()
    assert review.status == ReviewStatus.DECIDED
    assert review.closed_at is not None
    assert draft.events.filter(action="approved", actor=reviewer.user).exists()
    assert current_approval(article=draft) == sign_off
    # Approval alone publishes nothing unless the request asked for it.
    assert (draft.status, draft.live_version) == (ArticleStatus.DRAFT, None)


def test_a_sign_off_fingerprints_the_content_as_it_is_when_decided(draft, writer, reviewer):
    """Even when the stored fingerprint is out of date (an edit saved without refreshing
    it), the sign-off's fingerprint is that of the snapshot it records."""
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    Article.objects.filter(pk=draft.pk).update(body=APPROVED_BODY + "\n\nNaps help.")

    sign_off = decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        **signed(review, reviewer.user),
    )

    assert sign_off.content["body"] == APPROVED_BODY + "\n\nNaps help."
    assert sign_off.content_fingerprint == fingerprint(sign_off.content)
    draft.refresh_from_db()
    assert current_approval(article=draft) == sign_off


def test_an_approval_covers_only_the_content_the_reviewer_was_shown(
    client, draft, writer, reviewer
):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    client.force_login(reviewer.user)
    url = reverse("admin:editorial_reviewrequest_review", args=[review.pk])
    page = client.get(url)
    assert APPROVED_TEXT in page.content.decode()
    # Whatever the decision form carries (hidden fields), post it back unchanged.
    hidden = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode())
    )
    edit(draft, body=APPROVED_BODY + "\n\nUnreviewed: double the dose.")  # the writer saves

    client.post(url, {**hidden, "decision": Decision.APPROVED, **CHECKLIST_CONFIRMED})

    assert current_approval(article=draft) is None


def test_another_reviewer_cannot_decide_the_review(draft, writer, reviewer):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    someone_else = reviewer_with_account(name="Dr Other")

    with pytest.raises(PermissionDenied):
        decide_review(
            review_request=review,
            user=someone_else.user,
            decision=Decision.APPROVED,
            **signed(review, someone_else.user),
        )

    assert not SignOff.objects.exists()
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_an_editor_cannot_decide_a_review_even_as_the_assigned_reviewer(draft, writer, editor):
    """Editors lack reviewers.sign_off, so even a profile linked to an editor's account
    cannot be used to approve."""
    editor_profile = ReviewerFactory(name="Dr Editor", user=editor)
    review = submit_for_review(article=draft, reviewer=editor_profile, requested_by=writer)

    with pytest.raises(PermissionDenied):
        decide_review(
            review_request=review, user=editor, decision=Decision.APPROVED, **signed(review, editor)
        )

    assert not SignOff.objects.exists()


def test_nobody_approves_an_article_they_wrote(editor):
    """The reviewer's account is linked only after the article was submitted to them."""
    author = role_user("Medical reviewer")
    article = cited_article(published=False, created_by=author)
    profile = ReviewerFactory(name="Dr Author")
    review = submit_for_review(article=article, reviewer=profile, requested_by=editor)
    profile.user = author
    profile.save()

    with pytest.raises(PermissionDenied, match="Nobody may approve an article they wrote"):
        decide_review(
            review_request=review, user=author, decision=Decision.APPROVED, **signed(review, author)
        )

    assert not SignOff.objects.exists()


@pytest.mark.parametrize("notes", ["", "   \n "])
def test_requesting_changes_needs_notes(draft, writer, reviewer, notes):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)

    with pytest.raises(ValidationError) as raised:
        decide_review(
            review_request=review,
            user=reviewer.user,
            decision=Decision.CHANGES_REQUESTED,
            notes=notes,
            **signed(review, reviewer.user),
        )

    assert "notes" in raised.value.message_dict
    assert not SignOff.objects.exists()
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_requested_changes_are_recorded_and_approve_nothing(draft, writer, reviewer, editor):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)

    sign_off = decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.CHANGES_REQUESTED,
        notes="Mention sleep apnoea.",
        **signed(review, reviewer.user),
    )

    assert (sign_off.decision, sign_off.notes) == (
        Decision.CHANGES_REQUESTED,
        "Mention sleep apnoea.",
    )
    assert draft.events.filter(action="changes requested", detail="Mention sleep apnoea.").exists()
    assert current_approval(article=draft) is None
    with pytest.raises(ValidationError, match="requested changes"):
        publish(article=draft, user=editor)


def test_an_unknown_decision_is_refused(draft, writer, reviewer):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)

    with pytest.raises(ValidationError):
        decide_review(
            review_request=review,
            user=reviewer.user,
            decision="maybe",
            **signed(review, reviewer.user),
        )

    assert not SignOff.objects.exists()


def test_a_second_decision_on_the_same_review_is_refused(draft, writer, reviewer):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        **signed(review, reviewer.user),
    )

    with pytest.raises(ValidationError, match="already been decided"):
        decide_review(
            review_request=review,
            user=reviewer.user,
            decision=Decision.CHANGES_REQUESTED,
            notes="On second thoughts…",
            **signed(review, reviewer.user),
        )

    assert SignOff.objects.get().decision == Decision.APPROVED


def test_a_cancelled_review_cannot_be_decided(draft, writer, editor, reviewer):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    cancel_review(review_request=review, user=editor)

    with pytest.raises(ValidationError, match="decided or cancelled"):
        decide_review(
            review_request=review,
            user=reviewer.user,
            decision=Decision.APPROVED,
            **signed(review, reviewer.user),
        )

    assert not SignOff.objects.exists()


# Staleness: an approval covers exactly the content it was given --------------------------


def change_title(article):
    edit(article, title="Sleep: how much is enough?")


def change_summary(article):
    edit(article, summary="A different summary.")


def change_body(article):
    edit(article, body=APPROVED_BODY + "\n\nNaps help.")


def change_citation(article):
    citation = article.citations.get()
    citation.url = "https://www.example.gov/other"
    citation.save()
    refresh_content_fingerprint(article=article)


def add_citation(article):
    CitationFactory(article=article, key="extra")
    refresh_content_fingerprint(article=article)


def change_faq(article):
    faq = article.faqs.get()
    faq.answer = "Long naps are fine too."
    faq.save()
    refresh_content_fingerprint(article=article)


def delete_faq(article):
    article.faqs.all().delete()
    refresh_content_fingerprint(article=article)


@pytest.mark.parametrize(
    "change",
    [
        change_title,
        change_summary,
        change_body,
        change_citation,
        add_citation,
        change_faq,
        delete_faq,
    ],
)
def test_any_change_to_the_reviewed_content_makes_the_approval_stale(
    draft, writer, editor, reviewer, change
):
    approve(draft, reviewer, by=writer)
    assert current_approval(article=draft) is not None

    change(draft)

    assert current_approval(article=draft) is None
    with pytest.raises(ValidationError, match="changed since it was last approved"):
        publish(article=draft, user=editor)
    assert not PublishedVersion.objects.exists()


def test_restoring_the_approved_content_makes_the_approval_current_again(
    draft, writer, editor, reviewer
):
    sign_off = approve(draft, reviewer, by=writer)
    edit(draft, body="Unreviewed advice.")
    assert current_approval(article=draft) is None

    edit(draft, body=APPROVED_BODY)

    assert current_approval(article=draft) == sign_off
    assert publish(article=draft, user=editor).number == 1


def test_an_edit_saved_without_refreshing_the_fingerprint_is_still_caught(
    draft, writer, editor, reviewer
):
    """publish recomputes the fingerprint rather than trusting the stored one."""
    approve(draft, reviewer, by=writer)
    Article.objects.filter(pk=draft.pk).update(body="Unreviewed advice.")

    with pytest.raises(ValidationError, match="changed since it was last approved"):
        publish(article=draft, user=editor)


def test_changes_outside_the_reviewed_content_keep_the_approval(draft, writer, reviewer):
    sign_off = approve(draft, reviewer, by=writer)

    edit(draft, hero_credit="Photo: Jane Doe", is_sample=True, readability_note="Drug names.")
    draft.tags.add("sleep")

    assert current_approval(article=draft) == sign_off


def test_requested_changes_on_the_same_content_withdraw_an_earlier_approval(
    draft, writer, editor, reviewer
):
    approve(draft, reviewer, by=writer)
    second_opinion = reviewer_with_account(name="Dr Second")
    review = submit_for_review(article=draft, reviewer=second_opinion, requested_by=editor)
    decide_review(
        review_request=review,
        user=second_opinion.user,
        decision=Decision.CHANGES_REQUESTED,
        notes="The dosage advice is outdated.",
        **signed(review, second_opinion.user),
    )

    with pytest.raises(ValidationError):
        publish(article=draft, user=editor)


def test_the_article_list_shows_a_withdrawn_approval_as_the_change_page_does(
    draft, writer, editor, reviewer, client
):
    approve(draft, reviewer, by=writer)
    second_opinion = reviewer_with_account(name="Dr Second")
    review = submit_for_review(article=draft, reviewer=second_opinion, requested_by=editor)
    decide_review(
        review_request=review,
        user=second_opinion.user,
        decision=Decision.CHANGES_REQUESTED,
        notes="The dosage advice is outdated.",
        **signed(review, second_opinion.user),
    )
    client.force_login(editor)

    listed = client.get(reverse("admin:articles_article_changelist")).content.decode()
    change_page = client.get(reverse("admin:articles_article_change", args=[draft.pk]))

    assert "<strong>Changed since review</strong>" in listed
    assert "Approved, not published" not in listed
    assert "Changed since review" in change_page.content.decode()


# Publishing --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Writer", "Medical reviewer"])
def test_publishing_needs_the_publish_permission(draft, writer, reviewer, role):
    approve(draft, reviewer, by=writer)

    with pytest.raises(PermissionDenied):
        publish(article=draft, user=role_user(role))

    assert not PublishedVersion.objects.exists()


def test_content_nobody_approved_cannot_be_published(draft, editor):
    with pytest.raises(ValidationError, match="has not been approved by a medical reviewer"):
        publish(article=draft, user=editor)

    draft.refresh_from_db()
    assert (draft.status, draft.live_version) == (ArticleStatus.DRAFT, None)


def test_publishing_freezes_the_approved_content_as_version_1(
    draft, writer, editor, reviewer, settings, monkeypatch
):
    settings.REVIEW_INTERVAL_MONTHS = 6
    # The version carries the approval's review date, not the publication day.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 8, 31))
    sign_off = approve(draft, reviewer, by=writer)
    monkeypatch.undo()

    version = publish(article=draft, user=editor)

    version.refresh_from_db()
    draft.refresh_from_db()
    assert (version.number, version.kind) == (1, VersionKind.PUBLISHED)
    assert (version.title, version.summary, version.author) == (
        draft.title,
        draft.summary,
        draft.author,
    )
    assert version.body_html.startswith('<h2 id="overview">Overview</h2>\n<p>' + APPROVED_TEXT)
    assert 'aria-controls="ts-1"' in version.body_html  # [^nhs-sleep] as a Trusted Source
    assert "[^nhs-sleep]" not in version.body_html
    assert [(s["number"], s["key"], s["title"]) for s in version.sources] == [
        (1, "nhs-sleep", "How to get to sleep")
    ]
    assert version.sources[0]["trust_label"] == "Governmental authority"
    assert version.faqs == [
        {"question": "Is napping bad?", "answer_html": "<p>Short naps are fine.</p>\n"}
    ]
    assert (version.reviewer, version.reviewed_on) == (reviewer, datetime.date(2026, 8, 31))
    assert version.content == sign_off.content
    assert version.content_fingerprint == sign_off.content_fingerprint
    assert (version.change_summary, version.published_by) == ("First published", editor)
    assert draft.is_published
    assert (draft.status, draft.live_version) == (ArticleStatus.PUBLISHED, version)
    assert draft.published_at == version.published_at
    assert draft.reviewer == reviewer
    assert draft.last_reviewed_on == datetime.date(2026, 8, 31)
    # Six months on from 31 August is the last day of February.
    assert draft.next_review_due == datetime.date(2027, 2, 28)
    assert draft.events.filter(action="version 1: published", actor=editor).exists()


def test_the_next_review_is_due_the_configured_interval_after_the_review(
    draft, writer, editor, reviewer
):
    approve(draft, reviewer, by=writer)

    publish(article=draft, user=editor)

    draft.refresh_from_db()
    assert draft.last_reviewed_on == today()
    assert draft.next_review_due == a_year_after(today())


def test_publishing_the_live_content_again_is_refused(draft, writer, editor, reviewer):
    approve(draft, reviewer, by=writer)
    publish(article=draft, user=editor)

    with pytest.raises(ValidationError, match="already live"):
        publish(article=draft, user=editor)

    assert PublishedVersion.objects.count() == 1


def test_versions_are_numbered_and_a_saved_version_never_changes(draft, writer, editor, reviewer):
    approve(draft, reviewer, by=writer)
    first = publish(article=draft, user=editor)
    first_row = version_row(first)

    edit(draft, title="Sleep: how much is enough?", body=APPROVED_BODY + "\n\nNaps help.")
    assert version_row(first) == first_row  # editing the working copy
    approve(draft, reviewer, by=writer)
    second = publish(article=draft, user=editor, change_summary="  Added advice on naps  ")
    edit(draft, body="Unreviewed advice.")

    assert version_row(first) == first_row
    second.refresh_from_db()
    assert (second.number, second.change_summary) == (2, "Added advice on naps")
    assert second.title == "Sleep: how much is enough?"
    assert "Naps help." in second.body_html and "Unreviewed" not in second.body_html
    assert first.title == "How much sleep do adults need?"
    assert list(draft.versions.history().values_list("number", flat=True)) == [2, 1]
    draft.refresh_from_db()
    assert draft.live_version == second


def test_republishing_without_a_summary_says_republished(draft, writer, editor, reviewer):
    approve(draft, reviewer, by=writer)
    publish(article=draft, user=editor)
    edit(draft, summary="A clearer summary.")
    approve(draft, reviewer, by=writer)

    assert publish(article=draft, user=editor).change_summary == "Republished"


# What readers see --------------------------------------------------------------------------


def test_the_public_page_serves_the_live_version_not_the_working_copy(
    client, draft, writer, editor, reviewer
):
    approve(draft, reviewer, by=writer)
    publish(article=draft, user=editor)
    reviewed = long_date(today())
    Article.objects.filter(pk=draft.pk).update(
        title="Unreviewed new title", body="## Overview\n\nUnreviewed new advice."
    )

    page = client.get(draft.get_absolute_url())

    assert page.status_code == 200
    html = page.content.decode()
    assert "How much sleep do adults need?" in html
    assert APPROVED_TEXT in html
    assert "Unreviewed" not in html
    byline = html.split('class="review-dates"')[1].split("</dl>")[0]
    assert "Page last reviewed" in byline and reviewed in byline
    assert "Dr Ada Lee" in html

    client.force_login(editor)
    staff_page = client.get(draft.get_absolute_url())
    assert "Unreviewed" not in staff_page.content.decode()  # staff see the live page too
    preview = client.get(f"/articles/{draft.slug}/preview/")
    assert preview.status_code == 200
    preview_html = preview.content.decode()
    assert "Unreviewed new title" in preview_html and "Unreviewed new advice." in preview_html
    assert APPROVED_TEXT not in preview_html
    cache_control = preview["Cache-Control"]
    for directive in ("no-cache", "no-store", "must-revalidate", "private", "max-age=0"):
        assert directive in cache_control


def test_listings_show_the_live_title(client, draft, writer, editor, reviewer):
    approve(draft, reviewer, by=writer)
    publish(article=draft, user=editor)
    Article.objects.filter(pk=draft.pk).update(
        title="Unreviewed new title", summary="Unreviewed summary."
    )

    for url in ("/", draft.category.get_absolute_url(), reviewer.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "How much sleep do adults need?" in html, url
        assert "Unreviewed" not in html, url


def test_anonymous_visitors_cannot_preview(client, draft, writer, editor, reviewer):
    approve(draft, reviewer, by=writer)
    publish(article=draft, user=editor)

    assert client.get(f"/articles/{draft.slug}/preview/").status_code == 404


def test_a_draft_is_not_public(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


# Re-review without changes -----------------------------------------------------------------


def test_confirming_unchanged_live_content_moves_page_last_reviewed_forward(client, editor):
    reviewer = reviewer_with_account(name="Dr Ada Lee")
    article = cited_article(
        reviewer=reviewer,
        last_reviewed_on=datetime.date(2025, 1, 1),
        next_review_due=datetime.date(2026, 1, 1),
    )
    first = article.live_version
    first_row = version_row(first)

    sign_off = approve(article, reviewer, by=editor)

    article.refresh_from_db()
    assert article.versions.count() == 2
    confirmed = article.live_version
    assert confirmed.number == 2
    assert confirmed.kind == VersionKind.REVIEWED_UNCHANGED
    assert confirmed.change_summary == REVIEWED_UNCHANGED_SUMMARY == "Reviewed, no changes"
    assert (confirmed.reviewer, confirmed.reviewed_on) == (reviewer, today())
    assert confirmed.reviewed_on == sign_off.reviewed_on
    assert confirmed.published_by == reviewer.user
    for field in ("title", "summary", "body_html", "sources", "faqs", "content_fingerprint"):
        assert getattr(confirmed, field) == first_row[field], field
    assert version_row(first) == first_row
    assert (article.last_reviewed_on, article.next_review_due) == (
        today(),
        a_year_after(today()),
    )

    html = client.get(article.get_absolute_url()).content.decode()
    byline = html.split('class="review-dates"')[1].split("</dl>")[0]
    assert long_date(today()) in byline
    history = html.split('id="history-heading"')[1].split("</section>")[0]
    assert history.count("<li>") == 2
    assert "Reviewed, no changes" in history and "First published" in history
    assert long_date(datetime.date(2025, 1, 1)) in history
    assert history.index("Reviewed, no changes") < history.index("First published")


def test_approving_changed_content_of_a_live_article_waits_for_publication(editor):
    reviewer = reviewer_with_account()
    article = cited_article(reviewer=reviewer)
    edit(article, body="## Overview\n\nUpdated advice.[^guidance]")

    approve(article, reviewer, by=editor)

    article.refresh_from_db()
    assert article.versions.count() == 1
    assert "Updated advice." not in article.live_version.body_html
    assert publish(article=article, user=editor).number == 2


# Publish on approval -----------------------------------------------------------------------


def test_publish_on_approval_publishes_at_once_with_the_note_as_summary(draft, editor, reviewer):
    approve(draft, reviewer, by=editor, note="Added advice on naps", publish_on_approval=True)

    draft.refresh_from_db()
    assert draft.is_published
    version = draft.live_version
    assert (version.number, version.kind) == (1, VersionKind.PUBLISHED)
    assert (version.change_summary, version.published_by) == ("Added advice on naps", editor)
    assert (version.reviewer, version.reviewed_on) == (reviewer, today())


def test_publish_on_approval_without_a_note_gets_a_default_summary(draft, editor, reviewer):
    approve(draft, reviewer, by=editor, publish_on_approval=True)

    draft.refresh_from_db()
    assert draft.live_version.change_summary == "Updated after medical review"


def test_requested_changes_on_a_publish_on_approval_review_publish_nothing(draft, editor, reviewer):
    review = submit_for_review(
        article=draft, reviewer=reviewer, requested_by=editor, publish_on_approval=True
    )

    decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.CHANGES_REQUESTED,
        notes="Not yet.",
        **signed(review, reviewer.user),
    )

    draft.refresh_from_db()
    assert (draft.status, draft.live_version) == (ArticleStatus.DRAFT, None)


# Unpublishing ------------------------------------------------------------------------------


@pytest.fixture
def live(draft, writer, editor, reviewer):
    approve(draft, reviewer, by=writer)
    publish(article=draft, user=editor)
    draft.refresh_from_db()
    return draft


def test_unpublishing_needs_the_permission(live, writer):
    with pytest.raises(PermissionDenied):
        unpublish(article=live, user=writer, reason="Outdated.")

    live.refresh_from_db()
    assert live.is_published


@pytest.mark.parametrize("reason", ["", "  "])
def test_unpublishing_needs_a_reason(live, editor, reason):
    with pytest.raises(ValidationError) as raised:
        unpublish(article=live, user=editor, reason=reason)

    assert "reason" in raised.value.message_dict
    live.refresh_from_db()
    assert live.is_published


def test_only_a_published_article_can_be_unpublished(draft, editor):
    with pytest.raises(ValidationError, match="not published"):
        unpublish(article=draft, user=editor, reason="Outdated.")


def test_unpublishing_hides_the_page_keeps_the_history_and_allows_republishing(
    client, live, editor
):
    first = live.live_version
    first_row = version_row(first)

    unpublish(article=live, user=editor, reason=" Guidance withdrawn. ")

    live.refresh_from_db()
    assert live.status == ArticleStatus.UNPUBLISHED and not live.is_published
    assert client.get(live.get_absolute_url()).status_code == 404
    assert version_row(first) == first_row
    assert live.events.filter(action="unpublished", detail="Guidance withdrawn.").exists()

    version = publish(article=live, user=editor)

    assert version.number == 2
    live.refresh_from_db()
    assert live.is_published and live.live_version == version
    assert client.get(live.get_absolute_url()).status_code == 200


def test_unpublishing_cancels_a_scheduled_publication(live, writer, reviewer, editor):
    edit(live, summary="A clearer summary.")
    approve(live, reviewer, by=writer)
    schedule_publication(
        article=live, user=editor, publish_at=timezone.now() + datetime.timedelta(days=1)
    )

    unpublish(article=live, user=editor, reason="Guidance withdrawn.")

    live.refresh_from_db()
    assert live.publish_at is None


# Cancelling a review -----------------------------------------------------------------------


def test_an_editor_cancels_an_open_review(draft, writer, editor, reviewer):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)

    cancel_review(review_request=review, user=editor, reason=" Wrong reviewer. ")

    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED and review.closed_at is not None
    assert draft.events.filter(
        action="review cancelled", actor=editor, detail="Wrong reviewer."
    ).exists()
    # The article can go to another reviewer now.
    assert submit_for_review(article=draft, reviewer=ReviewerFactory(), requested_by=writer)


@pytest.mark.parametrize("role", ["Writer", "Medical reviewer"])
def test_only_editors_cancel_reviews(draft, writer, reviewer, role):
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    user = reviewer.user if role == "Medical reviewer" else writer

    with pytest.raises(PermissionDenied):
        cancel_review(review_request=review, user=user)

    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_only_an_open_review_can_be_cancelled(draft, writer, editor, reviewer):
    decided = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    decide_review(
        review_request=decided,
        user=reviewer.user,
        decision=Decision.APPROVED,
        **signed(decided, reviewer.user),
    )
    cancelled = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    cancel_review(review_request=cancelled, user=editor)

    for review in (decided, cancelled):
        with pytest.raises(ValidationError, match="Only an open review"):
            cancel_review(review_request=review, user=editor)

    decided.refresh_from_db()
    assert decided.status == ReviewStatus.DECIDED


# Imported approvals ------------------------------------------------------------------------


def write_md(path, front_matter: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front_matter.strip()}\n---\n{body}\n", encoding="utf-8")


@pytest.fixture
def content_folder(tmp_path):
    """A content folder with one reviewer, a published article and a reviewed draft."""
    root = tmp_path / "content"
    write_md(root / "categories/sleep.md", 'name: "Sleep"', "Rest.")
    write_md(root / "reviewers/ada-lee.md", 'name: "Ada Lee"\ncredentials: "MD"', "Ada.")
    common = (
        'category: sleep\nsummary: "Most adults need seven to nine hours."\n'
        'author: "Sam Writer"\nreviewer: ada-lee\n'
        "reviewed_on: 2025-03-04\nnext_review_due: 2026-03-04\n"
    )
    write_md(
        root / "articles/sleep-basics.md",
        'title: "Sleep basics"\n' + common + "published_on: 2025-03-05\nstatus: published",
        "## Overview\n\nAdults need seven to nine hours.",
    )
    write_md(
        root / "articles/naps.md",
        'title: "Naps"\n' + common + "status: draft",
        "## Overview\n\nShort naps are fine.",
    )
    return root


def test_an_imported_review_is_kept_as_an_imported_approval_and_a_live_version(
    content_folder, client, editor
):
    import_content(directory=content_folder)

    article = Article.objects.get(slug="sleep-basics")
    approval = SignOff.objects.get(article=article)
    assert approval.is_imported is True
    assert approval.decision == Decision.APPROVED
    assert (approval.reviewer.slug, approval.reviewed_on) == ("ada-lee", datetime.date(2025, 3, 4))
    assert (approval.review_request, approval.decided_by) == (None, None)
    assert approval.content_fingerprint == article.content_fingerprint
    assert approval.content == content_snapshot(article)
    live = article.live_version
    assert (live.number, live.kind) == (1, VersionKind.IMPORTED)
    assert (live.reviewer, live.reviewed_on) == (approval.reviewer, datetime.date(2025, 3, 4))
    assert live.content_fingerprint == approval.content_fingerprint
    assert article.is_published
    assert current_approval(article=article) == approval
    with pytest.raises(ValidationError, match="already live"):
        publish(article=article, user=editor)
    assert client.get(article.get_absolute_url()).status_code == 200

    import_content(directory=content_folder)  # importing again records nothing new

    assert SignOff.objects.filter(article=article).count() == 1
    assert article.versions.count() == 1


def test_an_imported_approval_of_a_draft_lets_an_editor_publish_it(content_folder, editor):
    import_content(directory=content_folder)
    naps = Article.objects.get(slug="naps")
    approval = SignOff.objects.get(article=naps, is_imported=True)
    assert naps.live_version is None

    version = publish(article=naps, user=editor)

    assert (version.reviewer, version.reviewed_on) == (approval.reviewer, approval.reviewed_on)
    naps.refresh_from_db()
    assert naps.is_published


def test_an_imported_approval_goes_stale_when_the_content_changes(content_folder, editor):
    import_content(directory=content_folder)
    naps = Article.objects.get(slug="naps")

    edit(naps, body="## Overview\n\nLong naps are fine too.")

    assert current_approval(article=naps) is None
    with pytest.raises(ValidationError, match="changed since it was last approved"):
        publish(article=naps, user=editor)


# Two decisions on one review ---------------------------------------------------------------


def test_a_decision_racing_one_already_recorded_is_refused(draft, writer, reviewer):
    """The losing request of a race finds the review still open (it read it before the
    winner committed) but cannot add a second sign-off: the one-to-one constraint holds."""
    review = submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    snapshot = content_snapshot(draft)
    SignOff.objects.create(
        article=draft,
        review_request=review,
        reviewer=reviewer,
        decided_by=reviewer.user,
        decision=Decision.CHANGES_REQUESTED,
        notes="Recorded first.",
        reviewed_on=today(),
        content_fingerprint="0" * 64,
        content=snapshot,
    )

    with pytest.raises(ValidationError, match="already been decided"):
        decide_review(
            review_request=review,
            user=reviewer.user,
            decision=Decision.APPROVED,
            **signed(review, reviewer.user),
        )

    assert SignOff.objects.get().notes == "Recorded first."
    assert not draft.events.filter(action="approved").exists()
    assert current_approval(article=draft) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
@needs_postgresql
def test_two_simultaneous_decisions_record_exactly_one():
    writer = role_user("Writer")
    reviewer = reviewer_with_account()
    article = cited_article(published=False, created_by=writer)
    review = submit_for_review(article=article, reviewer=reviewer, requested_by=writer)
    start = threading.Barrier(2, timeout=10)
    outcomes = []

    def decide(decision, notes):
        try:
            start.wait()
            decide_review(
                review_request=review,
                user=reviewer.user,
                decision=decision,
                notes=notes,
                **signed(review, reviewer.user),
            )
            outcomes.append("recorded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(Decision.APPROVED, "")),
        threading.Thread(target=decide, args=(Decision.CHANGES_REQUESTED, "Fix the dose.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["recorded", "refused"]
    assert SignOff.objects.filter(review_request=review).count() == 1
    review.refresh_from_db()
    assert review.status == ReviewStatus.DECIDED
    assert article.events.filter(action__in=["approved", "changes requested"]).count() == 1


def test_nobody_who_changed_the_content_under_review_may_approve_it(client, editor):
    """A user who is both a writer and a medical reviewer rewrites someone else's article in
    the admin; they may then neither be assigned to review it nor approve it."""
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from tests.admin_forms import change_form_data

    article = cited_article(published=False, created_by=role_user("Writer"))
    both = role_user("Writer")
    both.groups.add(Group.objects.get(name="Medical reviewer"))
    profile = ReviewerFactory(name="Dr Both", user=both)
    review = submit_for_review(article=article, reviewer=profile, requested_by=editor)
    client.force_login(both)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(client.get(url), body=article.body + "\n\nDouble the dose.")
    assert client.post(url, {k: v for k, v in data.items() if v is not None}).status_code == 302

    with pytest.raises(PermissionDenied, match="edited this article since it was last approved"):
        decide_review(
            review_request=review, user=both, decision=Decision.APPROVED, **signed(review, both)
        )
    assert not SignOff.objects.exists()

    cancel_review(review_request=review, user=editor, reason="Reassigning")
    with pytest.raises(ValidationError, match="nobody may review content they changed"):
        submit_for_review(article=article, reviewer=profile, requested_by=editor)

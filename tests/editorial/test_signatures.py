"""A sign-off is a signature: refused without a fresh confirmation of who the reviewer is
and the statement naming what they reviewed; recorded with both; never changed after."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleEvent, PublishedVersion
from articles.models.records import RecordIsFinal
from editorial.forms import REVIEWER_CHECKLIST
from editorial.models import ConfirmationMethod, Decision, SignOff
from editorial.services import decide_review, submit_for_review
from editorial.signatures import Confirmation
from tests.factories import FAQFactory, cited_article, reviewer_with_account, role_user
from tests.signatures import signature_fields, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return reviewer_with_account(name="Dr Ada Lee", credentials="MD")


@pytest.fixture
def review(reviewer):
    writer = role_user("Writer")
    article = cited_article(published=False, created_by=writer, title="Sleep basics")
    FAQFactory(article=article, question="How long?", answer="Seven hours.")
    return submit_for_review(article=article, reviewer=reviewer, requested_by=writer)


def decide(review, user, **signature):
    return decide_review(review_request=review, user=user, decision=Decision.APPROVED, **signature)


def test_a_decision_without_a_confirmation_is_refused(review, reviewer):
    signature = signed(review, reviewer.user) | {"confirmation": None}

    with pytest.raises(ValidationError, match="Confirm who you are to sign this decision"):
        decide(review, reviewer.user, **signature)

    assert not SignOff.objects.exists()


def test_a_confirmation_older_than_the_window_is_refused(review, reviewer, settings):
    settings.SIGN_OFF_CONFIRMATION_MINUTES = 5
    stale = Confirmation(
        user_id=reviewer.user.pk,
        method=ConfirmationMethod.PASSWORD,
        confirmed_at=timezone.now() - datetime.timedelta(minutes=6),
    )

    with pytest.raises(ValidationError, match="in the last 5 minutes"):
        decide(review, reviewer.user, **(signed(review, reviewer.user) | {"confirmation": stale}))

    assert not SignOff.objects.exists()


def test_someone_elses_confirmation_is_refused(review, reviewer):
    other = role_user("Editor")
    signature = signed(review, other) | {"statement": signed(review, reviewer.user)["statement"]}

    with pytest.raises(ValidationError, match="Confirm who you are"):
        decide(review, reviewer.user, **signature)


def test_a_decision_without_the_statement_is_refused(review, reviewer):
    with pytest.raises(ValidationError, match="Affirm the statement"):
        decide(review, reviewer.user, **(signed(review, reviewer.user) | {"statement": ""}))


def test_a_statement_naming_other_content_is_refused(review, reviewer):
    shown = signed(review, reviewer.user)
    FAQFactory(article=review.article, question="Added while they read?", answer="Yes.")

    with pytest.raises(ValidationError, match="no longer names its content"):
        decide(review, reviewer.user, **shown)

    assert not SignOff.objects.exists()


def test_the_sign_off_records_the_signature(review, reviewer):
    sign_off = decide(review, reviewer.user, **signed(review, reviewer.user))

    sign_off.refresh_from_db()
    assert sign_off.confirmation_method == ConfirmationMethod.PASSWORD
    assert timezone.now() - sign_off.confirmed_at < datetime.timedelta(minutes=1)
    assert sign_off.statement == (
        "I, Dr Ada Lee, MD, have reviewed “Sleep basics” as shown to me: its summary and text, "
        f"its 1 source and its 1 FAQ (content fingerprint {sign_off.content_fingerprint[:16]}). "
        "This decision is my own medical judgement of that content."
    )


# On the review page --------------------------------------------------------------------------


def review_url(review):
    return reverse("admin:editorial_reviewrequest_review", args=[review.pk])


def post_decision(client, review, **fields):
    data = {f"check_{name}": "on" for name, _ in REVIEWER_CHECKLIST}
    data.update(decision=Decision.APPROVED, **signature_fields(client, review_url(review)))
    data.update(fields)
    return client.post(review_url(review), data, REMOTE_ADDR="203.0.113.7")


def test_the_review_page_asks_for_the_password_and_shows_the_statement(client, review, reviewer):
    client.force_login(reviewer.user)

    page = client.get(review_url(review)).content.decode()

    assert "Your signature" in page
    assert "have reviewed “Sleep basics” as shown to me" in page
    assert "Your password" in page


def test_a_wrong_password_signs_nothing_and_counts_toward_the_lockout(
    client, review, reviewer, settings
):
    settings.AXES_ENABLED = True
    client.force_login(reviewer.user)

    response = post_decision(client, review, secret="not-my-password")

    assert response.status_code == 200
    assert "That password is not right" in response.content.decode()
    assert not SignOff.objects.exists()
    attempt = AccessAttempt.objects.get(username=reviewer.user.username)
    assert attempt.failures_since_start == 1


def test_an_unticked_statement_signs_nothing(client, review, reviewer):
    client.force_login(reviewer.user)

    response = post_decision(client, review, affirm="")

    assert response.status_code == 200
    assert "Affirm the statement" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_recent_confirmation_signs_the_next_decision_without_the_password(
    client, review, reviewer, settings
):
    client.force_login(reviewer.user)
    assert post_decision(client, review).status_code == 302
    second = submit_for_review(
        article=cited_article(published=False, title="Hay fever"),
        reviewer=reviewer,
        requested_by=role_user("Editor"),
    )

    page = client.get(review_url(second)).content.decode()
    assert "You confirmed who you are at" in page
    assert post_decision(client, second, secret="").status_code == 302
    assert SignOff.objects.count() == 2

    settings.SIGN_OFF_CONFIRMATION_MINUTES = 0
    third = submit_for_review(
        article=cited_article(published=False, title="Hiccups"),
        reviewer=reviewer,
        requested_by=role_user("Editor"),
    )
    refused = post_decision(client, third, secret="")
    assert "Confirm who you are to sign this decision" in refused.content.decode()
    assert SignOff.objects.count() == 2


# Final records ---------------------------------------------------------------------------------


@pytest.fixture
def sign_off(review, reviewer):
    cited_article(title="Hay fever")  # and a published version
    return decide(review, reviewer.user, **signed(review, reviewer.user))


def test_a_sign_off_cannot_be_changed_or_deleted(sign_off):
    sign_off.notes = "Changed afterwards"
    with pytest.raises(RecordIsFinal, match="sign-off is part of the audit trail"):
        sign_off.save()
    with pytest.raises(RecordIsFinal):
        sign_off.delete()
    with pytest.raises(RecordIsFinal):
        SignOff.objects.filter(pk=sign_off.pk).update(notes="Changed afterwards")
    with pytest.raises(RecordIsFinal):
        SignOff.objects.all().delete()
    sign_off.refresh_from_db()
    assert sign_off.notes == ""


def test_audit_entries_and_published_versions_cannot_be_changed_or_deleted(sign_off):
    event = ArticleEvent.objects.filter(article=sign_off.article).first()
    with pytest.raises(RecordIsFinal):
        ArticleEvent.objects.filter(pk=event.pk).update(detail="Rewritten")
    with pytest.raises(RecordIsFinal):
        event.delete()
    version = PublishedVersion.objects.first()
    with pytest.raises(RecordIsFinal):
        PublishedVersion.objects.filter(pk=version.pk).update(title="Rewritten")
    with pytest.raises(RecordIsFinal):
        version.delete()
    # What is derived from a version again may be refreshed.
    assert PublishedVersion.objects.filter(pk=version.pk).update(rendered_with="stale:x") == 1


def test_an_account_that_signed_cannot_be_deleted(sign_off, reviewer):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        reviewer.user.delete()


def test_the_admin_offers_no_change_or_delete_of_sign_offs(client, sign_off):
    client.force_login(role_user("Editor", is_superuser=True))
    change = reverse("admin:editorial_signoff_change", args=[sign_off.pk])
    delete = reverse("admin:editorial_signoff_delete", args=[sign_off.pk])

    assert client.post(change, {"notes": "Changed"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SignOff.objects.filter(pk=sign_off.pk, notes="").exists()


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger that refuses changes to final records is PostgreSQL's; run with "
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test",
)


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE reviewers_signoff SET notes = 'Changed afterwards'",
        "UPDATE reviewers_signoff SET statement = 'I approve anything'",
        "DELETE FROM reviewers_signoff",
        "UPDATE articles_articleevent SET detail = 'Rewritten'",
        "DELETE FROM articles_articleevent",
        "UPDATE articles_publishedversion SET body_html = '<p>Rewritten</p>'",
        "UPDATE articles_publishedversion SET reviewed_on = '2020-01-01'",
    ],
)
def test_postgresql_refuses_a_stray_update_or_delete(sign_off, statement):
    with (
        pytest.raises(IntegrityError, match="part of the audit trail"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


@postgresql_only
def test_postgresql_lets_derived_columns_of_a_version_be_refreshed(sign_off):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_publishedversion SET rendered_with = 'stale:x', "
            "rendered_page = '', hero_renditions = '[]'"
        )
        assert cursor.rowcount >= 1

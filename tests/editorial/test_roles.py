"""The three editorial roles: the groups the data migration creates, exactly the permissions
each holds, and what each can and cannot do in the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from editorial.models import Decision, ReviewRequest, ReviewStatus, SignOff
from editorial.roles import sync_roles
from editorial.services import decide_review, submit_for_review
from tests.factories import cited_article, reviewer_with_account, role_user
from tests.signatures import signature_fields, signed

pytestmark = pytest.mark.django_db

READ_CONTENT = {
    "articles.view_article",
    "articles.view_citation",
    "articles.view_faq",
    "articles.view_category",
    "articles.view_source",
    "articles.view_publishedversion",
    "reviewers.view_reviewer",
    "editorial.view_reviewrequest",
    "editorial.view_signoff",
}
WRITE_CONTENT = {
    "articles.add_article",
    "articles.change_article",
    "articles.add_citation",
    "articles.change_citation",
    "articles.delete_citation",
    "articles.add_faq",
    "articles.change_faq",
    "articles.delete_faq",
    "articles.add_source",
    "articles.change_source",
    "articles.submit_article",
    "taggit.view_tag",
    "taggit.add_tag",
}
EXPECTED_PERMISSIONS = {
    "Writer": READ_CONTENT | WRITE_CONTENT,
    "Medical reviewer": READ_CONTENT | {"editorial.sign_off"},
    "Editor": READ_CONTENT
    | WRITE_CONTENT
    | {
        "articles.publish_article",
        "feedback.view_feedback",
        "articles.add_category",
        "articles.change_category",
        "reviewers.add_reviewer",
        "reviewers.change_reviewer",
        "editorial.change_reviewrequest",
        "taggit.change_tag",
        "api.view_apiconsumer",
        "api.view_apikey",
        "api.view_apiusage",
        "api.view_webhookdelivery",
    },
}
CHECKLIST_CONFIRMED = {
    "check_accurate": "on",
    "check_balanced": "on",
    "check_sources_current": "on",
    "check_safety_warnings": "on",
}


def group_permissions(name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def article_url(name: str, article) -> str:
    return reverse(f"admin:articles_article_{name}", args=[article.pk])


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def writer():
    return role_user("Writer")


@pytest.fixture
def editor():
    return role_user("Editor")


@pytest.fixture
def reviewer():
    return reviewer_with_account(name="Dr Ada Lee")


@pytest.fixture
def article(writer):
    return cited_article(published=False, created_by=writer, title="Sleep basics")


@pytest.fixture
def review(article, reviewer, writer):
    return submit_for_review(article=article, reviewer=reviewer, requested_by=writer)


# The groups --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(EXPECTED_PERMISSIONS))
def test_each_role_has_exactly_its_permissions(role):
    assert group_permissions(role) == EXPECTED_PERMISSIONS[role]


def test_only_editors_publish_and_only_reviewers_sign_off():
    holders = {
        permission: {role for role in EXPECTED_PERMISSIONS if permission in group_permissions(role)}
        for permission in (
            "articles.publish_article",
            "editorial.sign_off",
            "articles.change_article",
        )
    }
    assert holders == {
        "articles.publish_article": {"Editor"},
        "editorial.sign_off": {"Medical reviewer"},
        "articles.change_article": {"Writer", "Editor"},
    }


def test_sync_roles_restores_exactly_the_role_permissions():
    writers = Group.objects.get(name="Writer")
    writers.permissions.add(Permission.objects.get(codename="publish_article"))
    writers.permissions.remove(Permission.objects.get(codename="submit_article"))

    sync_roles(Group, Permission)
    sync_roles(Group, Permission)  # rerunning changes nothing

    for role, expected in EXPECTED_PERMISSIONS.items():
        assert group_permissions(role) == expected, role
    assert Group.objects.filter(name__in=EXPECTED_PERMISSIONS).count() == 3


# Writer ------------------------------------------------------------------------------------


def test_a_writer_can_add_articles_and_submit_them(client, writer, article):
    client = logged_in(client, writer)

    assert client.get(reverse("admin:articles_article_add")).status_code == 200
    assert client.get(article_url("change", article)).status_code == 200
    submit = client.get(article_url("submit", article))
    assert submit.status_code == 200
    assert "publish_on_approval" not in submit.context["form"].fields


@pytest.mark.parametrize("view", ["publish", "schedule", "unpublish"])
def test_a_writer_cannot_publish_schedule_or_unpublish(client, writer, article, view):
    client = logged_in(client, writer)

    assert client.get(article_url(view, article)).status_code == 403
    assert client.post(article_url(view, article), {"reason": "x"}).status_code == 403


def test_a_writer_cannot_decide_or_cancel_a_review(client, writer, review):
    client = logged_in(client, writer)

    decide = client.post(
        reverse("admin:editorial_reviewrequest_review", args=[review.pk]),
        {"decision": Decision.APPROVED, **CHECKLIST_CONFIRMED},
    )
    cancel = client.post(reverse("admin:editorial_reviewrequest_cancel", args=[review.pk]))

    assert decide.status_code == 403  # not among the writer's reviews
    assert "only they and the editors can open it" in decide.content.decode()
    assert cancel.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


# Medical reviewer --------------------------------------------------------------------------


def test_a_reviewer_cannot_change_articles(client, reviewer, article):
    client = logged_in(client, reviewer.user)
    title_before = article.title

    response = client.post(
        article_url("change", article), {"title": "Changed by the reviewer", "body": "x"}
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == title_before
    assert client.get(reverse("admin:articles_article_add")).status_code == 403


@pytest.mark.parametrize("view", ["submit", "publish", "schedule", "unpublish"])
def test_a_reviewer_cannot_submit_or_publish(client, reviewer, article, view):
    client = logged_in(client, reviewer.user)

    assert client.get(article_url(view, article)).status_code == 403


def test_a_reviewer_sees_only_their_own_reviews(client, reviewer, review, writer):
    other_article = cited_article(published=False, title="Blood pressure explained")
    other_reviewer = reviewer_with_account(name="Dr Other")
    other_review = submit_for_review(
        article=other_article, reviewer=other_reviewer, requested_by=writer
    )
    client = logged_in(client, reviewer.user)

    response = client.get(reverse("admin:editorial_reviewrequest_changelist"))

    assert response.status_code == 200
    assert response.context["title"] == "My reviews"
    assert list(response.context["cl"].result_list) == [review]
    html = response.content.decode()
    assert "Sleep basics" in html
    assert "Blood pressure explained" not in html
    own = client.get(reverse("admin:editorial_reviewrequest_review", args=[review.pk]))
    assert own.status_code == 200 and own.context["can_decide"]
    other = reverse("admin:editorial_reviewrequest_review", args=[other_review.pk])
    refused = client.get(other)
    assert refused.status_code == 403
    assert "assigned to Dr Other: only they and the editors" in refused.content.decode()


def test_a_reviewer_decides_their_review_in_the_admin(client, reviewer, review):
    client = logged_in(client, reviewer.user)
    url = reverse("admin:editorial_reviewrequest_review", args=[review.pk])

    shown = signature_fields(client, url)
    unconfirmed = client.post(url, {"decision": Decision.APPROVED, **shown})
    assert unconfirmed.status_code == 200  # the checklist must be confirmed first
    assert not SignOff.objects.exists()

    response = client.post(url, {"decision": Decision.APPROVED, **CHECKLIST_CONFIRMED, **shown})

    assert response.status_code == 302
    sign_off = SignOff.objects.get()
    assert (sign_off.decision, sign_off.decided_by) == (Decision.APPROVED, reviewer.user)
    assert sign_off.checklist == {
        "accurate": True,
        "balanced": True,
        "sources_current": True,
        "safety_warnings": True,
    }


def test_a_reviewer_cannot_cancel_a_review(client, reviewer, review):
    client = logged_in(client, reviewer.user)

    response = client.post(reverse("admin:editorial_reviewrequest_cancel", args=[review.pk]))

    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


# Editor ------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["publish", "schedule", "unpublish"])
def test_an_editor_opens_the_publish_schedule_and_unpublish_views(client, editor, view):
    live = cited_article()
    client = logged_in(client, editor)

    response = client.get(article_url(view, live))

    assert response.status_code == 200
    assert response.context["article"] == live


def test_an_editor_may_ask_for_publication_on_approval(client, editor, article):
    response = logged_in(client, editor).get(article_url("submit", article))

    assert "publish_on_approval" in response.context["form"].fields


def test_an_editor_sees_every_review_but_cannot_decide_one(client, editor, review, writer):
    other = submit_for_review(
        article=cited_article(published=False),
        reviewer=reviewer_with_account(),
        requested_by=writer,
    )
    client = logged_in(client, editor)

    listing = client.get(reverse("admin:editorial_reviewrequest_changelist"))
    decide = client.post(
        reverse("admin:editorial_reviewrequest_review", args=[review.pk]),
        {"decision": Decision.APPROVED, **CHECKLIST_CONFIRMED},
    )

    assert listing.context["title"] == "All reviews"
    assert set(listing.context["cl"].result_list) == {review, other}
    assert decide.status_code == 403
    assert not SignOff.objects.exists()


def test_an_editor_cancels_a_review_in_the_admin(client, editor, review):
    response = logged_in(client, editor).post(
        reverse("admin:editorial_reviewrequest_cancel", args=[review.pk]),
        {"reason": "Wrong reviewer."},
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED


def test_an_editor_publishes_in_the_admin(client, editor, reviewer, review):
    decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        **signed(review, reviewer.user),
    )

    response = logged_in(client, editor).post(
        article_url("publish", review.article), {"change_summary": ""}
    )

    assert response.status_code == 302
    review.article.refresh_from_db()
    assert review.article.is_published


def test_staff_without_a_role_cannot_use_the_article_admin(client, article):
    nobody = role_user("Writer")
    nobody.groups.clear()
    client = logged_in(client, nobody)

    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.get(article_url("submit", article)).status_code == 403
    assert ReviewRequest.objects.count() == 0


# The migration -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_roles_migration_rolls_back_and_forward():
    call_command("migrate", "reviewers", "0002", verbosity=0)
    assert not Group.objects.filter(name__in=EXPECTED_PERMISSIONS).exists()

    call_command("migrate", verbosity=0)

    for role, expected in EXPECTED_PERMISSIONS.items():
        assert group_permissions(role) == expected, role

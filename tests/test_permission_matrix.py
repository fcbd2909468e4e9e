"""The permission matrix (docs/roles.md), cell by cell: each role against every admin page,
every admin action and every workflow service, allowed or refused with a clear message.

The pages and actions are read from the admin site's registry and the services from
editorial.services, so a new one fails here until the matrix (and docs/roles.md) says who
may use it."""

import datetime
import inspect
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone

from editorial import services
from editorial.models import Decision
from tests.factories import cited_article
from tests.permission_world import ROLES, admin_url, admin_url_names, make_world, outcome, sign_in
from tests.signatures import signed

pytestmark = pytest.mark.django_db

ROLE_NAMES = ["anonymous", "writer", "medical reviewer", "editor", "administrator", "inactive"]

# Each admin page, opened with GET: what each role in ROLES gets.
#   shown: the page (read-only where the role may only view); refused: 403 with the reason;
#   sign in: sent to the sign-in page; redirect: sent on (to the page it belongs to, or, for
#   a record the role cannot see, to the admin home with a message); POST only: 405.
POST_ONLY = ("sign in", "POST only", "POST only", "POST only", "POST only", "sign in")
PAGES = {
    "api_apiconsumer_add": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "api_apiconsumer_change": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_apiconsumer_changelist": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_apiconsumer_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "api_apiconsumer_history": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_apikey_add": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "api_apikey_change": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_apikey_changelist": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_apikey_delete": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "api_apikey_history": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_apiusage_add": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "api_apiusage_change": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_apiusage_changelist": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_apiusage_delete": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "api_apiusage_history": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_webhookdelivery_add": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "api_webhookdelivery_change": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "api_webhookdelivery_changelist": (
        "sign in",
        "refused",
        "refused",
        "shown",
        "shown",
        "sign in",
    ),
    "api_webhookdelivery_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "api_webhookdelivery_history": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "app_list": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_article_add": ("sign in", "shown", "refused", "shown", "shown", "sign in"),
    "articles_article_change": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_article_changelist": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_article_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "articles_article_history": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_article_look_up_citation": POST_ONLY,
    "articles_article_preview_body": POST_ONLY,
    "articles_article_publish": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "articles_article_schedule": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "articles_article_submit": ("sign in", "shown", "refused", "shown", "shown", "sign in"),
    "articles_article_unpublish": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "articles_category_add": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "articles_category_change": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_category_changelist": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_category_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "articles_category_history": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_source_add": ("sign in", "shown", "refused", "shown", "shown", "sign in"),
    "articles_source_change": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_source_changelist": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "articles_source_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "articles_source_history": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "auth_group_add": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_group_change": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_group_changelist": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_group_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_group_history": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_user_add": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_user_change": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_user_changelist": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_user_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_user_history": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "auth_user_password_change": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "autocomplete": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "axes_accessattempt_add": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "axes_accessattempt_change": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "axes_accessattempt_changelist": (
        "sign in",
        "refused",
        "refused",
        "refused",
        "shown",
        "sign in",
    ),
    "axes_accessattempt_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "axes_accessattempt_history": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "axes_accessfailurelog_add": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "axes_accessfailurelog_change": (
        "sign in",
        "refused",
        "refused",
        "refused",
        "shown",
        "sign in",
    ),
    "axes_accessfailurelog_changelist": (
        "sign in",
        "refused",
        "refused",
        "refused",
        "shown",
        "sign in",
    ),
    "axes_accessfailurelog_delete": (
        "sign in",
        "refused",
        "refused",
        "refused",
        "shown",
        "sign in",
    ),
    "axes_accessfailurelog_history": (
        "sign in",
        "refused",
        "refused",
        "refused",
        "shown",
        "sign in",
    ),
    "axes_accesslog_add": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "axes_accesslog_change": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "axes_accesslog_changelist": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "axes_accesslog_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "axes_accesslog_history": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "editorial_audit_trail_csv": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "editorial_review_dashboard": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "editorial_reviewrequest_add": (
        "sign in",
        "refused",
        "refused",
        "refused",
        "refused",
        "sign in",
    ),
    "editorial_reviewrequest_cancel": (
        "sign in",
        "redirect",
        "redirect",
        "redirect",
        "redirect",
        "sign in",
    ),
    "editorial_reviewrequest_change": ("sign in", "redirect", "shown", "shown", "shown", "sign in"),
    "editorial_reviewrequest_changelist": (
        "sign in",
        "shown",
        "shown",
        "shown",
        "shown",
        "sign in",
    ),
    "editorial_reviewrequest_delete": (
        "sign in",
        "refused",
        "refused",
        "refused",
        "refused",
        "sign in",
    ),
    "editorial_reviewrequest_history": (
        "sign in",
        "redirect",
        "shown",
        "shown",
        "shown",
        "sign in",
    ),
    "editorial_reviewrequest_review": ("sign in", "refused", "shown", "shown", "shown", "sign in"),
    "editorial_signoff_add": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "editorial_signoff_change": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "editorial_signoff_changelist": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "editorial_signoff_delete": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "editorial_signoff_history": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "feedback_feedback_add": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "feedback_feedback_change": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "feedback_feedback_changelist": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "feedback_feedback_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "feedback_feedback_history": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "index": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "jsi18n": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "login": ("shown", "redirect", "redirect", "redirect", "redirect", "shown"),
    "logout": ("redirect", "POST only", "POST only", "POST only", "POST only", "redirect"),
    "otp_totp_totpdevice_add": ("sign in", "refused", "refused", "refused", "refused", "sign in"),
    "otp_totp_totpdevice_change": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "otp_totp_totpdevice_changelist": (
        "sign in",
        "refused",
        "refused",
        "refused",
        "shown",
        "sign in",
    ),
    "otp_totp_totpdevice_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "otp_totp_totpdevice_history": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "staff_two_factor": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "password_change": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "password_change_done": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "reviewers_reviewer_add": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "reviewers_reviewer_calendar_link": (
        "sign in",
        "refused",
        "shown",
        "shown",
        "shown",
        "sign in",
    ),
    "reviewers_reviewer_change": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "reviewers_reviewer_changelist": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "reviewers_reviewer_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "reviewers_reviewer_history": ("sign in", "shown", "shown", "shown", "shown", "sign in"),
    "taggit_tag_add": ("sign in", "shown", "refused", "shown", "shown", "sign in"),
    "taggit_tag_change": ("sign in", "shown", "refused", "shown", "shown", "sign in"),
    "taggit_tag_changelist": ("sign in", "shown", "refused", "shown", "shown", "sign in"),
    "taggit_tag_delete": ("sign in", "refused", "refused", "refused", "shown", "sign in"),
    "taggit_tag_history": ("sign in", "shown", "refused", "shown", "shown", "sign in"),
    "taggit_tag_merge_tags": ("sign in", "refused", "refused", "shown", "shown", "sign in"),
    "view_on_site": ("sign in", "redirect", "redirect", "redirect", "redirect", "sign in"),
}

# Each admin action: whether each role (writer, reviewer, editor, administrator) can run it
# from a list it can open. Anonymous and inactive accounts reach no list at all.
STAFF_ROLES = ROLES[1:5]
ACTIONS = {
    ("api.ApiConsumer", "delete_selected"): (False, False, False, True),
    ("api.ApiKey", "delete_selected"): (False, False, False, False),
    ("api.ApiKey", "revoke"): (False, False, False, True),
    ("api.ApiUsage", "delete_selected"): (False, False, False, False),
    ("api.WebhookDelivery", "delete_selected"): (False, False, False, True),
    ("api.WebhookDelivery", "retry_now"): (False, False, False, True),
    ("articles.Article", "delete_selected"): (False, False, False, True),
    ("articles.Article", "schedule_re_review"): (True, False, True, True),
    ("articles.Category", "delete_selected"): (False, False, False, True),
    ("articles.Source", "delete_selected"): (False, False, False, True),
    ("auth.Group", "delete_selected"): (False, False, False, True),
    ("auth.User", "delete_selected"): (False, False, False, True),
    ("auth.User", "reset_second_factor"): (False, False, False, True),
    ("otp_totp.TOTPDevice", "delete_selected"): (False, False, False, True),
    ("axes.AccessAttempt", "cleanup_expired_attempts"): (False, False, False, True),
    ("axes.AccessAttempt", "delete_selected"): (False, False, False, True),
    ("axes.AccessFailureLog", "delete_selected"): (False, False, False, True),
    ("axes.AccessLog", "delete_selected"): (False, False, False, True),
    ("editorial.ReviewRequest", "delete_selected"): (False, False, False, False),
    ("editorial.SignOff", "delete_selected"): (False, False, False, False),
    ("feedback.Feedback", "delete_selected"): (False, False, False, True),
    ("reviewers.Reviewer", "delete_selected"): (False, False, False, True),
    ("reviewers.Reviewer", "reset_calendar_link"): (False, True, True, True),
    ("taggit.Tag", "delete_selected"): (False, False, False, True),
    ("taggit.Tag", "merge_tags"): (False, False, True, True),
}

# Each workflow service that acts for a person: allowed or refused for each role in ROLES.
SERVICES = {
    "submit_for_review": ("refused", "allowed", "refused", "allowed", "allowed", "refused"),
    "decide_review": ("refused", "refused", "allowed", "refused", "refused", "refused"),
    "publish": ("refused", "refused", "refused", "allowed", "allowed", "refused"),
    "schedule_publication": ("refused", "refused", "refused", "allowed", "allowed", "refused"),
    "cancel_schedule": ("refused", "refused", "refused", "allowed", "allowed", "refused"),
    "unpublish": ("refused", "refused", "refused", "allowed", "allowed", "refused"),
    "cancel_review": ("refused", "refused", "refused", "allowed", "allowed", "refused"),
}


@pytest.fixture
def world():
    return make_world()


# Every entry exists -------------------------------------------------------------------------


def test_every_admin_page_has_a_row():
    missing = sorted(set(admin_url_names()) - set(PAGES))
    assert not missing, f"admin pages with no row in PAGES (and docs/roles.md): {missing}"
    assert not sorted(set(PAGES) - set(admin_url_names())), "rows for pages that are gone"


def test_every_admin_action_has_a_row():
    declared = {
        (model._meta.label, name)
        for model, model_admin in admin.site._registry.items()
        for _function, name, _description in model_admin._get_base_actions()
    }
    assert declared == set(ACTIONS), f"actions with no row: {sorted(declared - set(ACTIONS))}"


def _acting_services():
    for name, function in inspect.getmembers(services, inspect.isfunction):
        parameters = inspect.signature(function).parameters
        if function.__module__ == services.__name__ and not name.startswith("_"):
            acting = {"user", "requested_by"} & set(parameters)
            if acting and all(parameters[p].kind == inspect.Parameter.KEYWORD_ONLY for p in acting):
                yield name


def test_every_workflow_service_has_a_row():
    assert set(_acting_services()) == set(SERVICES)


# The cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAGES))
def test_admin_page(client, world, name):
    url = admin_url(name, world)
    for role, expected in zip(ROLES, PAGES[name], strict=True):
        response = sign_in(client, world.users[role]).get(url)
        assert outcome(response) == expected, f"{role} on {name} ({url})"
        if expected == "refused":
            page = response.content.decode()
            assert "You do not have permission to do this" in page
            assert re.search(r"<p>\s*\w", page), f"{role} on {name}: no reason given"


@pytest.mark.parametrize("label,action", sorted(ACTIONS))
def test_admin_action(world, label, action):
    model_admin = next(ma for m, ma in admin.site._registry.items() if m._meta.label == label)
    for role, expected in zip(STAFF_ROLES, ACTIONS[label, action], strict=True):
        request = RequestFactory().get("/admin/")
        request.user = world.users[role]
        offered = action in model_admin.get_actions(request)
        reachable = model_admin.has_view_or_change_permission(request)
        assert (offered and reachable) == expected, f"{role}: {action} on {label}"


def _approved_draft(world):
    writer, reviewer = world.users["writer"], world.review.reviewer
    draft = cited_article(published=False, created_by=writer, title="Hand washing")
    review = services.submit_for_review(article=draft, reviewer=reviewer, requested_by=writer)
    services.decide_review(
        review_request=review, user=reviewer.user, decision=Decision.APPROVED,
        **signed(review, reviewer.user),
    )  # fmt: skip
    return draft


def _call(name, world, user):
    """Call the service for this user on content where only the role decides the answer."""
    article, review = world.objects["articles.Article"], world.review
    if name == "submit_for_review":
        draft = cited_article(published=False, created_by=world.users["writer"])
        return services.submit_for_review(
            article=draft, reviewer=world.other_reviewer, requested_by=user
        )
    if name == "decide_review":
        return services.decide_review(
            review_request=review, user=user, decision=Decision.APPROVED,
            **signed(review, user),
        )  # fmt: skip
    if name == "publish":
        return services.publish(article=_approved_draft(world), user=user)
    if name == "schedule_publication":
        when = timezone.now() + datetime.timedelta(days=1)
        return services.schedule_publication(
            article=_approved_draft(world), user=user, publish_at=when
        )
    if name == "cancel_schedule":
        draft = _approved_draft(world)
        when = timezone.now() + datetime.timedelta(days=1)
        services.schedule_publication(article=draft, user=world.users["editor"], publish_at=when)
        return services.cancel_schedule(article=draft, user=user)
    if name == "unpublish":
        return services.unpublish(article=article, user=user, reason="Superseded by new advice.")
    if name == "cancel_review":
        return services.cancel_review(review_request=review, user=user, reason="Reassigning.")
    raise AssertionError(f"no call for {name}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_workflow_service(world, name, role):
    user = world.users[role] or AnonymousUser()
    expected = SERVICES[name][ROLES.index(role)]
    if expected == "allowed":
        _call(name, world, user)
        return
    with pytest.raises(PermissionDenied) as refusal:
        _call(name, world, user)
    message = str(refusal.value)
    assert len(message) > 20 and message.endswith("."), f"unclear refusal: {message!r}"


# The rules the matrix exists for ------------------------------------------------------------


def test_a_reviewer_cannot_decide_someone_elses_review(world):
    other = world.other_reviewer.user
    with pytest.raises(PermissionDenied, match="Only the assigned reviewer"):
        services.decide_review(
            review_request=world.review, user=other, decision=Decision.APPROVED,
            **signed(world.review, other),
        )  # fmt: skip


def test_nobody_approves_their_own_article(world):
    """Even an account that is both writer and reviewer, assigned its own article."""
    reviewer = world.review.reviewer
    services.cancel_review(review_request=world.review, user=world.users["editor"])
    own = cited_article(published=False, created_by=reviewer.user, title="My article")
    with pytest.raises(Exception, match="wrote this article"):
        services.submit_for_review(
            article=own, reviewer=reviewer, requested_by=world.users["editor"]
        )


# The written matrix -------------------------------------------------------------------------


def markdown_rows() -> list[str]:
    """docs/roles.md's tables, row by row, as this file's matrix says they must read."""
    rows = [f"| `{name}` | " + " | ".join(cells) + " |" for name, cells in sorted(PAGES.items())]
    rows += [
        f"| {label} `{action}` | " + " | ".join("yes" if c else "no" for c in cells) + " |"
        for (label, action), cells in sorted(ACTIONS.items())
    ]
    rows += [
        f"| `{name}` | " + " | ".join(cells) + " |" for name, cells in sorted(SERVICES.items())
    ]
    return rows


def test_docs_roles_md_shows_this_matrix():
    written = Path(__file__).resolve().parent.parent.joinpath("docs", "roles.md").read_text()
    missing = [row for row in markdown_rows() if row not in written.splitlines()]
    assert not missing, "docs/roles.md differs from the matrix; rows expected:\n" + "\n".join(
        missing
    )

"""The accounts and content the permission matrix (tests/test_permission_matrix.py) is
checked against: one account per role, and one object of every model the admin shows."""

from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from taggit.models import Tag

from api.keys import create_api_key
from api.models import ApiConsumer, ApiUsage, WebhookDelivery, WebhookEndpoint, WebhookEvent
from editorial.models import Decision, SignOff
from editorial.services import submit_for_review
from feedback.models import Feedback
from tests.factories import (
    ReviewerFactory,
    UserFactory,
    cited_article,
    reviewer_with_account,
    role_user,
)

# The order of every row of the matrix.
ROLES = ["anonymous", "writer", "reviewer", "editor", "administrator", "inactive"]


@dataclass
class World:
    users: dict  # role -> User, or None for anonymous
    objects: dict  # model label -> an instance
    other_reviewer: object
    review: object


def make_world() -> World:
    writer = role_user("Writer", username="writer")
    reviewer = reviewer_with_account(name="Dr Ada Lee")
    editor = role_user("Editor", username="editor")
    administrator = UserFactory(username="administrator", is_staff=True, is_superuser=True)
    inactive = role_user("Editor", username="inactive", is_active=False)
    other_reviewer = reviewer_with_account(name="Dr Ben Okafor")
    article = cited_article(published=True, created_by=writer, title="Sleep basics")
    review = submit_for_review(article=article, reviewer=reviewer, requested_by=editor)
    decided = cited_article(published=True, title="Hay fever")
    sign_off = SignOff.objects.create(
        article=decided,
        reviewer=ReviewerFactory(),
        decision=Decision.APPROVED,
        reviewed_on=timezone.localdate(),
        content_fingerprint=decided.content_fingerprint,
        content={},
        is_imported=True,
    )
    article.tags.add("sleep")
    feedback = Feedback.objects.create(
        article=article, version=article.live_version, helpful=True, client_hash="x" * 64
    )
    attempt = AccessAttempt.objects.create(
        username="someone", ip_address="203.0.113.9", failures_since_start=1,
        get_data="", post_data="", http_accept="", path_info="/admin/login/",
    )  # fmt: skip
    log = AccessLog.objects.create(
        username="someone", ip_address="203.0.113.9", http_accept="", path_info="/admin/"
    )
    failure = AccessFailureLog.objects.create(
        username="someone", ip_address="203.0.113.9", http_accept="", path_info="/admin/"
    )
    api_consumer = ApiConsumer.objects.create(name="Partner", contact_email="dev@partner.example")
    api_key = create_api_key(consumer=api_consumer).key
    endpoint = WebhookEndpoint.objects.create(
        consumer=api_consumer, url="https://partner.example/hooks"
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=other_reviewer.user, name="Authenticator app")
    objects = {
        "otp_totp.TOTPDevice": device,
        "api.ApiConsumer": api_consumer,
        "api.ApiKey": api_key,
        "api.ApiUsage": ApiUsage.objects.create(
            key=api_key, month=timezone.localdate().replace(day=1)
        ),
        "api.WebhookDelivery": WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=WebhookEvent.PUBLISHED,
            article=article,
            body="{}",
            created_at=timezone.now(),
        ),
        "articles.Article": article,
        "articles.Category": article.category,
        "articles.Source": article.citations.first().source,
        "reviewers.Reviewer": reviewer,
        "editorial.ReviewRequest": review,
        "editorial.SignOff": sign_off,
        "feedback.Feedback": feedback,
        "taggit.Tag": Tag.objects.get(name="sleep"),
        "auth.User": writer,
        "auth.Group": Group.objects.get(name="Writer"),
        "axes.AccessAttempt": attempt,
        "axes.AccessLog": log,
        "axes.AccessFailureLog": failure,
    }
    users = {
        "anonymous": None,
        "writer": writer,
        "reviewer": reviewer.user,
        "editor": editor,
        "administrator": administrator,
        "inactive": inactive,
    }
    return World(users=users, objects=objects, other_reviewer=other_reviewer, review=review)


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def admin_url_names() -> list[str]:
    """Every named admin URL: the site's own and each registered model admin's."""
    return sorted(set(_names(admin.site.get_urls())))


def admin_url(name: str, world: World) -> str:
    """The address of the admin page, for the world's object where it needs one."""
    if name == "app_list":
        return reverse("admin:app_list", args=["articles"])
    if name == "view_on_site":
        article = world.objects["articles.Article"]
        content_type = ContentType.objects.get_for_model(article)
        return reverse("admin:view_on_site", args=[content_type.pk, article.pk])
    if name == "autocomplete":
        return (
            reverse("admin:autocomplete")
            + "?app_label=articles&model_name=article&field_name=category"
        )
    if name == "editorial_review_dashboard":
        return reverse(f"admin:{name}")
    for label in world.objects:
        prefix = label.lower().replace(".", "_") + "_"
        if name.startswith(prefix):
            action = name.removeprefix(prefix)
            if action in ("changelist", "add", "merge_tags", "preview_body", "look_up_citation"):
                return reverse(f"admin:{name}")
            return reverse(f"admin:{name}", args=[world.objects[label].pk])
    if name == "reviewers_reviewer_calendar_link":
        return reverse(f"admin:{name}", args=[world.objects["reviewers.Reviewer"].pk])
    return reverse(f"admin:{name}")


def sign_in(client, user: User | None):
    client.logout()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def outcome(response) -> str:
    """What a request got, in the matrix's words."""
    if response.status_code == 200:
        return "shown"
    if response.status_code == 403:
        return "refused"
    if response.status_code == 404:
        return "not found"
    if response.status_code == 405:
        return "POST only"
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return "sign in"
        return "redirect"
    return str(response.status_code)

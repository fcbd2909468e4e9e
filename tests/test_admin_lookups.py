"""No admin list answers a URL filter on a column its filters do not offer: such lookups
(``?calendar_link__token_hash__regex=^4``) would let anyone who may list a model read any
column of any row, one character at a time, by counting the rows that match."""

import pytest
from django.contrib import admin
from django.urls import reverse

from healthsite.admin_lookups import ListedLookupsOnly
from tests.factories import ReviewerFactory, reviewer_with_account, role_user

pytestmark = pytest.mark.django_db

OURS = {"articles", "reviewers", "editorial", "feedback", "auth"}


def our_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OURS
    ]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_admin_of_ours_takes_only_its_listed_lookups():
    assert our_admins()
    for model, model_admin in our_admins():
        assert isinstance(model_admin, ListedLookupsOnly), model


@pytest.mark.parametrize(
    ("model", "model_admin"),
    our_admins(),
    ids=[model._meta.label for model, _ in our_admins()],
)
def test_a_lookup_on_a_column_the_filters_do_not_offer_is_refused(
    admin_client, rf, admin_user, model, model_admin
):
    request = rf.get("/")
    request.user = admin_user
    offered = model_admin.filterable_fields(request)
    for field in model._meta.concrete_fields:
        if field.name in offered:
            continue
        response = admin_client.get(changelist(model), {f"{field.name}__regex": "^."})
        assert response.status_code == 400, f"{model._meta.label}.{field.name} answered"


def test_a_writer_cannot_probe_a_reviewers_calendar_secret(client):
    target = reviewer_with_account()
    ReviewerFactory()
    client.force_login(role_user("Writer"))
    url = reverse("admin:reviewers_reviewer_changelist")

    probes = [
        {"id": target.pk, "calendar_link__token_hash__regex": "^4"},
        {"calendar_link__token_hash__startswith": "a"},
        {"user__password__startswith": "md5"},
        {"user__email__contains": "@"},
    ]

    for probe in probes:
        assert client.get(url, probe).status_code == 400, probe


def test_the_filters_the_admin_offers_still_work(admin_client):
    ReviewerFactory(is_active=False)
    response = admin_client.get(
        reverse("admin:reviewers_reviewer_changelist"), {"is_active__exact": 0}
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    articles = admin_client.get(
        reverse("admin:articles_article_changelist"),
        {"status__exact": "published", "review_due": "overdue", "published_at__year": 2026},
    )
    assert articles.status_code == 200

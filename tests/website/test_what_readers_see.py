"""Everything a reader sees of an article comes from its published version or from approved,
published data: a writer's edit of a live article changes no public page until an editor
publishes it, and then its old address redirects to the new one.

Every field of Article is classified below; a field added later without being classified
fails test_every_article_field_is_classified, so nobody adds a reader-visible field without
deciding how it reaches readers.
"""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.hero_images import refresh_hero_renditions
from articles.models import PRESENTATION_FIELDS, Article, ArticleEvent
from editorial.models import Decision
from editorial.services import decide_review, publish, submit_for_review
from tests.admin_forms import change_form_data
from tests.editorial.test_workflow import CHECKLIST_CONFIRMED
from tests.factories import (
    CategoryFactory,
    CitationFactory,
    FAQFactory,
    cited_article,
    image_file,
    republish,
    reviewer_with_account,
    role_user,
)
from tests.signatures import signed

pytestmark = pytest.mark.django_db

# Shown to readers and covered by the medical sign-off (the content fingerprint).
# A translation's language and the source version it follows are in its snapshot too.
REVIEWED = {
    "title",
    "summary",
    "body",
    "citations",
    "faqs",
    "language",
    "translation_of",
    "translated_from",
}
# Shown to readers, frozen into each published version (articles.PRESENTATION_FIELDS).
FROZEN = set(PRESENTATION_FIELDS)
# Shown to readers, but set only by the review workflow and the schedule (editors), never
# by the article form.
WORKFLOW = {
    "status",
    "published_at",
    "reviewer",
    "last_reviewed_on",
    "next_review_due",
    "review_interval_months",
    "next_review_due_override",
    "live_version",
    "live_published_at",
    "live_slug",
    "live_category",
    "publish_at",
    "publish_note",
}
# Made from the fields above (image size and renditions, fingerprints, related articles).
DERIVED = {
    "hero_width",
    "hero_height",
    "hero_renditions",
    "content_fingerprint",
    "presentation_fingerprint",
    "related_article_ids",
    # Whether a translation lags its source (articles/translations.py), and its translations.
    "source_changed_at",
    "translations",
}
# Never shown to readers.
INTERNAL = {
    "id",
    "readability_note",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "edit_version",
    "tagged_items",
    # The review work and the audit trail, in the admin only.
    "versions",
    "events",
    "review_requests",
    "sign_offs",
    "review_reminders",
    "feedback",
    "old_addresses",
}

# What a writer changes in the admin, and what readers would see if it leaked.
EDITS = {
    "slug": ({"slug": "sleep-guide-renamed"}, None),
    "category": (lambda: {"category": str(CategoryFactory(name="Mental wellbeing").pk)}, None),
    "tags": ({"tags": "sleep, sponsored-by-acme"}, "sponsored-by-acme"),
    "author": ({"author": "Acme Mattresses Ltd"}, "Acme Mattresses Ltd"),
    "hero_alt": ({"hero_alt": "A mattress advert"}, "A mattress advert"),
    "hero_credit": ({"hero_credit": "Photo: SPONSORED by Acme"}, "SPONSORED by Acme"),
    "is_sample": ({"is_sample": None}, None),  # unticked: the sample notice would go
    "title": ({"title": "Sleep: buy the Acme mattress"}, "buy the Acme mattress"),
    "summary": ({"summary": "The Acme mattress cures insomnia."}, "cures insomnia"),
    "body": (
        {"body": "## Overview\n\nDouble the dose of melatonin.[^guidance]"},
        "Double the dose",
    ),
}


def test_every_article_field_is_classified():
    fields = {field.name for field in Article._meta.get_fields()}
    classes = [REVIEWED, FROZEN, WORKFLOW, DERIVED, INTERNAL]
    assert fields == set().union(*classes), (
        "Classify every Article field in tests/website/test_what_readers_see.py; a field "
        "readers see must be frozen into PublishedVersion (PRESENTATION_FIELDS) or reviewed."
    )
    assert sum(len(c) for c in classes) == len(fields), "a field is in two classes"
    assert FROZEN - {"tags"} <= {f.name for f in Article._meta.fields}


def test_every_frozen_field_is_on_the_published_version():
    from articles.models import PublishedVersion

    version_fields = {field.name for field in PublishedVersion._meta.get_fields()}
    assert version_fields >= FROZEN


@pytest.fixture
def live(settings):
    article = cited_article(
        slug="sleep-guide",
        title="Sleep guide",
        summary="How much sleep adults need.",
        author="Sam Writer",
        is_sample=True,
        hero_image=image_file(size=(1200, 675)),
        hero_alt="A bedroom at night",
        hero_credit="Photo: Jane Doe",
        tags=["sleep"],
    )
    FAQFactory(article=article, question="Are naps good?", answer="Short ones.")
    CitationFactory(article=article, key="extra", is_further_reading=True)
    refresh_hero_renditions(article=article)  # as saving it in the admin did
    republish(article)
    approve(Article.objects.get(pk=article.pk))  # a reviewer signed off what readers see
    return Article.objects.get(pk=article.pk)


def approve(article):
    reviewer = reviewer_with_account()
    review = submit_for_review(article=article, reviewer=reviewer, requested_by=role_user("Editor"))
    decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        checklist=dict.fromkeys(CHECKLIST_CONFIRMED, True),
        **signed(review, reviewer.user),
    )


def public_pages(client, article):
    """The article page and every listing that shows it, as an anonymous reader gets them."""
    urls = [
        "/articles/sleep-guide/",
        "/",
        article.category.get_absolute_url(),
        "/tags/sleep/",
        article.reviewer.get_absolute_url(),
        "/search/?q=sleep",
        "/feed/",
        "/sitemap.xml",
    ]
    return {url: (r.status_code, r.content) for url in urls if (r := client.get(url))}


def writer_saves(client, article, changes):
    writer = role_user("Writer")
    client.force_login(writer)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(client.get(url), **changes)
    data = {name: value for name, value in data.items() if value is not None}
    if "is_sample" in changes:
        data.pop("is_sample", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    return writer


@pytest.mark.parametrize("field", sorted(EDITS))
def test_a_writers_edit_of_a_live_article_reaches_readers_only_through_publication(
    client, live, field
):
    assert field in REVIEWED | FROZEN
    changes, leak = EDITS[field]
    changes = changes() if callable(changes) else changes
    before = public_pages(client, live)

    writer_saves(client, live, changes)

    assert public_pages(client, live) == before  # every page, byte for byte
    article = Article.objects.get(pk=live.pk)
    # The admin says so, and the audit trail records the edit.
    event = ArticleEvent.objects.filter(article=article, action="edited").latest("created_at")
    assert "Readers see the published version" in event.detail
    if field in REVIEWED:
        approve(article)
    publish(article=Article.objects.get(pk=live.pk), user=role_user("Editor"))

    article = Article.objects.get(pk=live.pk)
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    if leak:
        assert leak in html
    if field == "is_sample":
        assert "Sample content." not in html
    if field == "category":
        assert "Mental wellbeing" in html
    if field == "slug":
        assert article.get_absolute_url() == "/articles/sleep-guide-renamed/"
        old = client.get("/articles/sleep-guide/")
        assert (old.status_code, old["Location"]) == (301, "/articles/sleep-guide-renamed/")


def test_a_new_hero_image_reaches_readers_only_through_publication(client, live):
    before = public_pages(client, live)
    old_image = live.hero_renditions[0]["name"]
    writer = role_user("Writer")
    client.force_login(writer)
    url = reverse("admin:articles_article_change", args=[live.pk])
    data = change_form_data(client.get(url))
    data = {name: value for name, value in data.items() if value is not None}
    data["hero_image"] = image_file("advert.jpg", size=(1600, 900), color=(200, 0, 0))
    assert client.post(url, data).status_code == 302
    client.logout()
    assert Article.objects.get(pk=live.pk).hero_image.name != live.hero_image.name

    assert public_pages(client, live) == before
    assert old_image in client.get("/articles/sleep-guide/").content.decode()

    publish(article=Article.objects.get(pk=live.pk), user=role_user("Editor"))
    html = client.get("/articles/sleep-guide/").content.decode()
    new_image = Article.objects.get(pk=live.pk).hero_renditions[0]["name"]
    assert new_image in html
    assert old_image not in html


def test_the_admin_list_says_when_a_live_articles_changes_are_not_published(
    admin_client, client, live
):
    writer_saves(client, live, {"hero_credit": "Photo: Acme"})

    html = admin_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Approved and live" not in html
    assert "Approved; changes not yet published" in html
    change_page = admin_client.get(reverse("admin:articles_article_change", args=[live.pk]))
    assert "are not published yet" in change_page.content.decode()


def test_an_address_given_up_can_be_taken_by_another_article(client, live):
    other = cited_article(slug="another-guide", title="Another guide")
    approve(other)
    writer_saves(client, live, {"slug": "renamed-guide"})
    publish(article=Article.objects.get(pk=live.pk), user=role_user("Editor"))
    # The old address now redirects; another article may take it and publish there.
    writer_saves(client, other, {"slug": "sleep-guide"})
    publish(article=Article.objects.get(pk=other.pk), user=role_user("Editor"))

    assert client.get("/articles/sleep-guide/").content.decode().count("Another guide") >= 1
    assert client.get("/articles/renamed-guide/").status_code == 200
    assert client.get("/articles/another-guide/")["Location"] == "/articles/sleep-guide/"


def test_a_slug_that_is_another_live_articles_address_is_refused_in_the_form(client, live):
    other = cited_article(slug="another-guide")
    client.force_login(role_user("Writer"))
    url = reverse("admin:articles_article_change", args=[other.pk])
    data = change_form_data(client.get(url), slug="sleep-guide")
    data = {name: value for name, value in data.items() if value is not None}

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["slug"]
    assert errors == [
        "“sleep-guide” is the address of the published article “Sleep guide”. "
        "Choose another address."
    ]


def test_a_tag_rename_by_an_editor_shows_at_once(client, live):
    tag = Tag.objects.get(name="sleep")
    tag.name = "sleep and rest"
    tag.save()

    assert ">sleep and rest</a>" in client.get("/articles/sleep-guide/").content.decode()

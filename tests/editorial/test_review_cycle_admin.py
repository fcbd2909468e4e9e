"""The whole review cycle, driven through the admin with the test client, as people use it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, VersionKind
from editorial.forms import REVIEWER_CHECKLIST
from editorial.models import Decision, ReviewRequest, ReviewStatus, SignOff
from tests.admin_forms import change_form_data
from tests.factories import CategoryFactory, ReviewerFactory, SourceFactory, role_user
from tests.signatures import signature_fields

pytestmark = pytest.mark.django_db

FIRST_BODY = "## Overview\n\nMost back pain gets better within six weeks.[^nhs]"
EDITED_BODY = (
    FIRST_BODY + "\n\n## When to get help\n\nCall your local emergency number if ...[^nhs]"
)
SECOND_BODY = EDITED_BODY + "\n\n## Exercise\n\nGentle walking helps most people.[^nhs]"


@pytest.fixture
def people(client):
    writer = role_user("Writer", username="wendy-writer")
    editor = role_user("Editor", username="eddie-editor")
    reviewer_user = role_user("Medical reviewer", username="rita-reviewer")
    reviewer = ReviewerFactory(name="Dr Rita Osei", credentials="MBChB, FRCP", user=reviewer_user)
    return {"writer": writer, "editor": editor, "reviewer": reviewer_user, "profile": reviewer}


def on_day(monkeypatch, day):
    """Make "today" a given date, as the sign-off records it."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def signature(client, review_request):
    url = reverse("admin:editorial_reviewrequest_review", args=[review_request.pk])
    return signature_fields(client, url)


def approve(client, review_request):
    decision = {f"check_{name}": "on" for name, _ in REVIEWER_CHECKLIST}
    decision.update(
        decision=Decision.APPROVED,
        notes="Accurate and balanced.",
        **signature(client, review_request),
    )
    return client.post(
        reverse("admin:editorial_reviewrequest_review", args=[review_request.pk]), decision
    )


def edit_body(client, article, body):
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(change_url, change_form_data(client.get(change_url), body=body))
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_writer_reviewer_editor_cycle(client, people, monkeypatch):
    category = CategoryFactory(name="Back Pain", slug="back-pain")
    source = SourceFactory(name="NHS", trust_label="Governmental authority")

    # A writer creates the article and submits it for review.
    client.force_login(people["writer"])
    add = {
        "title": "Back pain",
        "slug": "back-pain",
        "category": str(category.pk),
        "tags": "back",
        "summary": "Most back pain gets better on its own.",
        "author": "Wendy Writer",
        "language": "en",
        "body": FIRST_BODY,
        "hero_alt": "",
        "hero_credit": "",
        "readability_note": "",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-0-order": "0",
        "citations-0-key": "nhs",
        "citations-0-source": str(source.pk),
        "citations-0-title": "Back pain",
        "citations-0-url": "https://www.nhs.uk/conditions/back-pain/",
        "citations-0-year": "2024",
        "faqs-TOTAL_FORMS": "1",
        "faqs-INITIAL_FORMS": "0",
        "faqs-0-order": "0",
        "faqs-0-question": "Should I rest?",
        "faqs-0-answer": "Keep moving as much as you can.",
        "_save": "Save",
    }
    response = client.post(reverse("admin:articles_article_add"), add)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="back-pain")
    assert article.created_by == people["writer"]

    response = client.post(
        reverse("admin:articles_article_submit", args=[article.pk]),
        {"reviewer": people["profile"].pk, "due_on": "", "note": "First draft."},
    )
    assert response.status_code == 302
    review = ReviewRequest.objects.get(article=article, status=ReviewStatus.OPEN)
    assert (
        client.get(reverse("admin:articles_article_publish", args=[article.pk])).status_code == 403
    )

    # The reviewer finds it under "My reviews" and requests changes.
    client.force_login(people["reviewer"])
    my_reviews = client.get(reverse("admin:editorial_reviewrequest_changelist"))
    assert "My reviews" in my_reviews.content.decode()
    assert "Back pain" in my_reviews.content.decode()
    review_url = reverse("admin:editorial_reviewrequest_review", args=[review.pk])
    page = client.get(review_url).content.decode()
    assert "Most back pain gets better within six weeks." in page
    assert "never been approved" in page
    response = client.post(
        review_url,
        {
            "decision": Decision.CHANGES_REQUESTED,
            "notes": "Add when to get help.",
            **signature(client, review),
        },
    )
    assert response.status_code == 302
    assert SignOff.objects.get(review_request=review).decision == Decision.CHANGES_REQUESTED

    # The writer edits and submits again.
    client.force_login(people["writer"])
    edit_body(client, article, EDITED_BODY)
    client.post(
        reverse("admin:articles_article_submit", args=[article.pk]),
        {"reviewer": people["profile"].pk, "note": "Added red flags."},
    )
    review = ReviewRequest.objects.get(article=article, status=ReviewStatus.OPEN)

    # The reviewer approves; the first approval is dated 5 January 2026.
    client.force_login(people["reviewer"])
    on_day(monkeypatch, datetime.date(2026, 1, 5))
    response = approve(client, review)
    assert response.status_code == 302
    monkeypatch.undo()
    approval = SignOff.objects.get(review_request=review)
    assert approval.checklist == {name: True for name, _ in REVIEWER_CHECKLIST}
    assert approval.reviewed_on == datetime.date(2026, 1, 5)

    # The editor publishes it.
    client.force_login(people["editor"])
    response = client.post(
        reverse("admin:articles_article_publish", args=[article.pk]), {"change_summary": ""}
    )
    assert response.status_code == 302
    public = client.__class__()
    page = public.get("/articles/back-pain/").content.decode()
    assert "Call your local emergency number" in page
    assert '<time datetime="2026-01-05">5 January 2026</time>' in page

    # The editor edits the live article: readers still see the approved text and date.
    edit_body(client, article, SECOND_BODY)
    page = public.get("/articles/back-pain/").content.decode()
    assert "Gentle walking helps most people." not in page
    assert '<time datetime="2026-01-05">5 January 2026</time>' in page
    change_page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "Changed since review" in change_page.content.decode()
    response = client.post(
        reverse("admin:articles_article_publish", args=[article.pk]), {"change_summary": "x"}
    )
    assert response.status_code == 200
    assert "changed since it was last approved" in response.content.decode()

    # The editor submits the edit, to be published on approval; the reviewer approves.
    client.post(
        reverse("admin:articles_article_submit", args=[article.pk]),
        {
            "reviewer": people["profile"].pk,
            "note": "Added advice on exercise",
            "publish_on_approval": "on",
        },
    )
    review = ReviewRequest.objects.get(article=article, status=ReviewStatus.OPEN)
    client.force_login(people["reviewer"])
    page = client.get(reverse("admin:editorial_reviewrequest_review", args=[review.pk]))
    assert "+ Gentle walking helps most people.[^nhs]" in page.content.decode()
    on_day(monkeypatch, datetime.date(2026, 3, 2))
    assert approve(client, review).status_code == 302
    monkeypatch.undo()

    page = public.get("/articles/back-pain/").content.decode()
    assert "Gentle walking helps most people." in page
    assert 'Page last reviewed:</dt> <dd><time datetime="2026-03-02">2 March 2026</time>' in page
    history = page[page.index('id="history-heading"') :]
    assert "Added advice on exercise" in history
    assert "First published" in history
    assert history.count("Medically reviewed by") == 2
    versions = article.versions.order_by("number")
    assert [(v.number, v.kind) for v in versions] == [
        (1, VersionKind.PUBLISHED),
        (2, VersionKind.PUBLISHED),
    ]


def test_second_editor_saving_an_older_copy_gets_a_conflict_and_loses_nothing(client, people):
    other = role_user("Editor", username="olga-editor")
    category = CategoryFactory()
    article = Article.objects.create(
        title="Sleep", slug="sleep", category=category, summary="S.", body="Old body.", author="A"
    )
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(people["editor"])
    first_form = client.get(change_url)
    second = client.__class__()
    second.force_login(other)
    second_form = second.get(change_url)

    response = client.post(change_url, change_form_data(first_form, body="First editor's body."))
    assert response.status_code == 302

    response = second.post(change_url, change_form_data(second_form, body="Second editor's body."))
    assert response.status_code == 200
    page = response.content.decode()
    assert "saved this article at" in page and "after you opened it" in page
    assert "Second editor&#x27;s body." in page  # still in the form, to copy or save again
    article.refresh_from_db()
    assert article.body == "First editor's body."

    # Having seen the warning, saving again is a deliberate choice and goes through.
    response = second.post(change_url, change_form_data(response, body="Merged body."))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Merged body."


def test_a_blocking_check_stops_submission_and_says_why(client, people):
    article = Article.objects.create(
        title="Sleep",
        slug="sleep",
        category=CategoryFactory(),
        summary="How much sleep adults need.",
        body="Adults need seven hours.[^cdc]",
        author="A",
    )
    client.force_login(people["writer"])
    submit_url = reverse("admin:articles_article_submit", args=[article.pk])
    checklist = client.get(submit_url).content.decode()
    assert "✗ Blocks submission:</strong> At least one citation" in checklist
    assert "✓ Passed:</strong> Summary present" in checklist

    response = client.post(submit_url, {"reviewer": people["profile"].pk})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Fix these before submitting for review" in page
    assert "[^cdc]" in page
    assert "At least one citation:" in page
    assert "Citation integrity:" in page
    assert not ReviewRequest.objects.filter(article=article).exists()

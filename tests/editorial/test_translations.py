"""Translations: an article in another language, linked to its source, reviewed and published
on its own through the same workflow (editorial.services), and marked out of date when its
source publishes content it does not follow (articles/translations.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, ArticleStatus, PublishedVersion, VersionKind
from articles.translations import language_versions, out_of_date_counts
from articles.versions import content_snapshot, refresh_content_fingerprint
from editorial.models import Decision
from editorial.services import current_approval, decide_review, publish, submit_for_review
from tests.factories import (
    ArticleFactory,
    CitationFactory,
    cited_article,
    reviewer_with_account,
    role_user,
)
from tests.signatures import signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return role_user("Editor")


def approve(article, reviewer, *, by):
    review = submit_for_review(article=article, reviewer=reviewer, requested_by=by)
    return decide_review(
        review_request=review,
        user=reviewer.user,
        decision=Decision.APPROVED,
        **signed(review, reviewer.user),
    )


def edit(article, **fields):
    article.refresh_from_db()
    for name, value in fields.items():
        setattr(article, name, value)
    article.full_clean()
    article.save()
    refresh_content_fingerprint(article=article)
    return article


def spanish_draft(source, **fields):
    """A draft Spanish translation of ``source`` that passes the pre-review checks."""
    fields.setdefault("slug", f"{source.slug}-es")
    article = Article(
        title="Cuánto dormir",
        summary="Un resumen breve y claro.",
        body="## Resumen\n\nLa mayoría de los adultos duerme de siete a nueve horas.[^guia]",
        author="Ana Escritora",
        category=source.category,
        language="es",
        translation_of=source,
        **fields,
    )
    article.full_clean()
    article.save()
    CitationFactory(article=article, key="guia", title="Guía del sueño")
    refresh_content_fingerprint(article=article)
    return article


def test_a_translation_follows_its_sources_live_version_and_records_it_when_published(editor):
    source = cited_article(title="How much sleep")
    translation = spanish_draft(source)
    assert translation.translated_from == source.live_version
    assert content_snapshot(translation)["language"] == "es"
    assert content_snapshot(translation)["translated_from"] == {
        "version": source.live_version.number,
        "content_fingerprint": source.live_version.content_fingerprint,
    }
    assert "language" not in content_snapshot(source)  # English fingerprints are unchanged

    spanish = reviewer_with_account(name="Dra. Lucía Romero")
    approve(translation, spanish, by=editor)
    version = publish(article=translation, user=editor)

    assert (version.language, version.source_version) == ("es", source.live_version)
    assert version.reviewer == spanish
    translation.refresh_from_db()
    assert translation.reviewer == spanish
    assert translation.live_version == version
    assert not translation.translation_is_out_of_date


def test_a_translation_needs_its_own_sign_off_and_the_sources_does_not_cover_it(editor):
    english = reviewer_with_account(name="Dr Ada Lee")
    spanish = reviewer_with_account(name="Dra. Lucía Romero")
    source = cited_article()
    translation = spanish_draft(source)

    approve(source, english, by=editor)  # a re-review of the source
    assert current_approval(article=translation) is None
    with pytest.raises(ValidationError, match="not been approved"):
        publish(article=translation, user=editor)

    sign_off = approve(translation, spanish, by=editor)
    assert sign_off.content_fingerprint == translation.content_fingerprint
    assert sign_off.content["language"] == "es"
    assert current_approval(article=translation) == sign_off

    edit(translation, summary="Otro resumen.")  # any edit makes the translation's sign-off stale
    assert current_approval(article=translation) is None
    assert current_approval(article=source) is not None


def test_publishing_the_source_never_touches_a_live_translation(editor):
    source = cited_article()
    translation = spanish_draft(source)
    approve(translation, reviewer_with_account(), by=editor)
    publish(article=translation, user=editor)
    translation.refresh_from_db()
    before = PublishedVersion.objects.filter(article=translation).values().get()
    reviewed = (translation.last_reviewed_on, translation.next_review_due, translation.reviewer)

    edit(source, body="## Overview\n\nNew advice on sleep.[^guidance]")
    approve(source, reviewer_with_account(), by=editor)
    publish(article=source, user=editor)

    translation.refresh_from_db()
    after = PublishedVersion.objects.filter(article=translation).values().get()
    changed = {k for k in before if before[k] != after[k]} - {"rendered_with"}
    assert changed == set()
    assert (translation.last_reviewed_on, translation.next_review_due, translation.reviewer) == (
        reviewed
    )
    assert translation.live_version_id == before["id"]


def test_a_translation_is_out_of_date_once_its_source_publishes_different_content(editor):
    source = cited_article()
    translation = spanish_draft(source)
    approve(translation, reviewer_with_account(), by=editor)
    publish(article=translation, user=editor)

    # A "Reviewed, no changes" version of the source changes nothing to translate.
    approve(source, reviewer_with_account(), by=editor)
    source.refresh_from_db()
    assert source.live_version.kind == VersionKind.REVIEWED_UNCHANGED
    translation.refresh_from_db()
    assert not translation.translation_is_out_of_date

    edit(source, summary="A new summary of the advice.")
    approve(source, reviewer_with_account(), by=editor)
    newer = publish(article=source, user=editor)
    translation.refresh_from_db()
    assert translation.source_changed_at == newer.published_at
    assert out_of_date_counts() == {"es": 1}

    # Brought up to date: the translation follows the newest version, is reviewed again
    # (it is part of what the reviewer signs) and published.
    edit(translation, summary="Un resumen nuevo.", translated_from=newer)
    assert current_approval(article=translation) is None
    approve(translation, reviewer_with_account(), by=editor)
    publish(article=translation, user=editor)
    translation.refresh_from_db()
    assert translation.source_changed_at is None
    assert translation.live_version.source_version == newer
    assert out_of_date_counts() == {}


def test_the_notice_for_readers_waits_for_the_grace_period(settings):
    settings.TRANSLATION_OUTDATED_GRACE_DAYS = 30
    article = Article(source_changed_at=timezone.now() - datetime.timedelta(days=30))
    assert article.translation_is_out_of_date
    assert not article.shows_outdated_translation_notice
    article.source_changed_at -= datetime.timedelta(days=1)
    assert article.shows_outdated_translation_notice
    assert not Article().shows_outdated_translation_notice


def test_a_translations_source_is_in_another_language_and_not_a_translation():
    source = cited_article()
    translation = spanish_draft(source)

    same_language = Article(
        title="Copy", slug="copy", summary="s", body="b", author="a",
        category=source.category, language="en", translation_of=source,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="in English too"):
        same_language.full_clean()

    of_a_translation = Article(
        title="Copy", slug="copy", summary="s", body="b", author="a",
        category=source.category, language="en", translation_of=translation,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        of_a_translation.full_clean()
    assert "translation_of" in refused.value.message_dict

    source.translation_of = translation
    source.language = "en"
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert "translation_of" in refused.value.message_dict

    other = ArticleFactory()
    translation = Article.objects.get(pk=translation.pk)
    translation.translated_from = other.live_version
    with pytest.raises(ValidationError, match="Choose a published version"):
        translation.full_clean()


def test_one_translation_per_language_per_source():
    source = cited_article()
    spanish_draft(source)
    second = Article(
        title="Otra", slug="otra", summary="s", body="b", author="a",
        category=source.category, language="es", translation_of=source,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="already has a translation in that language"):
        second.full_clean()
    second.translated_from = source.live_version
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_language_versions_link_a_source_and_its_published_translations(editor):
    source = cited_article()
    translation = spanish_draft(source)
    assert language_versions(source) == []  # the translation is a draft

    approve(translation, reviewer_with_account(), by=editor)
    publish(article=translation, user=editor)

    assert language_versions(source) == [translation]
    assert language_versions(translation) == [source]
    Article.objects.filter(pk=source.pk).update(status=ArticleStatus.UNPUBLISHED)
    assert language_versions(translation) == []


# What editors and readers see of an out-of-date translation -------------------------------


@pytest.fixture
def behind(editor):
    """A published Spanish translation whose source has since published a new summary."""
    source = cited_article(title="How much sleep", slug="sleep")
    translation = spanish_draft(source, slug="dormir")
    approve(translation, reviewer_with_account(), by=editor)
    publish(article=translation, user=editor)
    edit(source, summary="Adults need seven to nine hours.")
    approve(source, reviewer_with_account(), by=editor)
    publish(article=source, user=editor)
    translation.refresh_from_db()
    return translation


def test_the_admin_marks_an_out_of_date_translation_with_the_sources_changes(admin_client, behind):
    response = admin_client.get(f"/admin/articles/article/{behind.pk}/change/")
    page = response.content.decode()
    assert "Translation out of date" in page
    assert "Adults need seven to nine hours." in page  # the source's diff since then
    assert "diff__line--added" in page

    source_page = admin_client.get(f"/admin/articles/article/{behind.translation_of_id}/change/")
    assert "out of date</strong>" in source_page.content.decode()

    listed = admin_client.get("/admin/articles/article/?translation=out_of_date")
    assert [a.pk for a in listed.context["cl"].result_list] == [behind.pk]


def test_the_dashboard_counts_out_of_date_translations_per_language(admin_client, behind):
    response = admin_client.get("/admin/editorial/reviewrequest/dashboard/")
    assert response.context["dashboard"].translations_out_of_date == [("es", "Español", 1)]
    assert "Español: 1 out of date" in response.content.decode()


def test_readers_see_the_notice_only_after_the_grace_period(client, behind, settings):
    settings.TRANSLATION_OUTDATED_GRACE_DAYS = 30
    url = behind.get_absolute_url()
    assert "translation-notice" not in client.get(url).content.decode()

    Article.objects.filter(pk=behind.pk).update(
        source_changed_at=timezone.now() - datetime.timedelta(days=31)
    )
    page = client.get(url).content.decode()  # the same stored page, with the notice kept
    assert 'class="translation-notice"' in page
    assert f'href="{behind.translation_of.get_absolute_url()}" hreflang="en"' in page

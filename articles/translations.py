"""Translations: an article in another language linked to its source (Article.translation_of).

A translation is an article in its own right: its own content, reviewer, sign-off, versions
and review dates, through the same workflow. What links the two is which published version of
the source a translation follows (``Article.translated_from``, frozen into each of its
versions as ``PublishedVersion.source_version``). It is out of date from the moment its source
publishes content that differs from that version's; ``Article.source_changed_at`` records when,
and publication (of the source or of the translation) keeps it current. Nothing the source
publishes changes a translation's content or versions.
"""

import datetime

from django.db.models import Count, Q

from articles.models import Article, ArticleStatus, PublishedVersion
from articles.signals import live_articles_changed


def source_changed_at(translation: Article) -> datetime.datetime | None:
    """When the source first published content the translation's live version does not
    follow (None: up to date, or nothing live to compare)."""
    live = translation.live_version
    source = translation.translation_of
    if live is None or source is None or source.live_version_id is None:
        return None
    made_from = live.source_version
    if made_from is not None and source.live_version.content_fingerprint == (
        made_from.content_fingerprint
    ):
        return None
    newer = PublishedVersion.objects.filter(article=source)
    if made_from is not None:
        newer = newer.filter(number__gt=made_from.number).exclude(
            content_fingerprint=made_from.content_fingerprint
        )
    first = newer.order_by("number").only("published_at").first()
    return first.published_at if first else None


def refresh_translation_status(*, article: Article) -> None:
    """After ``article`` published a version: record whether it (a translation) or each of
    its translations is out of date. Writes only ``source_changed_at``."""
    if article.translation_of_id:
        translations = Article.objects.filter(pk=article.pk)
    else:
        translations = Article.objects.filter(translation_of=article)
    changed = []
    for translation in translations.select_related(
        "live_version__source_version", "translation_of__live_version"
    ).only(
        "source_changed_at",
        "translation_of__live_version__content_fingerprint",
        "live_version__source_version__number",
        "live_version__source_version__content_fingerprint",
    ):
        since = source_changed_at(translation)
        if since != translation.source_changed_at:
            Article.objects.filter(pk=translation.pk).update(source_changed_at=since)
            changed.append(translation.pk)
    if changed:
        live_articles_changed.send(sender=Article, article_ids=changed)


def language_versions(article: Article) -> list[Article]:
    """The published articles in other languages that are this one's source or
    translations (or its source's other translations), for hreflang and the switcher."""
    return list(
        published_language_versions(article.pk, article.translation_of_id).only(
            "language", "live_slug", "status", "published_at", "live_version_id", "translation_of"
        )
    )


def published_language_versions(article_id: int, translation_of_id: int | None):
    """language_versions' articles, as a QuerySet ordered by language, from the article's
    primary key and its ``translation_of_id``."""
    root_id = translation_of_id or article_id
    # A union of two index lookups: with "pk = root OR translation_of = root" the planner
    # (SQLite's) scanned every article.
    family = (
        Article.objects.order_by()
        .filter(translation_of_id=root_id)
        .values("pk")
        .union(Article.objects.order_by().filter(pk=root_id).values("pk"))
    )
    return (
        Article.objects.published()
        .filter(pk__in=family)
        .exclude(pk=article_id)
        .order_by("language")
    )


def language_version_ids(article: Article) -> list[int]:
    """The primary keys of the article's other language versions (any status)."""
    root_id = article.translation_of_id or article.pk
    return list(
        Article.objects.filter(Q(pk=root_id) | Q(translation_of_id=root_id))
        .exclude(pk=article.pk)
        .values_list("pk", flat=True)
    )


def out_of_date_counts() -> dict[str, int]:
    """Published translations that are out of date, by language (one query)."""
    rows = (
        Article.objects.filter(
            status=ArticleStatus.PUBLISHED,
            translation_of__isnull=False,
            source_changed_at__isnull=False,
        )
        .values("language")
        .annotate(count=Count("pk"))
        .order_by("language")
    )
    return {row["language"]: row["count"] for row in rows}

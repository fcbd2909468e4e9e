"""Versions: the content a sign-off covers (snapshot and fingerprint), and freezing a
published version from it.

Who may publish, and when, is the review workflow's business (editorial.services); it calls
create_published_version once an approval matches the content.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from taggit.models import Tag

from articles.audit import record_event
from articles.hero_images import release_replaced_renditions
from articles.markdown import CitedSource, render_markdown, searchable_text
from articles.models import (
    Article,
    ArticleAddress,
    ArticleStatus,
    Citation,
    PublishedVersion,
    VersionKind,
)
from articles.related import refresh_related_articles
from articles.review_schedule import next_review_due
from articles.signals import publication_changed
from articles.translations import refresh_translation_status

# What a version holds of the working copy it was frozen from (besides its tags); a
# "Reviewed, no changes" version copies them from the version before.
FROZEN_FIELDS = (
    "title",
    "summary",
    "author",
    "language",
    "source_version_id",
    "body_html",
    "outline",
    "sources",
    "faqs",
    "search_text",
    "content",
    "content_fingerprint",
    "slug",
    "category_id",
    "hero_image",
    "hero_width",
    "hero_height",
    "hero_renditions",
    "hero_alt",
    "hero_credit",
    "is_sample",
    "presentation_fingerprint",
)


def citation_data(citation: Citation) -> dict:
    """A citation as plain data: what a sign-off covers, and what a version and a content
    file record of it."""
    return {
        "key": citation.key,
        "source": citation.source.slug,
        "title": citation.title,
        "url": citation.url,
        "authors": citation.authors,
        "year": citation.year,
        "doi": citation.doi,
        "pmid": citation.pmid,
        "accessed_on": citation.accessed_on.isoformat() if citation.accessed_on else None,
    }


def content_snapshot(article: Article, *, citations=None, faqs=None) -> dict:
    """The content a medical sign-off covers, as plain data: title, summary, body,
    citations and FAQs, in reading order. Pass ``citations`` (with their sources) and
    ``faqs`` when they are already loaded."""
    if citations is None:
        citations = article.citations.select_related("source")
    if faqs is None:
        faqs = article.faqs.all()
    snapshot = {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "citations": [citation_data(citation) for citation in citations],
        "faqs": [{"question": faq.question, "answer": faq.answer} for faq in faqs],
    }
    # A translation's reviewer signs off on its language and on which version of the source
    # it renders; an article in the default language that translates nothing has neither,
    # so its fingerprint is what it always was.
    if article.language != settings.LANGUAGE_CODE or article.translation_of_id:
        snapshot["language"] = article.language
    if article.translation_of_id:
        source = article.translated_from
        snapshot["translated_from"] = source and {
            "version": source.number,
            "content_fingerprint": source.content_fingerprint,
        }
    return snapshot


def fingerprint(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def current_fingerprint(article: Article) -> str:
    """The fingerprint of the working copy as it is in the database now (reads only)."""
    return fingerprint(content_snapshot(article))


def presentation(article: Article, *, tag_ids=None) -> dict:
    """What readers see of the article besides its reviewed content (PRESENTATION_FIELDS),
    as plain data. Tags and the topic by their keys, so renaming one changes no article."""
    if tag_ids is None:
        tag_ids = article.tags.values_list("pk", flat=True)
    return {
        "slug": article.slug,
        "category": article.category_id,
        "tags": sorted(tag_ids),
        "author": article.author,
        "hero_image": article.hero_image.name or "",
        "hero_alt": article.hero_alt,
        "hero_credit": article.hero_credit,
        "is_sample": article.is_sample,
    }


def refresh_content_fingerprint(*, article: Article) -> str:
    """Store the fingerprints after the working copy (its content, citations, FAQs, or what
    else readers see of it) changed; returns the content's."""
    current = current_fingerprint(article)
    shown = fingerprint(presentation(article))
    if (current, shown) != (article.content_fingerprint, article.presentation_fingerprint):
        Article.objects.filter(pk=article.pk).update(
            content_fingerprint=current, presentation_fingerprint=shown
        )
        article.content_fingerprint, article.presentation_fingerprint = current, shown
    return current


def _source_entry(number: int, citation: Citation) -> dict:
    data = citation_data(citation)
    del data["source"]
    return {
        "number": number,
        "key": data.pop("key"),
        "source_name": citation.source.name,
        "source_url": citation.source.url,
        "source_type": str(citation.source.get_source_type_display()),
        "trust_label": citation.source.reader_trust_label(),
        **data,
    }


def build_version(
    article: Article, *, citations=None, faqs=None, tag_ids=None, **fields
) -> PublishedVersion:
    """An unsaved version rendered from the working copy: what readers would see. Its tags
    are in ``version.tag_ids`` until it is saved (save_version sets them).

    Used both to freeze a version at publication and to preview unpublished content.
    """
    # Rendered in the article's language: the Trusted Source controls, callouts, source types
    # and trust labels are frozen as its readers see them.
    with translation.override(article.language):
        return _build_version(article, citations=citations, faqs=faqs, tag_ids=tag_ids, **fields)


def _build_version(article, *, citations, faqs, tag_ids, **fields) -> PublishedVersion:
    if citations is None:
        citations = list(article.citations.select_related("source"))
    if faqs is None:
        faqs = list(article.faqs.all())
    if tag_ids is None:
        tag_ids = list(article.tags.values_list("pk", flat=True))
    cited = {
        citation.key: CitedSource(
            key=citation.key,
            number=number,
            source_name=citation.source.name,
            trust_label=citation.source.reader_trust_label(),
            title=citation.title,
            url=citation.url,
        )
        for number, citation in enumerate(citations, start=1)
    }
    body = render_markdown(article.body, citations=cited)
    snapshot = content_snapshot(article, citations=citations, faqs=faqs)
    version = PublishedVersion(
        article=article,
        title=article.title,
        summary=article.summary,
        author=article.author,
        language=article.language,
        source_version_id=article.translated_from_id if article.translation_of_id else None,
        body_html=body.html,
        outline=[list(entry) for entry in body.outline],
        sources=[_source_entry(number, c) for number, c in enumerate(citations, start=1)],
        faqs=[
            {
                "question": faq.question,
                # Under its h3 question, an answer's own headings start at h4.
                "answer_html": render_markdown(
                    faq.answer, id_prefix=f"faq{index}", top_heading_level=4
                ).html,
            }
            for index, faq in enumerate(faqs, start=1)
        ],
        content=snapshot,
        content_fingerprint=fingerprint(snapshot),
        slug=article.slug,
        category_id=article.category_id,
        hero_image=article.hero_image.name or "",
        hero_width=article.hero_width,
        hero_height=article.hero_height,
        hero_renditions=article.hero_renditions,
        hero_alt=article.hero_alt,
        hero_credit=article.hero_credit,
        is_sample=article.is_sample,
        presentation_fingerprint=fingerprint(presentation(article, tag_ids=tag_ids)),
        **fields,
    )
    version.search_text = searchable_text(body_html=version.body_html, faqs=version.faqs)
    version.tag_ids = tag_ids
    return version


def copied_version(previous: PublishedVersion, **fields) -> PublishedVersion:
    """An unsaved version with the content of ``previous``: a re-review that changed nothing."""
    version = PublishedVersion(
        article_id=previous.article_id,
        **{name: getattr(previous, name) for name in FROZEN_FIELDS},
        **fields,
    )
    version.tag_ids = getattr(previous, "tag_ids", None) or list(
        previous.tags.values_list("pk", flat=True)
    )
    return version


def tags_of(version: PublishedVersion):
    """The version's tags, saved (prefetch ``tags``) or not yet (a preview's)."""
    if version.pk:
        return version.tags.all()
    return Tag.objects.filter(pk__in=version.tag_ids).order_by("name")


def _claim_address(article: Article, version: PublishedVersion) -> None:
    """Make the version's slug the article's address; an address it had before redirects."""
    if version.slug == article.live_slug:
        return
    holder = Article.objects.exclude(pk=article.pk).filter(live_slug=version.slug).first()
    if holder is not None:
        raise ValidationError(
            f"“{version.slug}” is the address of the published article “{holder}”. Change "
            "this article's slug before publishing it."
        )
    if article.live_slug:
        ArticleAddress.objects.update_or_create(
            slug=article.live_slug, defaults={"article": article}
        )
    ArticleAddress.objects.filter(slug=version.slug).delete()
    article.live_slug = version.slug


def create_published_version(
    *,
    article: Article,
    reviewer,
    reviewed_on: datetime.date,
    kind: str,
    change_summary: str,
    published_by=None,
    published_at: datetime.datetime | None = None,
) -> PublishedVersion:
    """Freeze the working copy as the article's new live version.

    The caller has checked that an approval covers exactly this content; this function
    only records it. For a re-review that confirmed the live content, ``kind`` is
    REVIEWED_UNCHANGED and the live content is copied forward with the new review date.
    A new review date restarts the review schedule and clears a date an editor had set.
    """
    published_at = published_at or timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        previous = article.live_version
        number = (article.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        fields = {
            "number": number,
            "kind": kind,
            "reviewer": reviewer,
            "reviewed_on": reviewed_on,
            "change_summary": change_summary,
            "published_at": published_at,
            "published_by": published_by,
        }
        if kind == VersionKind.REVIEWED_UNCHANGED:
            if previous is None:
                raise ValidationError("Only a live article can be confirmed as unchanged.")
            version = copied_version(previous, **fields)
        else:
            version = build_version(article, **fields)
        version.full_clean(exclude=["article", "reviewer", "published_by", "category"])
        _claim_address(article, version)
        version.save()
        version.tags.set(version.tag_ids)
        release_replaced_renditions(article=article, previous=previous, version=version)
        first_publication = article.published_at is None or article.live_version_id is None
        article.live_version = version
        article.live_published_at = version.published_at
        article.live_category_id = version.category_id
        article.status = ArticleStatus.PUBLISHED
        if first_publication and article.published_at is None:
            article.published_at = published_at
        article.reviewer = reviewer
        if reviewed_on != article.last_reviewed_on:
            article.next_review_due_override = None
        article.last_reviewed_on = reviewed_on
        article.next_review_due = next_review_due(article)
        article.publish_at = None
        article.publish_note = ""
        article.save(
            update_fields=[
                "live_version", "live_published_at", "live_slug", "live_category", "status",
                "published_at", "reviewer",
                "last_reviewed_on",
                "next_review_due", "next_review_due_override", "publish_at", "publish_note",
                "updated_at",
            ]
        )  # fmt: skip
        refresh_related_articles(article=article)
        refresh_translation_status(article=article)
        record_event(
            article=article,
            actor=published_by,
            action=f"version {number}: {VersionKind(kind).label.lower()}",
            detail=change_summary,
        )
        publication_changed.send(
            sender=PublishedVersion,
            article_id=article.pk,
            event="reviewed" if kind == VersionKind.REVIEWED_UNCHANGED else "published",
        )
    return version

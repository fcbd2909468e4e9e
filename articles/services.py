"""Business rules for article content: citation integrity, fingerprints and published versions.

The review workflow (who may publish, and when) lives in ``reviewers.services``; it calls
``create_published_version`` here once an approval matches the content.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from articles.markdown import CitedSource, render_markdown, unknown_citation_keys
from articles.models import (
    Article,
    ArticleEvent,
    ArticleStatus,
    PublishedVersion,
    VersionKind,
    add_months,
)


def check_citation_markers(*, body: str, citation_keys) -> None:
    """Raise a ValidationError naming each [^key] in the body that has no citation."""
    unknown = unknown_citation_keys(body, citation_keys)
    if not unknown:
        return
    listed = ", ".join(f"[^{key}]" for key in unknown)
    raise ValidationError(
        "The body cites %(listed)s, but this article has no citation with %(that_key)s. "
        "Add a citation with %(that_key)s, or correct the marker in the body.",
        code="unknown_citation_key",
        params={
            "listed": listed,
            "that_key": "that key" if len(unknown) == 1 else "those keys",
        },
    )


def content_snapshot(article: Article) -> dict:
    """The content a medical sign-off covers, as plain data: title, summary, body,
    citations and FAQs, in reading order."""
    return {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "citations": [
            {
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
            for citation in article.citations.select_related("source")
        ],
        "faqs": [{"question": faq.question, "answer": faq.answer} for faq in article.faqs.all()],
    }


def fingerprint(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def refresh_content_fingerprint(*, article: Article) -> str:
    """Recompute the fingerprint after the working copy (or its citations/FAQs) changed."""
    current = fingerprint(content_snapshot(article))
    if current != article.content_fingerprint:
        Article.objects.filter(pk=article.pk).update(content_fingerprint=current)
        article.content_fingerprint = current
    return current


def review_interval_months(article: Article) -> int:
    """The article's own interval, else its category's, else the site default."""
    return (
        article.review_interval_months
        or article.category.review_interval_months
        or settings.REVIEW_INTERVAL_MONTHS
    )


def scheduled_review_due(*, article: Article, reviewed_on: datetime.date) -> datetime.date:
    return add_months(reviewed_on, review_interval_months(article))


def update_review_schedule(*, article: Article) -> datetime.date | None:
    """Set next review due from the last review and the interval, unless an editor set a date.

    Call after the article's interval, its category's interval or the editor's date changed.
    """
    if article.last_reviewed_on is None:
        due = None
    elif article.next_review_due_override:
        due = article.next_review_due_override
    else:
        due = scheduled_review_due(article=article, reviewed_on=article.last_reviewed_on)
    if due != article.next_review_due:
        article.next_review_due = due
        Article.objects.filter(pk=article.pk).update(next_review_due=due)
    return due


def build_version(article: Article, **fields) -> PublishedVersion:
    """An unsaved version rendered from the working copy: what readers would see.

    Used both to freeze a version at publication and to preview unpublished content.
    """
    citations = list(article.citations.select_related("source"))
    cited = {
        citation.key: CitedSource(
            key=citation.key,
            number=number,
            source_name=citation.source.name,
            trust_label=citation.source.trust_label,
            title=citation.title,
            url=citation.url,
        )
        for number, citation in enumerate(citations, start=1)
    }
    body = render_markdown(article.body, citations=cited)
    snapshot = content_snapshot(article)
    return PublishedVersion(
        article=article,
        title=article.title,
        summary=article.summary,
        author=article.author,
        body_html=body.html,
        outline=[list(entry) for entry in body.outline],
        sources=[
            {
                "number": number,
                "key": citation.key,
                "source_name": citation.source.name,
                "source_url": citation.source.url,
                "source_type": citation.source.get_source_type_display(),
                "trust_label": citation.source.trust_label,
                "title": citation.title,
                "url": citation.url,
                "authors": citation.authors,
                "year": citation.year,
                "doi": citation.doi,
                "pmid": citation.pmid,
                "accessed_on": citation.accessed_on.isoformat() if citation.accessed_on else None,
            }
            for number, citation in enumerate(citations, start=1)
        ],
        faqs=[
            {
                "question": faq.question,
                "answer_html": render_markdown(faq.answer, id_prefix=f"faq{index}").html,
            }
            for index, faq in enumerate(article.faqs.all(), start=1)
        ],
        content=snapshot,
        content_fingerprint=fingerprint(snapshot),
        **fields,
    )


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
            version = PublishedVersion(
                article=article,
                **{
                    name: getattr(previous, name)
                    for name in (
                        "title",
                        "summary",
                        "author",
                        "body_html",
                        "outline",
                        "sources",
                        "faqs",
                        "content",
                        "content_fingerprint",
                    )
                },  # fmt: skip
                **fields,
            )
        else:
            version = build_version(article, **fields)
        version.full_clean(exclude=["article", "reviewer", "published_by"])
        version.save()
        first_publication = article.published_at is None or article.live_version_id is None
        article.live_version = version
        article.status = ArticleStatus.PUBLISHED
        if first_publication and article.published_at is None:
            article.published_at = published_at
        article.reviewer = reviewer
        if reviewed_on != article.last_reviewed_on:
            article.next_review_due_override = None
        article.last_reviewed_on = reviewed_on
        article.next_review_due = article.next_review_due_override or scheduled_review_due(
            article=article, reviewed_on=reviewed_on
        )
        article.publish_at = None
        article.publish_note = ""
        article.save(
            update_fields=[
                "live_version", "status", "published_at", "reviewer", "last_reviewed_on",
                "next_review_due", "next_review_due_override", "publish_at", "publish_note",
                "updated_at",
            ]
        )  # fmt: skip
        record_event(
            article=article,
            actor=published_by,
            action=f"version {number}: {VersionKind(kind).label.lower()}",
            detail=change_summary,
        )
    return version


def record_event(*, article: Article, actor, action: str, detail: str = "") -> ArticleEvent:
    return ArticleEvent.objects.create(article=article, actor=actor, action=action, detail=detail)

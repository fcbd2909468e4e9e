"""Business rules for article content: citation integrity, fingerprints and published versions.

The review workflow (who may publish, and when) lives in ``reviewers.services``; it calls
``create_published_version`` here once an approval matches the content.
"""

import datetime
import hashlib
import json
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.images import RENDITION_ERRORS, make_renditions
from articles.markdown import (
    CitedSource,
    render_markdown,
    searchable_text,
    unknown_citation_keys,
)
from articles.models import (
    Article,
    ArticleEvent,
    ArticleStatus,
    Feedback,
    PublishedVersion,
    VersionKind,
    add_months,
)

logger = logging.getLogger(__name__)


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


def content_snapshot(article: Article, *, citations=None, faqs=None) -> dict:
    """The content a medical sign-off covers, as plain data: title, summary, body,
    citations and FAQs, in reading order. Pass ``citations`` (with their sources) and
    ``faqs`` when they are already loaded."""
    if citations is None:
        citations = article.citations.select_related("source")
    if faqs is None:
        faqs = article.faqs.all()
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
            for citation in citations
        ],
        "faqs": [{"question": faq.question, "answer": faq.answer} for faq in faqs],
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
        mark_pages_stale([article.pk])
    return due


def build_version(article: Article, *, citations=None, faqs=None, **fields) -> PublishedVersion:
    """An unsaved version rendered from the working copy: what readers would see.

    Used both to freeze a version at publication and to preview unpublished content.
    """
    if citations is None:
        citations = list(article.citations.select_related("source"))
    if faqs is None:
        faqs = list(article.faqs.all())
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
    snapshot = content_snapshot(article, citations=citations, faqs=faqs)
    version = PublishedVersion(
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
                # Under its h3 question, an answer's own headings start at h4.
                "answer_html": render_markdown(
                    faq.answer, id_prefix=f"faq{index}", top_heading_level=4
                ).html,
            }
            for index, faq in enumerate(faqs, start=1)
        ],
        content=snapshot,
        content_fingerprint=fingerprint(snapshot),
        **fields,
    )
    version.search_text = searchable_text(body_html=version.body_html, faqs=version.faqs)
    return version


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
                        "search_text",
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
        article.live_published_at = version.published_at
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
                "live_version", "live_published_at", "status", "published_at", "reviewer",
                "last_reviewed_on",
                "next_review_due", "next_review_due_override", "publish_at", "publish_note",
                "updated_at",
            ]
        )  # fmt: skip
        refresh_related_articles(article=article)
        record_event(
            article=article,
            actor=published_by,
            action=f"version {number}: {VersionKind(kind).label.lower()}",
            detail=change_summary,
        )
    return version


def record_event(*, article: Article, actor, action: str, detail: str = "") -> ArticleEvent:
    return ArticleEvent.objects.create(article=article, actor=actor, action=action, detail=detail)


# Hero image renditions --------------------------------------------------------------------


def refresh_hero_renditions(*, article: Article, written: list[str] | None = None) -> list[dict]:
    """Make the renditions of the article's hero image and record them on the article.

    Called after the article is saved, by the admin and the importer: never while a page is
    served. Renditions already made are kept, so calling it again costs a read of the image.
    The renditions of a replaced or removed image are deleted once the transaction commits
    (until then the saved article still points at them). An image that cannot be read is
    logged and gets no renditions; pages then show the original.
    """
    try:
        renditions = make_renditions(article.hero_image, written=written)
    except RENDITION_ERRORS:
        logger.exception("Could not make renditions of %s", article.hero_image.name)
        renditions = []
    previous = article.hero_renditions or []
    if renditions != previous:
        article.hero_renditions = renditions
        article.save(update_fields=["hero_renditions"])
    keep = {rendition["name"] for rendition in renditions}
    orphans = [r["name"] for r in previous if r["name"] not in keep]
    if orphans:
        storage = article.hero_image.storage

        def delete_orphans():
            for name in orphans:
                storage.delete(name)

        transaction.on_commit(delete_orphans)
    return renditions


# Reader feedback ("Was this helpful?") ----------------------------------------------------

FEEDBACK_RATE_WINDOW_SECONDS = 60 * 60


class FeedbackRateLimited(Exception):
    """The client has sent as much feedback as the hourly limits allow; nothing was stored."""


def client_hash(address: str | None) -> str:
    """A keyed SHA-256 (HMAC with the secret key) of a client's address.

    The same address always gives the same hash, so limits and floods can be told apart,
    but the address cannot be worked back from it: there are few enough IPv4 addresses to
    hash them all, which defeats a plain or publicly salted hash, not a secret key.
    """
    return salted_hmac("articles.feedback.client", address or "", algorithm="sha256").hexdigest()


def _count_attempt(key: str) -> int:
    """Add one to an hourly counter in the cache, atomically (add, then incr); the new count."""
    for _ in range(3):
        cache.add(key, 0, FEEDBACK_RATE_WINDOW_SECONDS)
        try:
            return cache.incr(key)
        except ValueError:  # the counter expired between add and incr
            continue
    return 1


def record_feedback(
    *, article: Article, helpful: bool, comment: str = "", client_address: str | None
) -> Feedback:
    """Store a reader's answer to "Was this helpful?" on a published article.

    One client (by address; only its hash is stored, see ``client_hash``) may send at most
    FEEDBACK_RATE_PER_ARTICLE answers on one article and FEEDBACK_RATE_PER_HOUR in all in an
    hour; every attempt counts. Raises ValidationError for an unpublished article or an
    invalid answer, and FeedbackRateLimited over a limit; in both cases nothing is stored.
    """
    if not article.is_published:
        raise ValidationError("Only published articles take feedback.", code="not_published")
    client = client_hash(client_address)
    feedback = Feedback(
        article=article,
        version_id=article.live_version_id,
        helpful=helpful,
        comment=comment.strip(),
        client_hash=client,
    )
    feedback.full_clean(exclude=["article", "version"])
    on_article = _count_attempt(f"feedback-rate:{client}:article:{article.pk}")
    overall = _count_attempt(f"feedback-rate:{client}:all")
    if on_article > settings.FEEDBACK_RATE_PER_ARTICLE:
        raise FeedbackRateLimited(
            "You have already sent feedback on this article several times in the last hour. "
            "Thank you: we have it. You can send more in an hour."
        )
    if overall > settings.FEEDBACK_RATE_PER_HOUR:
        raise FeedbackRateLimited(
            "You have sent a lot of feedback in the last hour, more than we accept from one "
            "connection. Please try again in an hour."
        )
    feedback.save()
    return feedback


RELATED_ARTICLES_KEPT = 6


def mark_pages_stale(article_ids=None) -> None:
    """Mark the stored pages of these articles' live versions stale (every article's, with
    None), so each is rendered again on its next view (see articles/article_pages.py).

    Runs in the caller's transaction: a page rendered meanwhile from the old data is not
    stored, because storing needs the marker it read to be unchanged.
    """
    live = Article.objects.filter(live_version__isnull=False)
    if article_ids is not None:
        live = live.filter(pk__in=article_ids)
    PublishedVersion.objects.filter(pk__in=live.values("live_version_id")).update(
        rendered_with=f"stale:{uuid.uuid4().hex}"
    )


def articles_showing_card_of(article_id: int):
    """The articles whose related articles include this one: their pages show its card."""
    shows_it = Q()
    for position in range(RELATED_ARTICLES_KEPT):
        shows_it |= Q(**{f"related_article_ids__{position}": article_id})
    return Article.objects.filter(shows_it)


def refresh_related_articles(*, article: Article, neighbours: bool = True) -> list[int]:
    """Choose the article's related articles (see ArticleQuerySet.related_to) and store them;
    with ``neighbours``, also refresh the articles it now points to, so a new article shows
    up beside the articles most related to it at once."""
    article = Article.objects.prefetch_related("tags").get(pk=article.pk)
    related = list(
        Article.objects.related_to(article, limit=RELATED_ARTICLES_KEPT).values_list(
            "pk", flat=True
        )
    )
    if related != article.related_article_ids:
        Article.objects.filter(pk=article.pk).update(related_article_ids=related)
        mark_pages_stale([article.pk])
    if neighbours:
        for pk in related:
            refresh_related_articles(article=Article(pk=pk), neighbours=False)
    return related


def related_articles(article: Article, *, limit: int = 3) -> list[Article]:
    """The stored related articles that are still published, in their stored order."""
    ids = article.related_article_ids
    if not ids:
        return []
    found = {a.pk: a for a in Article.objects.published().filter(pk__in=ids).for_listing()}
    return [found[pk] for pk in ids if pk in found][:limit]

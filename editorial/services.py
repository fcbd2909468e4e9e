"""The medical review workflow: every transition of an article's review and publication.

Admin views, admin actions and management commands call these functions; nothing else
changes review or publication state. Each checks who may do it, validates, runs in one
transaction and records an entry in the article's audit trail.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.audit import record_event
from articles.models import Article, ArticleStatus, PublishedVersion, VersionKind
from articles.signals import publication_changed
from articles.versions import (
    content_snapshot,
    create_published_version,
    fingerprint,
    refresh_content_fingerprint,
)
from editorial.models import Decision, ReviewRequest, ReviewStatus, SignOff
from editorial.quality import blocking_problems
from editorial.review_state import current_approval
from editorial.signatures import Confirmation, check_signature, statement_for
from reviewers.models import Reviewer

logger = logging.getLogger(__name__)

REVIEWED_UNCHANGED_SUMMARY = "Reviewed, no changes"


def _require(user, permission: str, action: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(f"You do not have permission to {action}.")


def _authored_by(article: Article, user) -> bool:
    return (
        user is not None
        and article.created_by_id is not None
        and (article.created_by_id == user.pk)
    )


def changed_content_under_review(article: Article, user) -> bool:
    """Whether the user wrote the article or edited it since its last approval: the content
    a review covers is then partly theirs, and nobody reviews their own work."""
    if user is None:
        return False
    if user.pk in (article.created_by_id, article.updated_by_id):
        return True
    edits = article.events.filter(actor=user, action__in=("created", "edited"))
    last_approval = article.sign_offs.approvals().order_by("-created_at").first()
    if last_approval is not None:
        edits = edits.filter(created_at__gt=last_approval.created_at)
    return edits.exists()


def submit_for_review(
    *,
    article: Article,
    reviewer: Reviewer,
    requested_by,
    due_on: datetime.date | None = None,
    note: str = "",
    publish_on_approval: bool = False,
) -> ReviewRequest:
    """Assign the article's current content to a medical reviewer."""
    _require(requested_by, "articles.submit_article", "submit articles for review")
    if publish_on_approval:
        _require(requested_by, "articles.publish_article", "publish articles")
    errors = {}
    if not reviewer.is_active:
        errors["reviewer"] = f"{reviewer.name} is no longer reviewing; choose another reviewer."
    elif reviewer.user_id and _authored_by(article, reviewer.user):
        errors["reviewer"] = (
            f"{reviewer.name} wrote this article, and nobody may review their own article. "
            "Choose another reviewer."
        )
    elif reviewer.user_id and changed_content_under_review(article, reviewer.user):
        errors["reviewer"] = (
            f"{reviewer.name} has edited this article since it was last approved, and "
            "nobody may review content they changed. Choose another reviewer."
        )
    if due_on and due_on < timezone.localdate():
        errors["due_on"] = "The due date is in the past; choose today or a later date."
    if errors:
        raise ValidationError(errors)
    problems = blocking_problems(article)
    if problems:
        raise ValidationError(
            ["Fix these before submitting for review:"]
            + [f"{item.label}: {item.detail}" for item in problems]
        )
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        open_request = article.review_requests.open().select_related("reviewer").first()
        if open_request:
            raise ValidationError(
                f"This article is already in review with {open_request.reviewer.name}. "
                "Wait for their decision, or cancel that review first."
            )
        refresh_content_fingerprint(article=article)
        review_request = ReviewRequest.objects.create(
            article=article,
            reviewer=reviewer,
            requested_by=requested_by,
            due_on=due_on,
            note=note,
            publish_on_approval=publish_on_approval,
        )
        record_event(
            article=article,
            actor=requested_by,
            action="submitted for review",
            detail=f"To {reviewer.name}"
            + (f", due {due_on:%d %b %Y}" if due_on else "")
            + (f". {note}" if note else ""),
        )
        transaction.on_commit(lambda: _email_reviewer(review_request))
    return review_request


def _email_reviewer(review_request: ReviewRequest) -> None:
    email = review_request.reviewer.email
    if not email:
        return
    due = f" by {review_request.due_on:%d %B %Y}" if review_request.due_on else ""
    send_mail(
        subject=f"Please review: {review_request.article.title}",
        message=(
            f"{review_request.article.title} is waiting for your medical review{due}.\n\n"
            f"{review_request.note}\n\nOpen “My reviews” in the admin to review it."
        ),
        from_email=None,
        recipient_list=[email],
        fail_silently=True,
    )


def decide_review(
    *,
    review_request: ReviewRequest,
    user,
    decision: str,
    notes: str = "",
    checklist: dict | None = None,
    reviewed_fingerprint: str | None = None,
    confirmation: Confirmation | None,
    statement: str,
) -> SignOff:
    """Record the assigned reviewer's approval or request for changes, as a signature.

    The sign-off covers a fingerprint of the content as it is now; ``reviewed_fingerprint``,
    the fingerprint of the content the reviewer was shown, must still match it, so an edit
    saved while they read is never approved unseen. ``confirmation`` says the reviewer
    confirmed who they are within the last few minutes, and ``statement`` is the statement
    they affirmed (editorial.signatures.statement_for), which must name the content as it is
    now. Approving content that
    is already live moves "Page last reviewed" forward; approving a request marked
    "publish on approval" publishes at once.
    """
    _require(user, "editorial.sign_off", "sign off reviews")
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose approve or request changes."})
    if decision == Decision.CHANGES_REQUESTED and not notes.strip():
        raise ValidationError({"notes": "Say what needs to change, so the writer can fix it."})
    today = timezone.localdate()
    with transaction.atomic():
        review_request = (
            ReviewRequest.objects.select_for_update()
            .select_related("reviewer")
            .get(pk=review_request.pk)
        )
        if review_request.status != ReviewStatus.OPEN:
            raise ValidationError(
                "This review has already been decided or cancelled; your decision was not "
                "recorded. Reload the page to see its current state."
            )
        if review_request.reviewer.user_id != user.pk:
            raise PermissionDenied("Only the assigned reviewer can decide this review.")
        article = Article.objects.select_for_update().get(pk=review_request.article_id)
        if _authored_by(article, user):
            raise PermissionDenied("Nobody may approve an article they wrote.")
        if changed_content_under_review(article, user):
            raise PermissionDenied(
                "You have edited this article since it was last approved, and nobody may "
                "decide on content they changed. Ask an editor to assign another reviewer."
            )
        snapshot = content_snapshot(article)
        if reviewed_fingerprint is not None and reviewed_fingerprint != fingerprint(snapshot):
            raise ValidationError(
                "The article was changed while you were reviewing it, so your decision was not "
                "recorded. Reload the page to review the current content and its changes."
            )
        expected = statement_for(
            reviewer=review_request.reviewer,
            snapshot=snapshot,
            content_fingerprint=fingerprint(snapshot),
        )
        check_signature(
            user=user, confirmation=confirmation, statement=statement, expected=expected
        )
        try:
            with transaction.atomic():
                sign_off = SignOff.objects.create(
                    article=article,
                    review_request=review_request,
                    reviewer=review_request.reviewer,
                    decided_by=user,
                    decision=decision,
                    notes=notes.strip(),
                    checklist=checklist or {},
                    reviewed_on=today,
                    content_fingerprint=fingerprint(snapshot),
                    content=snapshot,
                    statement=expected,
                    confirmation_method=confirmation.method,
                    confirmed_at=confirmation.confirmed_at,
                )
        except IntegrityError:
            raise ValidationError(
                "This review has already been decided; your decision was not recorded."
            ) from None
        review_request.status = ReviewStatus.DECIDED
        review_request.closed_at = timezone.now()
        review_request.save(update_fields=["status", "closed_at"])
        record_event(
            article=article,
            actor=user,
            action=Decision(decision).label.lower(),
            detail=notes.strip(),
        )
        if decision == Decision.APPROVED:
            _after_approval(article=article, sign_off=sign_off, review_request=review_request)
    return sign_off


def _after_approval(*, article: Article, sign_off: SignOff, review_request: ReviewRequest):
    refresh_content_fingerprint(article=article)
    if article.content_is_live:
        create_published_version(
            article=article,
            reviewer=sign_off.reviewer,
            reviewed_on=sign_off.reviewed_on,
            kind=VersionKind.REVIEWED_UNCHANGED,
            change_summary=REVIEWED_UNCHANGED_SUMMARY,
            published_by=sign_off.decided_by,
        )
    elif review_request.publish_on_approval:
        _publish_approved(
            article=article,
            approval=sign_off,
            user=review_request.requested_by,
            change_summary=review_request.note.strip()[:200] or "Updated after medical review",
        )


def _publish_approved(*, article, approval: SignOff, user, change_summary: str):
    return create_published_version(
        article=article,
        reviewer=approval.reviewer,
        reviewed_on=approval.reviewed_on,
        kind=VersionKind.PUBLISHED,
        change_summary=change_summary,
        published_by=user,
    )


def _approval_for_publication(article: Article) -> SignOff:
    refresh_content_fingerprint(article=article)
    approval = current_approval(article=article)
    if approval is None:
        if article.sign_offs.filter(content_fingerprint=article.content_fingerprint).exists():
            raise ValidationError(
                "The latest medical review of this content requested changes. Make them and "
                "submit it for review again."
            )
        if article.sign_offs.approvals().exists():
            raise ValidationError(
                "The content has changed since it was last approved. Submit it for review "
                "again; it can be published once a reviewer approves the current content."
            )
        raise ValidationError(
            "This content has not been approved by a medical reviewer. Submit it for review first."
        )
    if article.content_is_live and article.presentation_is_live:
        raise ValidationError("This content is already live; there is nothing new to publish.")
    return approval


def publish(*, article: Article, user, change_summary: str = "") -> PublishedVersion:
    """Publish the approved content as the article's new live version."""
    _require(user, "articles.publish_article", "publish articles")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        approval = _approval_for_publication(article)
        summary = change_summary.strip() or (
            "Republished" if article.live_version_id else "First published"
        )
        return _publish_approved(
            article=article, approval=approval, user=user, change_summary=summary
        )


def schedule_publication(
    *, article: Article, user, publish_at: datetime.datetime, change_summary: str = ""
) -> Article:
    """Set a time at which publish_scheduled publishes the approved content."""
    _require(user, "articles.publish_article", "schedule articles")
    if publish_at <= timezone.now():
        raise ValidationError({"publish_at": "Choose a time in the future, or publish now."})
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        _approval_for_publication(article)
        article.publish_at = publish_at
        article.publish_note = change_summary.strip()[:200]
        article.save(update_fields=["publish_at", "publish_note", "updated_at"])
        record_event(
            article=article,
            actor=user,
            action="scheduled",
            detail=f"To publish at {timezone.localtime(publish_at):%d %b %Y %H:%M %Z}",
        )
    return article


def cancel_schedule(*, article: Article, user) -> Article:
    _require(user, "articles.publish_article", "schedule articles")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.publish_at is None:
            raise ValidationError("This article has no scheduled publication.")
        article.publish_at = None
        article.publish_note = ""
        article.save(update_fields=["publish_at", "publish_note", "updated_at"])
        record_event(article=article, actor=user, action="schedule cancelled")
    return article


def publish_scheduled(*, now: datetime.datetime | None = None) -> list[tuple[Article, str]]:
    """Publish every article whose scheduled time has come. Safe to run every minute:
    each article is published once, and its schedule is cleared in the same transaction."""
    now = now or timezone.now()
    outcomes = []
    for pk in Article.objects.filter(publish_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=pk, publish_at__lte=now)
            article = article.first()
            if article is None:
                continue  # published by a concurrent run
            try:
                approval = _approval_for_publication(article)
            except ValidationError as error:
                article.publish_at = None
                article.save(update_fields=["publish_at", "updated_at"])
                message = " ".join(error.messages)
                record_event(article=article, actor=None, action="scheduled publication skipped",
                             detail=message)  # fmt: skip
                outcomes.append((article, f"skipped: {message}"))
                continue
            _publish_approved(
                article=article,
                approval=approval,
                user=None,
                change_summary=article.publish_note or "Published as scheduled",
            )
            outcomes.append((article, "published"))
    return outcomes


def unpublish(*, article: Article, user, reason: str) -> Article:
    """Take the article off the public site; its versions and history are kept."""
    _require(user, "articles.publish_article", "unpublish articles")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the article is being unpublished."})
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.status != ArticleStatus.PUBLISHED:
            raise ValidationError("This article is not published.")
        article.status = ArticleStatus.UNPUBLISHED
        article.publish_at = None
        article.save(update_fields=["status", "publish_at", "updated_at"])
        record_event(article=article, actor=user, action="unpublished", detail=reason.strip())
        publication_changed.send(sender=Article, article_id=article.pk, event="unpublished")
    return article


def cancel_review(*, review_request: ReviewRequest, user, reason: str = "") -> ReviewRequest:
    _require(user, "editorial.change_reviewrequest", "cancel reviews")
    with transaction.atomic():
        review_request = ReviewRequest.objects.select_for_update().get(pk=review_request.pk)
        if review_request.status != ReviewStatus.OPEN:
            raise ValidationError("Only an open review can be cancelled.")
        review_request.status = ReviewStatus.CANCELLED
        review_request.closed_at = timezone.now()
        review_request.save(update_fields=["status", "closed_at"])
        record_event(
            article=review_request.article,
            actor=user,
            action="review cancelled",
            detail=reason.strip(),
        )
    return review_request

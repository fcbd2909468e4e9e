"""Where an article's content stands in medical review: one rule, for one article and for
lists of them.

The latest decision on exactly the current content counts (SignOffQuerySet.on_content), so
a later request for changes withdraws an earlier approval of the same content. Reads only:
nothing here writes.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Subquery

from articles.models import VERSION_CONTENT_FIELDS, Article
from articles.versions import current_fingerprint
from editorial.models import Decision, ReviewRequest, SignOff


class ReviewState(models.TextChoices):
    IN_REVIEW = "in_review", "In review"
    APPROVED_LIVE = "approved_live", "Approved and live"
    UNPUBLISHED_CHANGES = "unpublished_changes", "Approved; changes not yet published"
    APPROVED = "approved", "Approved, not published"
    CHANGED_SINCE_REVIEW = "changed_since_review", "Changed since review"
    NOT_REVIEWED = "not_reviewed", "Not reviewed"


def current_approval(*, article: Article) -> SignOff | None:
    """The latest approval that covers exactly the article's content as it is now, if any.

    The fingerprint is computed from the content, not taken from the stored column, so an
    edit saved without refreshing it is still caught."""
    latest = (
        SignOff.objects.on_content(article=article, fingerprint=current_fingerprint(article))
        .select_related("reviewer")
        .first()
    )
    return latest if latest and latest.decision == Decision.APPROVED else None


def with_review_state(articles):
    """Articles annotated for review_state (three subqueries, no query per row), judged on
    each article's stored fingerprint. review_state also reads the live version's
    fingerprint: select_related("live_version") for lists (its large columns are deferred)."""
    return articles.defer(*(f"live_version__{name}" for name in VERSION_CONTENT_FIELDS)).annotate(
        _in_review=Exists(ReviewRequest.objects.open().filter(article=OuterRef("pk"))),
        _current_decision=Subquery(SignOff.objects.on_content().values("decision")[:1]),
        _ever_approved=Exists(SignOff.objects.approvals().filter(article=OuterRef("pk"))),
    )


def review_state(article: Article) -> ReviewState:
    """The state of an article annotated by with_review_state."""
    if article._in_review:
        return ReviewState.IN_REVIEW
    if article._current_decision != Decision.APPROVED:
        if article._ever_approved:
            return ReviewState.CHANGED_SINCE_REVIEW
        return ReviewState.NOT_REVIEWED
    if article.content_is_live:
        if article.presentation_is_live:
            return ReviewState.APPROVED_LIVE
        return ReviewState.UNPUBLISHED_CHANGES
    return ReviewState.APPROVED

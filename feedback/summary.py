"""What the article admin shows of readers' feedback: the share of "yes" with the count, and
the latest comments."""

from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce, NullIf

from feedback.models import Feedback

RECENT_COMMENTS = 5


def may_read_feedback(user) -> bool:
    """Who may read readers' feedback, in the feedback list and beside each article: the one
    permission that decides both (editors have it)."""
    return user.has_perm("feedback.view_feedback")


def _feedback_count(**filters):
    counted = (
        Feedback.objects.filter(article=OuterRef("pk"), **filters)
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_feedback_counts(articles):
    """Articles annotated with ``_feedback_count``, ``_feedback_yes`` and ``_feedback_share``
    (subqueries: no query per row)."""
    share = Cast("_feedback_yes", FloatField()) / NullIf(F("_feedback_count"), 0)
    return articles.annotate(
        _feedback_count=_feedback_count(), _feedback_yes=_feedback_count(helpful=True)
    ).annotate(_feedback_share=share)


def helpful_share(article) -> str:
    """E.g. "75% yes (4 answers)", from the annotations of with_feedback_counts."""
    count = getattr(article, "_feedback_count", 0)
    if not count:
        return "None yet"
    share = round(100 * article._feedback_yes / count)
    return f"{share}% yes ({count} answer{'' if count == 1 else 's'})"


def recent_comments(article, *, limit: int = RECENT_COMMENTS):
    return article.feedback.exclude(comment="").order_by("-created_at", "-pk")[:limit]

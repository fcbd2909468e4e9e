"""Recording readers' answers to "Was this helpful?", with per-client hourly limits."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.models import Article
from feedback.models import Feedback
from healthsite import cache

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


def _count_stored(client: str, article: Article) -> tuple[int, int]:
    """Without the cache's counters: this attempt plus the answers the client's address had
    stored in the last hour, on this article and in all. Refused attempts are not counted,
    but a flood still stops at the same limits, and readers can still answer."""
    recent = Feedback.objects.filter(
        client_hash=client,
        created_at__gte=timezone.now() - datetime.timedelta(seconds=FEEDBACK_RATE_WINDOW_SECONDS),
    )
    return recent.filter(article=article).count() + 1, recent.count() + 1


def record_feedback(
    *, article: Article, helpful: bool, comment: str = "", client_address: str | None
) -> Feedback:
    """Store a reader's answer to "Was this helpful?" on a published article.

    One client (by address; only its hash is stored, see ``client_hash``) may send at most
    FEEDBACK_RATE_PER_ARTICLE answers on one article and FEEDBACK_RATE_PER_HOUR in all in an
    hour; every attempt counts (while the cache is down, every stored answer: see
    ``_count_stored``). Raises ValidationError for an unpublished article or an
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
    try:
        on_article = _count_attempt(f"feedback-rate:{client}:article:{article.pk}")
        overall = _count_attempt(f"feedback-rate:{client}:all")
    except cache.CacheUnavailable:
        on_article, overall = _count_stored(client, article)
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

"""Per-key rate limits (counters in the cache) and monthly usage (rows in the database).

A key may make ``ApiKey.rate_limit`` requests in each calendar minute; past that it gets 429
with ``Retry-After``, the seconds until the minute ends. If the cache is down the limit is
not enforced (healthsite/cache.py logs the failure), rather than refusing every partner:
the API still answers, only without protection against one partner's burst.

Usage is one row per key per month, incremented with an UPDATE ... SET requests = requests + 1,
so concurrent requests never lose a count and the table grows by one row a key a month. It is
the one write a GET makes: it is the partners' metering, not content.
"""

import datetime
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from api.models import ApiKey, ApiUsage
from healthsite import cache


@dataclass(frozen=True)
class RateLimited(Exception):
    limit: int
    retry_after: int


def check_rate_limit(key: ApiKey, *, now: float | None = None) -> int:
    """Count this request against the key's limit for the current minute. Returns the
    requests left in it (None when the cache could not tell); raises RateLimited past it."""
    now = time.time() if now is None else now
    window = int(now // 60)
    counter = f"api-rate:{key.pk}:{window}"
    try:
        cache.add(counter, 0, timeout=120)
        count = cache.incr(counter)
    except (cache.CacheUnavailable, ValueError):  # down, or lost the counter: no limit
        return None
    limit = key.rate_limit
    if count > limit:
        raise RateLimited(limit=limit, retry_after=max(1, 60 * (window + 1) - int(now)))
    return limit - count


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def record_request(key: ApiKey, *, on: datetime.date | None = None) -> None:
    """Add one request to the key's count for the month."""
    month = month_of(on or timezone.localdate())
    rows = ApiUsage.objects.filter(key=key, month=month)
    if rows.update(requests=F("requests") + 1):
        return
    try:
        with transaction.atomic():
            ApiUsage.objects.create(key=key, month=month, requests=1)
    except IntegrityError:  # another request made this month's row meanwhile
        rows.update(requests=F("requests") + 1)

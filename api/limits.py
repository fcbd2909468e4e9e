"""Per-key rate limits, counted in the cache.

A key may make ``ApiKey.rate_limit`` requests in each calendar minute; past that it gets 429
with ``Retry-After``, the seconds until the minute ends. If the cache is down the limit is
not enforced (healthsite/cache.py logs the failure), rather than refusing every partner:
the API still answers, only without protection against one partner's burst.
"""

import time
from dataclasses import dataclass

from api.models import ApiKey
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

"""Per-key rate limits, counted in the cache.

A key may make ``ApiKey.rate_limit`` requests in each calendar minute; past that it gets 429
with ``Retry-After``, the seconds until the minute ends. If the cache is down the limit is
not enforced (healthsite/cache.py logs the failure), rather than refusing every partner:
the API still answers, only without protection against one partner's burst.

The counter every process shares counts *slices* of a key's minute: a process takes a slice
(one ``incr``) and answers that many requests before it asks the cache again. A slice is 1%
of the limit, at most 100 requests, and one request below 200 a minute, so ordinary limits
are counted request by request, exactly. A high limit may refuse a little early (by the part
of its slices other processes have not used yet, at most 1% of it each), never late, and
costs a cache write per slice rather than per request (with the file cache, a write is a
file renamed: milliseconds).
"""

import threading
import time
from dataclasses import dataclass

from api.models import ApiKey
from healthsite import cache


@dataclass(frozen=True)
class RateLimited(Exception):
    limit: int
    retry_after: int


def slice_size(limit: int) -> int:
    """How many requests one ``incr`` of the shared counter stands for."""
    return max(1, min(100, limit // 100))


@dataclass
class _Slice:
    window: int
    limit: int
    start: int  # requests of the minute before this slice
    size: int
    used: int = 0


_lock = threading.Lock()
_slices: dict[int, _Slice] = {}  # key id -> this process's current slice


def check_rate_limit(key: ApiKey, *, now: float | None = None) -> int | None:
    """Count this request against the key's limit for the current minute. Returns the
    requests left in it (None when the cache could not tell); raises RateLimited past it."""
    now = time.time() if now is None else now
    window = int(now // 60)
    limit = key.rate_limit
    size = slice_size(limit)
    with _lock:
        taken = _slices.get(key.pk)
        if taken and taken.window == window and taken.limit == limit and taken.used < taken.size:
            taken.used += 1
            return limit - taken.start - taken.used
    counter = f"api-rate:{key.pk}:{window}"
    try:
        cache.add(counter, 0, timeout=120)
        slices = cache.incr(counter)
    except (cache.CacheUnavailable, ValueError):  # down, or lost the counter: no limit
        return None
    start = (slices - 1) * size
    if start >= limit:
        raise RateLimited(limit=limit, retry_after=max(1, 60 * (window + 1) - int(now)))
    taken = _Slice(window=window, limit=limit, start=start, size=min(size, limit - start), used=1)
    with _lock:
        _slices[key.pk] = taken
    return limit - start - 1

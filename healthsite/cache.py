"""The cache, used so that its failure degrades a feature and never fails a request.

Every use of the cache goes through these functions. A cache error (down, refused, a timeout:
CACHE_TIMEOUT_SECONDS bounds the wait, see settings) is logged once, answered as a miss
(``get`` returns the default, writes report False) and, for CACHE_RETRY_SECONDS, this process
does not try the cache again, so a dead cache costs each request nothing. The first success
after a failure sends ``cache_recovered``: whoever keeps state in the cache that may have
missed a change meanwhile (the page cache's generation) puts it right.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent, with no arguments, the first time the cache answers after it failed in this process.
cache_recovered = Signal()

_failed_at = None  # when the cache last failed in this process; None while it works


class CacheUnavailable(Exception):
    """The cache did not answer (down, or not tried again yet after a failure)."""


def _call(operation, *args, force=False):
    global _failed_at
    if (
        not force
        and _failed_at is not None
        and time.monotonic() - _failed_at < settings.CACHE_RETRY_SECONDS
    ):
        raise CacheUnavailable("the cache failed moments ago")
    try:
        result = getattr(cache, operation)(*args)
    except ValueError:
        raise  # incr of a missing key: an answer, not a failure
    except Exception as error:  # every backend has its own errors (redis, OSError, pickling)
        if _failed_at is None:
            logger.warning("The cache failed (%s: %s); serving without it", operation, error)
        _failed_at = time.monotonic()
        raise CacheUnavailable(str(error)) from error
    if _failed_at is not None:
        _failed_at = None
        logger.warning("The cache answers again")
        cache_recovered.send(sender=None)
    return result


def is_down() -> bool:
    """Whether the cache failed in this process and has not answered since."""
    return _failed_at is not None


def get(key, default=None):
    try:
        return _call("get", key, default)
    except CacheUnavailable:
        return default


def set(key, value, timeout=None) -> bool:  # noqa: A001 (the cache's own word)
    try:
        _call("set", key, value, timeout)
        return True
    except CacheUnavailable:
        return False


def add(key, value, timeout=None) -> bool:
    try:
        return _call("add", key, value, timeout)
    except CacheUnavailable:
        return False


def incr(key):
    """Add one to a counter; raises ValueError when it does not exist and CacheUnavailable
    when the cache does not answer (the caller decides what a count it cannot have means)."""
    return _call("incr", key)


def ping() -> bool:
    """Whether the cache answers now (for /healthz), trying it even during the pause."""
    try:
        _call("get", "healthz:ping", None, force=True)
        return True
    except CacheUnavailable:
        return False

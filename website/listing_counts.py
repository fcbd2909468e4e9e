"""Counts listings show ("1,204 medically reviewed articles", "page 3 of 101", a topic's
number of articles), each computed once per page generation rather than on every request.

At 100,000 articles counting a topic's or a tag's published articles reads tens of thousands
of rows, and the home page counted every topic's. The counts change only when what readers
see changes, which moves the page generation (website/page_cache.py), so each is kept in
the cache under the current generation and counted again after any such change; and at most
``LISTING_COUNT_SECONDS`` later anyway, so an article whose publication time arrives without a write
(an embargo ending) is counted soon. With the cache down every request counts.
"""

from collections.abc import Callable
from functools import cached_property
from typing import TypeVar

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.translation import get_language

from healthsite import cache
from website.page_cache import current_generation

T = TypeVar("T")


def memoized(key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``key`` until what readers see changes."""
    seconds = settings.LISTING_COUNT_SECONDS
    generation = current_generation() if seconds else None
    if generation is None:
        return compute()
    # The reader's language too: every listing shows the articles in it (website/locale.py).
    cache_key = f"listing-counts:{generation}:{get_language()}:{key}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, seconds)
    return value


class MemoizedCountPaginator(Paginator):
    """A Paginator whose count is memoized under ``count_key``."""

    def __init__(self, *args, count_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        return memoized(self.count_key, lambda: Paginator.count.func(self))

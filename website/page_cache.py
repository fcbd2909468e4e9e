"""Caching of public pages for anonymous readers.

Every public page lists or links published articles (navigation, related articles, hub
pages), so pages share one *generation* number: a page is stored under a key that contains
the current generation, and a change readers could see (a publication, an unpublication, a
re-review, a reviewer's or category's edit, a live article's schedule or image) moves the
generation on. Old entries are then never read again and expire on their own. The date is
part of the key too, so day-based notices ("being reviewed") appear on time.

The generation lives in the cache every process shares, so a change made by any process
(another gunicorn worker, another app server, cron, manage.py) reaches every process on its
next request. Its value of record is also kept in the database (PageGeneration): when the
cache missed a move (it was down when the change was made), the first process to reach it
again, and every process every PAGE_CACHE_CHECK_SECONDS, puts the record back in the cache.
A cache that fails is skipped (healthsite/cache.py): pages are rendered, not stored.

Readers' browsers and any shared cache must revalidate (max-age=0) and get a 304 from the
ETag, so a new review date shows the moment it is signed off.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import urlencode

from healthsite import cache
from website import cache_tags
from website.locale import address_language
from website.models import PageGeneration

logger = logging.getLogger(__name__)

GENERATION_KEY = "public-pages:generation"

# URL names (namespace:name) of the pages that may be stored for anonymous readers.
CACHEABLE_VIEWS = {
    "website:home",
    "website:article",
    "website:category",
    "website:category_feed",
    "website:tag",
    "website:feed",
    "website:search",
    "website:sitemap",
    "website:sitemap_section",
    "website:robots",
    "website:reviewer",
}


def generation_of_record() -> int | None:
    """The generation kept in the database; None when the database does not answer."""
    try:
        return PageGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    except DatabaseError:
        return None


_checked_at = time.monotonic()


def check_generation(generation=None) -> None:
    """Put the generation of record in the cache when the cache holds another (it missed a
    move), re-reading the record in case a change moved it meanwhile."""
    global _checked_at
    _checked_at = time.monotonic()
    if generation is None:
        generation = cache.get(GENERATION_KEY)
    record = generation_of_record()
    while record is not None and record != generation:
        logger.warning("The page cache missed a change; moving it on to the database's record")
        if not cache.set(GENERATION_KEY, record, None):
            return
        generation, record = record, generation_of_record()


def _cache_recovered(**kwargs):
    check_generation()


cache.cache_recovered.connect(_cache_recovered, dispatch_uid="page-cache")


def current_generation() -> int | None:
    """The generation stored pages are read and written under; None when the cache is down."""
    was_down = cache.is_down()
    generation = cache.get(GENERATION_KEY)
    if was_down and generation is not None:
        # That read was the cache's first answer: cache_recovered has put the record back.
        return cache.get(GENERATION_KEY)
    if generation is None:
        if cache.is_down():
            return None
        # The cache lost it (restarted, evicted): pages stored under the record, if any are
        # left, are current, as any change since would have moved the record.
        record = generation_of_record()
        cache.add(GENERATION_KEY, time.time_ns() if record is None else record, None)
        return cache.get(GENERATION_KEY)
    if time.monotonic() - _checked_at >= settings.PAGE_CACHE_CHECK_SECONDS:
        check_generation(generation)
        return cache.get(GENERATION_KEY)
    return generation


def move_generation() -> None:
    """Give every public page a new generation now: in the database, then in the cache."""
    generation = time.time_ns()  # never used before, by any process
    try:
        if not PageGeneration.objects.filter(pk=1).update(value=generation):
            PageGeneration.objects.update_or_create(pk=1, defaults={"value": generation})
    except DatabaseError:
        logger.exception("Could not record the page cache's new generation")
    cache.set(GENERATION_KEY, generation, None)


def invalidate_public_pages() -> None:
    """Move every public page on to a new generation, once the current transaction commits
    (a page rendered before the commit must not be stored under the new generation)."""
    transaction.on_commit(move_generation)


# The query parameters public pages read (a list's page, the search, the feedback thanks);
# any other changes nothing on a page, so it is left out of the key and a flood of made-up
# parameters cannot fill the cache with copies of one page.
KEY_PARAMETERS = ("page", "q", "feedback")


def page_key(request) -> str | None:
    """What a stored page depends on: the scheme and host (absolute URLs in the page), the
    path, the parameters pages read, and (below) the generation, the day and the language
    (website/locale.py: the address alone decides it). None when the cache is down."""
    parameters = urlencode(
        [(name, value) for name in KEY_PARAMETERS for value in request.GET.getlist(name)]
    )
    url = f"{request.scheme}://{request.get_host()}{request.path}?{parameters}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    generation = current_generation()
    if generation is None:
        return None
    language = address_language(request.path_info)
    return f"public-page:{generation}:{timezone.localdate():%Y%m%d}:{language}:{digest}"


class PublicPageCacheMiddleware:
    """Serves stored copies of public pages to anonymous readers; never the admin, staff
    previews or anything marked private or never-cache.

    It sits near the top of the middleware stack so a stored page costs one cache read and
    no session, user or database work. A reader is anonymous when they send no session
    cookie; anyone signed in (or with a session) bypasses the stored copies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._is_anonymous_read(request):
            return self._mark_private(request, self.get_response(request))
        key = page_key(request) if settings.PUBLIC_PAGE_CACHE_SECONDS > 0 else None
        stored = cache.get(key) if key else None
        if stored is not None:
            return self._from_stored(request, *stored)
        response = self.get_response(request)
        if self._may_store(request, response):
            if not response.has_header("ETag"):  # ConditionalGetMiddleware sets it on GET
                set_response_etag(response)
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
            cache_tags.mark(request, response)
            stored = (response.status_code, list(response.items()), response.content)
            if key:
                cache.set(key, stored, settings.PUBLIC_PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _from_stored(request, status, headers, content):
        etag = dict(headers).get("ETag")
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is None:
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
        else:
            response = not_modified
            for name, value in headers:
                if name in ("Cache-Control", *cache_tags.TAG_HEADERS):
                    response[name] = value
        cache_tags.refresh_lifetime(response)  # nearer midnight than when it was stored
        return response

    @staticmethod
    def _is_anonymous_read(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    @staticmethod
    def _is_public_view(request) -> bool:
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name in CACHEABLE_VIEWS

    def _may_store(self, request, response) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            self._is_public_view(request)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-store" not in cache_control
        )

    def _mark_private(self, request, response):
        """People with a session see public pages too; those copies are theirs alone."""
        if self._is_public_view(request) and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
        return response

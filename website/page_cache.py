"""Caching of public pages for anonymous readers.

Every public page lists or links published articles (navigation, related articles, hub
pages), so pages share one *generation* number: a page is stored under a key that contains
the current generation, and a change readers could see (a publication, an unpublication, a
re-review, a reviewer's or category's edit, a live article's schedule or image) moves the
generation on. Old entries are then never read again and expire on their own. The date is
part of the key too, so day-based notices ("being reviewed") appear on time.

Readers' browsers and any shared cache must revalidate (max-age=0) and get a 304 from the
ETag, so a new review date shows the moment it is signed off.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import urlencode

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
    "website:robots",
    "website:reviewer",
}


def current_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Start from the clock, so a generation lost from the cache is never reused.
        cache.add(GENERATION_KEY, time.time_ns())
        generation = cache.get(GENERATION_KEY)
    return generation


def invalidate_public_pages() -> None:
    """Move every public page on to a new generation, once the current transaction commits
    (a page rendered before the commit must not be stored under the new generation)."""

    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.add(GENERATION_KEY, time.time_ns())

    transaction.on_commit(bump)


# The query parameters public pages read (a list's page, the search, the feedback thanks);
# any other changes nothing on a page, so it is left out of the key and a flood of made-up
# parameters cannot fill the cache with copies of one page.
KEY_PARAMETERS = ("page", "q", "feedback")


def page_key(request) -> str:
    """What a stored page depends on: the scheme and host (absolute URLs in the page), the
    path, the parameters pages read, and (below) the generation and the day."""
    parameters = urlencode(
        [(name, value) for name in KEY_PARAMETERS for value in request.GET.getlist(name)]
    )
    url = f"{request.scheme}://{request.get_host()}{request.path}?{parameters}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"public-page:{current_generation()}:{timezone.localdate():%Y%m%d}:{digest}"


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
        if not self._may_use_cache(request):
            return self._mark_private(request, self.get_response(request))
        key = page_key(request)
        stored = cache.get(key)
        if stored is not None:
            return self._from_stored(request, *stored)
        response = self.get_response(request)
        if self._may_store(request, response):
            if not response.has_header("ETag"):  # ConditionalGetMiddleware sets it on GET
                set_response_etag(response)
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
            stored = (response.status_code, list(response.items()), response.content)
            cache.set(key, stored, settings.PUBLIC_PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _from_stored(request, status, headers, content):
        etag = dict(headers).get("ETag")
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response

    @staticmethod
    def _may_use_cache(request) -> bool:
        return (
            settings.PUBLIC_PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
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

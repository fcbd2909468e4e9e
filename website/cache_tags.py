"""Cache tags: what a public page shows, named for the caches in front of the site.

Every public page an anonymous reader gets carries its tags (headers ``xkey`` for Varnish,
``Surrogate-Key`` for Fastly and others, ``Cache-Tag`` for Cloudflare) and, when frontends are
configured (HEALTHSITE_FRONTENDS), how long a shared cache may keep it (``s-maxage``; browsers
still revalidate every time, ``max-age=0``). When what a page shows changes,
website/invalidation.py purges exactly the tags below from every frontend
(website/frontend_cache.py).

- ``site``: every page (a category's name is in every page's navigation).
- ``article:<id>``: an article's page; pages showing its card as a related article are
  purged with it, by id (invalidation.py knows which).
- ``listings``: every page that lists articles (home, topics, tags, reviewers, search,
  feeds, sitemap). Any change to a live article purges them all: which lists it joins or
  leaves is not known after the fact, and there are few of them next to the article pages.
- ``category:<id>``, ``tag:<id>``, ``reviewer:<id>``: what an article page or a hub page
  shows, for purging by hand (e.g. ``varnishadm``) and for the CDN's own tools.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.cache import patch_cache_control

SITE = "site"
LISTINGS = "listings"

# Views whose pages list articles; their page carries the LISTINGS tag.
LISTING_VIEWS = {
    "website:home",
    "website:category",
    "website:category_feed",
    "website:tag",
    "website:feed",
    "website:search",
    "website:sitemap",
    "website:sitemap_section",
    "website:reviewer",
}

# The tag headers and how each separates its tags.
TAG_HEADERS = {"xkey": " ", "Surrogate-Key": " ", "Cache-Tag": ","}


def article(pk) -> str:
    return f"article:{pk}"


def category(pk) -> str:
    return f"category:{pk}"


def tag(pk) -> str:
    return f"tag:{pk}"


def reviewer(pk) -> str:
    return f"reviewer:{pk}"


def add(request, *tags) -> None:
    """Name what this request's page shows (views call it)."""
    if not hasattr(request, "cache_tags"):
        request.cache_tags = set()
    request.cache_tags.update(str(t) for t in tags if t)


def tags_of(request) -> list[str]:
    tags = {SITE, *getattr(request, "cache_tags", ())}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in LISTING_VIEWS:
        tags.add(LISTINGS)
    return sorted(tags)


def for_changed_articles(article_ids) -> list[str]:
    """The tags to purge when what readers see of these articles changed (all, with None)."""
    if article_ids is None:
        return [SITE]
    return sorted({LISTINGS, *(article(pk) for pk in article_ids)})


def shared_max_age(now=None) -> int:
    """How long a shared cache may keep a page: HEALTHSITE_FRONTEND_CACHE_SECONDS, but never
    past the next local midnight, when day-based notices ("being reviewed") may appear."""
    now = timezone.localtime(now)
    midnight = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=now.tzinfo
    )
    return max(0, min(settings.FRONTEND_CACHE_SECONDS, int((midnight - now).total_seconds())))


def mark(request, response) -> None:
    """Tag headers and the shared cache's lifetime on a public page for anonymous readers."""
    tags = tags_of(request)
    for header, separator in TAG_HEADERS.items():
        response[header] = separator.join(tags)
    refresh_lifetime(response)


def refresh_lifetime(response) -> None:
    if settings.FRONTENDS:
        patch_cache_control(response, s_maxage=shared_max_age())

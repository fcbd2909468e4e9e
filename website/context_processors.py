from typing import NamedTuple

from django.conf import settings

from articles.models import Category
from website.languages import page_links
from website.listing_counts import memoized


class NavTopic(NamedTuple):
    name: str
    slug: str
    url: str


def nav_topics() -> list[NavTopic]:
    """The topics every page's header lists, kept until what readers see changes."""
    return memoized(
        "nav-topics",
        lambda: [
            NavTopic(category.name, category.slug, category.get_absolute_url())
            for category in Category.objects.only("name", "slug")
        ],
    )


def site(request):
    context = {
        "site_name": settings.SITE_NAME,
        # Called by the template only if it shows them (sitemaps and feeds do not).
        "nav_categories": nav_topics,
    }
    # A page rendered for a request offers itself in each language; an article page (stored,
    # rendered without a request) passes its own language versions.
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "website":
        context["language_links"] = page_links(request.path)
    return context

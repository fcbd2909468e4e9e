from django.conf import settings

from articles.models import Category
from website.languages import page_links


def site(request):
    context = {
        "site_name": settings.SITE_NAME,
        "nav_categories": Category.objects.only("name", "slug"),
    }
    # A page rendered for a request offers itself in each language; an article page (stored,
    # rendered without a request) passes its own language versions.
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "website":
        context["language_links"] = page_links(request.path)
    return context

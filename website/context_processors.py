from django.conf import settings

from articles.models import Category


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "nav_categories": Category.objects.only("name", "slug"),
    }

"""The site's URLs plus uploaded media, which the site itself serves only in debug mode.

Browser tests use this URLconf so that hero images and reviewer photos load."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from healthsite.urls import *  # noqa: F403 (the site's patterns and error handlers)
from healthsite.urls import urlpatterns as site_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urlpatterns]

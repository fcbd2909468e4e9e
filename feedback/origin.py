"""Protection for forms that anonymous readers send from cached public pages."""

import logging
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.http import is_same_domain
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("django.security.csrf")


def _origin_is_trusted(request, origin: str) -> bool:
    """Whether ``origin`` ("scheme://host[:port]") is this site or in CSRF_TRUSTED_ORIGINS
    (where "https://*.example.com" allows every subdomain), as Django's CSRF check judges."""
    try:
        if origin == f"{request.scheme}://{request.get_host()}":
            return True
    except DisallowedHost:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    return any(
        is_same_domain(parts.netloc, urlsplit(trusted).netloc.lstrip("*"))
        for trusted in settings.CSRF_TRUSTED_ORIGINS
        if "*" in trusted and urlsplit(trusted).scheme == parts.scheme
    )


def _sending_origin(request) -> str | None:
    """The origin of the page that sent the request: the Origin header, else the scheme and
    host of the Referer; None when the browser sent neither (or Origin "null")."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        return None if origin == "null" else origin
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.scheme and referer.netloc:
        return f"{referer.scheme}://{referer.netloc}"
    return None


def same_origin_post(view):
    """Accept only POST requests sent from this site's own pages.

    Why not Django's CSRF token: public pages are cached whole and served to every anonymous
    reader, so a form on them cannot carry a per-visitor token (nor may a cached page set the
    CSRF cookie). What the token proves, that the request came from our own page, browsers
    already tell us: they put the sending page's origin in the Origin header of every POST
    (or, in old browsers, its address in Referer), and neither another site's form nor its
    script can change it. So the view is csrf_exempt, but only ever together with this check:
    a request whose origin is not our scheme and host (or CSRF_TRUSTED_ORIGINS), or that has
    neither header, gets 403. Meant for anonymous forms; signed-in pages keep the token.
    """

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        origin = _sending_origin(request)
        if origin is None or not _origin_is_trusted(request, origin):
            logger.warning(
                "Forbidden (cross-site or unknown origin %r): %s",
                origin,
                request.path,
                extra={"status_code": 403, "request": request},
            )
            return render(request, "403_cross_site.html", status=403)
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)

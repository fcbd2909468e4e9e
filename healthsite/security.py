"""Hooks for django-axes, the admin login lockout (settings: AXES_*)."""

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone


def client_ip(request) -> str | None:
    """The visitor's address: the one the outermost of NUM_PROXIES trusted proxies saw.

    Behind a load balancer every request comes from the balancer's address, so without this
    a lockout would hit everyone who signs in as that user, not just the one guessing.
    Addresses a client put in X-Forwarded-For itself sit further left and are ignored.
    """
    proxies = settings.NUM_PROXIES
    if proxies > 0:
        forwarded = [
            address.strip()
            for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if address.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets: what happened and when to try again."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-in attempts",
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        "retry_at": timezone.now() + cool_off if cool_off else None,
    }
    response = render(
        request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response

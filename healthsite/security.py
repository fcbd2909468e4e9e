"""The client's address behind proxies, and the admin login lockout: django-axes per
username and address (settings AXES_*), and a limit per address whatever the username."""

import logging

from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger("django.security.proxies")
_warned_about_proxies = False


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
        _warn_fewer_proxies(len(forwarded))
    return request.META.get("REMOTE_ADDR")


def _warn_fewer_proxies(found: int) -> None:
    """A request that came through fewer proxies than DJANGO_NUM_PROXIES says: the setting
    is too high (or the app is reachable without its proxies), and then any client can put
    an address of its choosing in X-Forwarded-For and get round the login and feedback
    limits. Said once per process."""
    global _warned_about_proxies
    if not _warned_about_proxies:
        _warned_about_proxies = True
        logger.warning(
            "DJANGO_NUM_PROXIES is %s, but a request came through %s: lower it to the number "
            "of proxies that append to X-Forwarded-For, or clients can forge their address "
            "(docs/operations.md).",
            settings.NUM_PROXIES,
            found,
        )


class AddressLimitBackend:
    """Refuses every sign-in from an address with more than LOGIN_ADDRESS_FAILURE_LIMIT
    failures, for any usernames, within the lockout time: django-axes counts failures per
    username and address, so one address trying many usernames would otherwise go on."""

    def authenticate(self, request, **credentials):
        if request is None or not getattr(settings, "AXES_ENABLED", True):
            return None
        since = timezone.now() - get_cool_off(request)
        failures = AccessAttempt.objects.filter(
            ip_address=client_ip(request), attempt_time__gte=since
        ).aggregate(total=Sum("failures_since_start"))["total"]
        if (failures or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.address_locked_out = True
            raise AxesBackendPermissionDenied("Too many failed sign-ins from this address")
        return None


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets: what happened and when to try again."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-in attempts",
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_locked": getattr(request, "address_locked_out", False),
        "address_failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        "cooloff_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        "retry_at": timezone.now() + cool_off if cool_off else None,
    }
    response = render(
        request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response

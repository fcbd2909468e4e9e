"""Accounts that need a second factor (staff.two_factor.requires_second_factor) reach no
admin page but their two-factor page until their session has passed one."""

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse

from staff.two_factor import has_authenticator, requires_second_factor


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(reverse("admin:index"))
            and user.is_authenticated
            and not user.is_verified()
            and requires_second_factor(user)
        ):
            allowed = {
                reverse("admin:staff_two_factor"),
                reverse("admin:logout"),
                reverse("admin:jsi18n"),
            }
            if request.path not in allowed:
                if has_authenticator(user):  # signed in without its code: start again
                    logout(request)
                    return HttpResponseRedirect(reverse("admin:login"))
                return HttpResponseRedirect(reverse("admin:staff_two_factor"))
        return self.get_response(request)


class StaffSessionIdleMiddleware:
    """A staff session ends after STAFF_SESSION_IDLE_MINUTES without a request: each request
    moves its expiry forward. (Changing a password ends the account's other sessions and a
    deactivated account's sessions end at once: Django checks both on every request.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.user.is_staff:
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
        return self.get_response(request)

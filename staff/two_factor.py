"""Second factor for staff sign-in and signatures: an authenticator app (TOTP, django-otp's
TOTPDevice) and single-use recovery codes (django-otp's StaticDevice). A wrong code counts
toward the same lockout as a wrong password (django-axes, healthsite.security)."""

from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def authenticator_of(user) -> TOTPDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_authenticator(user) -> bool:
    return authenticator_of(user) is not None


def _count_failure(request, user) -> None:
    """Tell django-axes (and anyone listening) that a sign-in step failed for this user."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username()},
        request=request,
    )


def verify_code(*, request, user, code: str, allow_recovery: bool = False):
    """The device that accepts this code (the authenticator's current code or, with
    allow_recovery, an unused recovery code, which is then used up), or None, after
    counting the failure toward the lockout."""
    code = "".join(code.split())
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
        if allow_recovery:
            devices += StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        for device in devices:
            if device.verify_is_allowed()[0] and device.verify_token(code):
                return device
    _count_failure(request, user)
    return None

"""Second factor for staff sign-in and signatures: an authenticator app (TOTP, django-otp's
TOTPDevice) and single-use recovery codes (django-otp's StaticDevice). A wrong code counts
toward the same lockout as a wrong password (django-axes, healthsite.security).

Required (STAFF_TWO_FACTOR_REQUIRED, on unless DEBUG) for every account that can sign off,
publish, manage accounts or change roles; anyone else may enrol too."""

import base64

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# Holding any of these makes the second factor required.
POWERFUL_PERMISSIONS = (
    "editorial.sign_off",
    "articles.publish_article",
    "auth.add_user",
    "auth.change_user",
    "auth.change_group",
)


def requires_second_factor(user) -> bool:
    if not settings.STAFF_TWO_FACTOR_REQUIRED or not user.is_authenticated or not user.is_staff:
        return False
    return user.is_superuser or any(user.has_perm(p) for p in POWERFUL_PERMISSIONS)


def authenticator_of(user) -> TOTPDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_authenticator(user) -> bool:
    return authenticator_of(user) is not None


def is_locked_out(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": user.get_username()})


def _count_failure(request, user) -> None:
    """Tell django-axes (and anyone listening) that a sign-in step failed for this user."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
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


def start_enrolment(*, user) -> TOTPDevice:
    """A new authenticator secret for the user, unconfirmed until they type a code from it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def pending_enrolment(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def finish_enrolment(*, request, user, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code from it; it replaces any earlier one.
    Returns it and a fresh set of recovery codes, to be shown once."""
    device = pending_enrolment(user)
    if device is None:
        raise ValidationError("Start again: there is no authenticator waiting to be confirmed.")
    if not device.verify_token("".join(code.split())):
        _count_failure(request, user)
        raise ValidationError(
            {"code": "That code does not match. Check the app shows healthsite and type the "
             "6 digits it shows now."}
        )  # fmt: skip
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user=user)
    return device, codes


def new_recovery_codes(*, user) -> list[str]:
    """Replace the user's recovery codes with new ones; each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset_second_factor(*, user) -> bool:
    """An administrator's reset for a lost device: the authenticator and recovery codes go;
    the account must enrol again at its next sign-in. Whether there was anything to reset."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_codes, _ = StaticDevice.objects.filter(user=user).delete()
    return bool(removed or removed_codes)


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The authenticator's setup address as an SVG QR code, inline (no script, CSP-safe)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def typed_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps set up by typing it."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

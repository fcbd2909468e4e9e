"""A sign-off is a signature: the reviewer confirms who they are at the moment of signing
(their password, or their authenticator code once they have one), unless they did so in the
last SIGN_OFF_CONFIRMATION_MINUTES, and affirms a statement naming exactly what they
reviewed. decide_review refuses a decision without both, whatever calls it."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils import timezone

from editorial.models import ConfirmationMethod

SESSION_KEY = "signature_confirmation"


@dataclass(frozen=True)
class Confirmation:
    """That this user proved who they are, how and when."""

    user_id: int
    method: str
    confirmed_at: datetime.datetime


def confirmation_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.SIGN_OFF_CONFIRMATION_MINUTES)


def confirmation_method_for(user) -> str:
    """What the user signs with: the authenticator code when they have one enrolled."""
    from staff.two_factor import has_authenticator

    if has_authenticator(user):
        return ConfirmationMethod.AUTHENTICATOR
    return ConfirmationMethod.PASSWORD


def confirm_identity(*, request, user, secret: str) -> Confirmation:
    """Check the password (or authenticator code) the user typed to sign. A wrong one counts
    toward the sign-in lockout, like a failed sign-in."""
    from staff.two_factor import verify_code

    method = confirmation_method_for(user)
    if not secret.strip():
        raise ValidationError({"secret": _ask(method)})
    if method == ConfirmationMethod.AUTHENTICATOR:
        confirmed = verify_code(request=request, user=user, code=secret)
    else:
        confirmed = authenticate(request, username=user.get_username(), password=secret) == user
    if not confirmed:
        wrong = "code" if method == ConfirmationMethod.AUTHENTICATOR else "password"
        raise ValidationError({"secret": f"That {wrong} is not right. {_ask(method)}"})
    confirmation = Confirmation(user_id=user.pk, method=method, confirmed_at=timezone.now())
    request.session[SESSION_KEY] = {
        "user_id": user.pk,
        "method": method,
        "at": confirmation.confirmed_at.isoformat(),
    }
    return confirmation


def _ask(method: str) -> str:
    if method == ConfirmationMethod.AUTHENTICATOR:
        return "Type the 6-digit code your authenticator app shows now, to sign."
    return "Type your password, to sign."


def recent_confirmation(request) -> Confirmation | None:
    """The confirmation this session made within the window, if any."""
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("user_id") != request.user.pk:
        return None
    confirmation = Confirmation(
        user_id=stored["user_id"],
        method=stored["method"],
        confirmed_at=datetime.datetime.fromisoformat(stored["at"]),
    )
    return confirmation if is_fresh(confirmation, user=request.user) else None


def is_fresh(confirmation: Confirmation | None, *, user) -> bool:
    return (
        confirmation is not None
        and confirmation.user_id == user.pk
        and confirmation.method in ConfirmationMethod.values
        and timezone.now() - confirmation.confirmed_at <= confirmation_window()
        and confirmation.confirmed_at <= timezone.now()
    )


def statement_for(*, reviewer, snapshot: dict, content_fingerprint: str) -> str:
    """The statement the reviewer affirms: who, which article, which exact content."""
    sources, faqs = len(snapshot["citations"]), len(snapshot["faqs"])
    return (
        f"I, {reviewer.name_with_credentials}, have reviewed “{snapshot['title']}” as shown "
        f"to me: its summary and text, its {sources} source{'s' if sources != 1 else ''} and "
        f"its {faqs} FAQ{'s' if faqs != 1 else ''} (content fingerprint "
        f"{content_fingerprint[:16]}). This decision is my own medical judgement of that "
        "content."
    )


def check_signature(*, user, confirmation, statement: str, expected: str) -> None:
    """Refuse a decision the user has not signed: no fresh confirmation of who they are,
    or a statement other than the one naming the content as it is now."""
    if not is_fresh(confirmation, user=user):
        minutes = settings.SIGN_OFF_CONFIRMATION_MINUTES
        raise ValidationError(
            {
                "secret": "Confirm who you are to sign this decision: you have not done so "
                f"in the last {minutes} minute{'s' if minutes != 1 else ''}. "
                + _ask(confirmation_method_for(user))
            }
        )
    if not statement:
        raise ValidationError({"affirm": "Affirm the statement naming what you reviewed, to sign."})
    if statement != expected:
        raise ValidationError(
            "The article was changed while you were reviewing it, so the statement you "
            "affirmed no longer names its content and your decision was not recorded. Reload "
            "the page to review the current content and its changes."
        )

"""API keys: made once and shown once, stored only as a SHA-256, checked on every request.

A key reads ``hsk_<8 characters>_<43 characters>``: the first part (the prefix) is kept in
clear to tell keys apart in the admin and in logs; the whole key has 256 bits of randomness,
so a plain SHA-256 (not a slow password hash) is enough to keep it unusable if the table leaks.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from api.models import ApiConsumer, ApiKey

KEY_START = "hsk_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # the key itself: show it once, never store it


def create_api_key(*, consumer: ApiConsumer, label: str = "") -> NewKey:
    """Make a key for the consumer; the returned ``secret`` is the only copy."""
    prefix = KEY_START + secrets.token_hex(4)
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            consumer=consumer, label=label.strip(), prefix=prefix, key_hash=hash_key(secret)
        )
    return NewKey(key=key, secret=secret)


def revoke_api_key(*, key: ApiKey) -> ApiKey:
    """Stop the key working at once; its usage history is kept."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


class KeyRefused(Exception):
    """Why a request's key does not open the API (the 401 answer's message)."""


def key_for(authorization: str | None) -> ApiKey:
    """The usable key an ``Authorization`` header names, or KeyRefused saying what is wrong."""
    if not authorization:
        raise KeyRefused(
            "This API needs a key: send it as “Authorization: Bearer <key>”. Ask the "
            "publisher for one if you have none."
        )
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise KeyRefused("Send the key as “Authorization: Bearer <key>”.")
    if not secret.startswith(KEY_START):
        raise KeyRefused(f"That is not an API key of this site: keys start with “{KEY_START}”.")
    key = ApiKey.objects.select_related("consumer").filter(key_hash=hash_key(secret)).first()
    if key is None:
        raise KeyRefused("That API key is not known. Check that it was copied whole.")
    if key.revoked_at is not None:
        raise KeyRefused(
            f"That API key was revoked on {timezone.localtime(key.revoked_at):%d %B %Y}. "
            "Use a current key, or ask the publisher for a new one."
        )
    if not key.consumer.is_active:
        raise KeyRefused(
            "The partner account for that API key is suspended. Contact the publisher."
        )
    return key

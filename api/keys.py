"""API keys: made once and shown once, stored only as a SHA-256, checked on every request.

A key reads ``hsk_<8 characters>_<43 characters>``: the first part (the prefix) is kept in
clear to tell keys apart in the admin and in logs; the whole key has 256 bits of randomness,
so a plain SHA-256 (not a slow password hash) is enough to keep it unusable if the table leaks.

A key found is kept in the shared cache for KEY_CACHE_SECONDS, under its hash, so most
requests check their key without a query. Any save of the key or of its consumer (revoking
it, suspending the partner, a new limit or attribution) writes a tombstone there first, and
then after the commit: from then on, for KEY_CACHE_SECONDS, every process looks the key up
in the database, and no process can put back a copy it read before the change (copies are
added, never overwritten). If the cache is down when a key is revoked, a copy cached before
may be used for up to KEY_CACHE_SECONDS once the cache is back (logged as a warning).
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from api.models import ApiConsumer, ApiKey
from healthsite import cache

logger = logging.getLogger(__name__)

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
    key = _cached_key(hash_key(secret))
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


KEY_CACHE_SECONDS = 60
_TOMBSTONE = "changed"


def _cache_name(key_hash: str) -> str:
    return f"api-key:{key_hash}"


def _cached_key(key_hash: str) -> ApiKey | None:
    """The key with this hash, with its consumer: from the cache, else from the database."""
    name = _cache_name(key_hash)
    cached = cache.get(name)
    if isinstance(cached, ApiKey):
        return cached
    key = ApiKey.objects.select_related("consumer").filter(key_hash=key_hash).first()
    if key is not None and cached is None:
        cache.add(name, key, KEY_CACHE_SECONDS)
    return key


def forget_cached_keys(keys) -> None:
    """Make every process read these keys from the database again (see the module's
    description); now, and once the current transaction commits."""
    names = [_cache_name(key.key_hash) for key in keys]

    def forget():
        for name in names:
            if not cache.set(name, _TOMBSTONE, KEY_CACHE_SECONDS):
                logger.warning(
                    "Could not mark an API key changed in the cache: a copy cached before "
                    "may open the API for up to %d s once the cache answers",
                    KEY_CACHE_SECONDS,
                )
                return

    forget()
    transaction.on_commit(forget)


def _key_saved(sender, instance, created=False, **kwargs):
    if not created:  # no process has a copy of a new key
        forget_cached_keys([instance])


def _consumer_saved(sender, instance, created=False, **kwargs):
    if not created:
        forget_cached_keys(ApiKey.objects.filter(consumer=instance).only("key_hash"))


def connect() -> None:
    """Connect the receivers (ApiConfig.ready)."""
    for signal in (post_save, post_delete):
        signal.connect(_key_saved, sender=ApiKey, dispatch_uid=f"api-key-{signal}")
        signal.connect(_consumer_saved, sender=ApiConsumer, dispatch_uid=f"api-consumer-{signal}")

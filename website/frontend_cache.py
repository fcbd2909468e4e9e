"""Purging the caches in front of the site (Varnish, Cloudflare, CloudFront) by cache tag.

HEALTHSITE_FRONTENDS lists them, each as a URL:

- ``varnish://HOST:PORT`` (or ``varnish+https://``): ``PURGE /`` with the tags in an
  ``xkey-purge`` header, for deploy/varnish/default.vcl (varnish-modules' xkey);
- ``cloudflare://ZONE_ID``: purge by tag (``Cache-Tag``), with the API token in
  HEALTHSITE_CLOUDFLARE_API_TOKEN;
- ``cloudfront://DISTRIBUTION_ID``: an invalidation of the paths the tags stand for
  (CloudFront has no tags), signed with the usual AWS credentials.

website/invalidation.py calls purge_after_commit with the tags a change touches; they are sent
once the transaction commits. A purge a frontend refuses or does not answer within
HEALTHSITE_FRONTEND_PURGE_TIMEOUT_SECONDS is logged and kept (PendingPurge), then retried by
the next purge and by ``manage.py send_purges`` (cron, every minute) until it goes through or
FRONTEND_CACHE_SECONDS (the pages' s-maxage) have passed, when the pages have expired anyway.
"""

import datetime
import logging
import threading
import uuid
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from website import cache_tags
from website.models import PendingPurge

logger = logging.getLogger(__name__)

# Cloudflare takes at most 30 tags in one purge request.
CLOUDFLARE_TAGS_PER_REQUEST = 30


class PurgeFailed(Exception):
    pass


class Varnish:
    def __init__(self, url):
        parts = urlsplit(url)
        if not parts.hostname or not parts.port:
            raise ImproperlyConfigured(f"{url!r}: write varnish://HOST:PORT")
        scheme = "https" if parts.scheme.endswith("+https") else "http"
        self.endpoint = f"{scheme}://{parts.hostname}:{parts.port}/"

    def purge(self, tags):
        response = httpx.request(
            "PURGE",
            self.endpoint,
            headers={"xkey-purge": " ".join(tags)},
            timeout=settings.FRONTEND_PURGE_TIMEOUT_SECONDS,
        )
        if response.status_code != 200:
            raise PurgeFailed(f"Varnish answered {response.status_code}: {response.text[:200]}")


class Cloudflare:
    def __init__(self, url):
        self.zone = urlsplit(url).netloc
        if not self.zone:
            raise ImproperlyConfigured(f"{url!r}: write cloudflare://ZONE_ID")
        if not settings.CLOUDFLARE_API_TOKEN:
            raise ImproperlyConfigured(
                "HEALTHSITE_CLOUDFLARE_API_TOKEN is not set: create an API token with the "
                "Zone › Cache Purge permission and set it."
            )

    def purge(self, tags):
        url = f"{settings.CLOUDFLARE_API_URL.rstrip('/')}/zones/{self.zone}/purge_cache"
        for start in range(0, len(tags), CLOUDFLARE_TAGS_PER_REQUEST):
            response = httpx.post(
                url,
                json={"tags": tags[start : start + CLOUDFLARE_TAGS_PER_REQUEST]},
                headers={"Authorization": f"Bearer {settings.CLOUDFLARE_API_TOKEN}"},
                timeout=settings.FRONTEND_PURGE_TIMEOUT_SECONDS,
            )
            try:
                success = response.json().get("success")
            except ValueError:
                success = False
            if response.status_code != 200 or not success:
                raise PurgeFailed(
                    f"Cloudflare answered {response.status_code}: {response.text[:200]}"
                )


class CloudFront:
    def __init__(self, url):
        self.distribution = urlsplit(url).netloc
        if not self.distribution:
            raise ImproperlyConfigured(f"{url!r}: write cloudfront://DISTRIBUTION_ID")

    def purge(self, tags):
        import boto3
        from botocore.config import Config

        # A new session each time: boto3's default one keeps the credentials it first found.
        client = boto3.session.Session().client(
            "cloudfront",
            endpoint_url=settings.CLOUDFRONT_API_URL,
            region_name="us-east-1",
            config=Config(
                connect_timeout=settings.FRONTEND_PURGE_TIMEOUT_SECONDS,
                read_timeout=settings.FRONTEND_PURGE_TIMEOUT_SECONDS,
                retries={"max_attempts": 1},
            ),
        )
        paths = paths_for(tags)
        try:
            client.create_invalidation(
                DistributionId=self.distribution,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": uuid.uuid4().hex,
                },
            )
        except Exception as error:  # botocore's errors: refused, denied, throttled
            raise PurgeFailed(f"CloudFront: {error}") from error


BACKENDS = {
    "varnish": Varnish,
    "varnish+http": Varnish,
    "varnish+https": Varnish,
    "cloudflare": Cloudflare,
    "cloudfront": CloudFront,
}


def frontend(url):
    backend = BACKENDS.get(urlsplit(url).scheme)
    if backend is None:
        raise ImproperlyConfigured(
            f"HEALTHSITE_FRONTENDS: {url!r} is not a frontend this site can purge; use "
            "varnish://HOST:PORT, cloudflare://ZONE_ID or cloudfront://DISTRIBUTION_ID."
        )
    return backend(url)


LISTING_PATHS = ["/", "/topics/*", "/tags/*", "/reviewers/*", "/search/*", "/feed/*", "/sitemap*"]


def paths_for(tags) -> list[str]:
    """The paths a set of tags stands for, for frontends that invalidate by path."""
    from taggit.models import Tag

    from articles.models import Article, Category
    from reviewers.models import Reviewer

    if cache_tags.SITE in tags:
        return ["/*"]
    paths = []
    by_kind = {}
    for tag in tags:
        kind, _, pk = tag.partition(":")
        by_kind.setdefault(kind, []).append(pk)
    if cache_tags.LISTINGS in by_kind:
        paths += LISTING_PATHS
    lookups = [
        ("article", Article.objects.exclude(live_slug=""), "live_slug", "website:article"),
        ("category", Category.objects, "slug", "website:category"),
        ("tag", Tag.objects, "slug", "website:tag"),
        ("reviewer", Reviewer.objects, "slug", "website:reviewer"),
    ]
    for kind, objects, slug_field, view in lookups:
        if by_kind.get(kind):
            slugs = objects.filter(pk__in=by_kind[kind]).values_list(slug_field, flat=True)
            paths += [reverse(view, args=[slug]) + "*" for slug in slugs]
    return sorted(set(paths))


def send(tags, *, frontends=None) -> None:
    """Purge these tags from every configured frontend now; keep what fails for a retry."""
    tags = sorted(set(tags))
    for url in settings.FRONTENDS if frontends is None else frontends:
        try:
            frontend(url).purge(tags)
        except (PurgeFailed, httpx.HTTPError, OSError) as error:
            logger.warning("Purge of %s from %s failed (%s); will retry", tags, url, error)
            _keep(url, tags, error)


def _keep(url, tags, error):
    try:
        PendingPurge.objects.create(
            frontend=url,
            tags=tags,
            last_error=str(error)[:1000],
            next_attempt_at=timezone.now() + _backoff(1),
        )
    except DatabaseError:
        logger.exception("Could not keep the failed purge for a retry")


def _backoff(attempts) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(120, 5 * 2**attempts))


def send_pending_purges(*, now=None) -> int:
    """Retry the purges that failed and are due; the number that went through."""
    now = now or timezone.now()
    expired = now - datetime.timedelta(seconds=settings.FRONTEND_CACHE_SECONDS)
    given_up = PendingPurge.objects.filter(created_at__lt=expired)
    for purge in given_up:
        logger.warning("Gave up purging %s from %s: the pages have expired", purge.tags, purge)
    given_up.delete()
    sent = 0
    for purge in PendingPurge.objects.filter(next_attempt_at__lte=now):
        try:
            frontend(purge.frontend).purge(purge.tags)
        except (PurgeFailed, httpx.HTTPError, OSError) as error:
            purge.attempts += 1
            purge.last_error = str(error)[:1000]
            purge.next_attempt_at = now + _backoff(purge.attempts)
            purge.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("Retry %d of purge %s failed (%s)", purge.attempts, purge, error)
        else:
            purge.delete()
            sent += 1
    return sent


_pending = threading.local()


class _Batch:
    """The tags of one transaction (one savepoint level), sent together after it commits."""

    def __init__(self, savepoint_ids):
        self.savepoint_ids = savepoint_ids
        self.tags = set()
        self.sent = False

    def send(self):
        self.sent = True
        send(self.tags)
        try:
            if PendingPurge.objects.filter(next_attempt_at__lte=timezone.now()).exists():
                send_pending_purges()
        except DatabaseError:
            logger.exception("Could not retry the pending purges")


def purge_after_commit(tags) -> None:
    """Purge these tags from every frontend once the current transaction commits (all the
    tags of one transaction in one purge; nothing if it rolls back)."""
    if not settings.FRONTENDS:
        return
    connection = transaction.get_connection()
    batch = getattr(_pending, "batch", None)
    same_transaction = (
        batch is not None
        and not batch.sent
        and connection.in_atomic_block
        and batch.savepoint_ids == list(connection.savepoint_ids)
        and any(entry[1] == batch.send for entry in connection.run_on_commit)
    )
    if same_transaction:
        batch.tags.update(tags)
        return
    batch = _pending.batch = _Batch(list(connection.savepoint_ids))
    batch.tags.update(tags)
    transaction.on_commit(batch.send)

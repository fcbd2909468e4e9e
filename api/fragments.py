"""Each article's JSON in the API's answers, kept in each process under what it is made of.

Building an article's part of an answer (model instances, links, validation, JSON) was most
of a request's cost. That part depends only on:

- the article's live version, which never changes (PublishedVersion) except for the image
  sizes and renditions derived from it;
- the article's fields and the topic's, reviewer's and tags' values in STAMP_FIELDS and
  ``tags_of``, read by a query far cheaper than the models (and for an article's own answer,
  its translations' live versions);
- the request's origin and language (its links) and today's date (``being_reviewed``).

Those values, read afresh on every request, are the key of the stored JSON. So a stored part
is never out of date and nothing needs invalidating: any change gives a new key, and parts no
longer asked for are dropped when the store is full. That is why a store per process is
right here (no process can hold a copy another must be told about). A part is stored under
the key of the models it was built from, so one built while a change was committing is
never stored under the values from before it.
"""

import hashlib
import threading
from collections import OrderedDict

from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from pydantic_core import to_json

from articles.models import PublishedVersion

# What an article's part shows beyond its live version's own (never changing) content.
STAMP_FIELDS = (
    "pk",
    "published_at",
    "translation_of_id",
    "source_changed_at",
    "next_review_due",
    "api_updated_at",
    "live_version_id",
    "live_version__hero_width",
    "live_version__hero_height",
    "live_version__hero_renditions",
    "live_version__category__slug",
    "live_version__category__name",
    "live_version__reviewer__id",
    "live_version__reviewer__slug",
    "live_version__reviewer__name",
    "live_version__reviewer__credentials",
    "live_version__reviewer__specialty",
    "live_version__reviewer__photo",
    "live_version__reviewer__photo_width",
    "live_version__reviewer__photo_height",
    "live_version__reviewer__photo_renditions",
)
PK, PUBLISHED_AT, TRANSLATION_OF, API_UPDATED_AT, VERSION = 0, 1, 2, 5, 6


class _Store:
    """The most recently used parts, up to ``size`` of them."""

    def __init__(self, size: int):
        self.size = size
        self._parts: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> str | None:
        with self._lock:
            part = self._parts.get(key)
            if part is not None:
                self._parts.move_to_end(key)
            return part

    def put(self, key: bytes, part: str) -> None:
        with self._lock:
            self._parts[key] = part
            self._parts.move_to_end(key)
            while len(self._parts) > self.size:
                self._parts.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()


summaries = _Store(5000)  # about 1.5 kB each
articles = _Store(300)  # an article with its body: tens of kB


def tags_of(version_ids) -> dict[int, list]:
    """The (name, slug) of each version's tags, by version id: one query."""
    tags: dict[int, list] = {version_id: [] for version_id in version_ids}
    rows = (
        PublishedVersion.tags.through.objects.filter(publishedversion_id__in=version_ids)
        .values_list("publishedversion_id", "tag__name", "tag__slug")
        .order_by("tag__name", "tag__slug")
    )
    for version_id, name, slug in rows:
        tags[version_id].append((name, slug))
    return tags


def stamp_of(article) -> tuple:
    """STAMP_FIELDS read from an article of api.views.live_articles(), as values_list
    reads them from the database."""
    values = []
    for path in STAMP_FIELDS:
        value = article
        for name in path.split("__"):
            value = getattr(value, name)
        values.append(value.name if isinstance(value, FieldFile) else value)
    return tuple(values)


def tags_of_version(version) -> list:
    return sorted((tag.name, tag.slug) for tag in version.tags.all())


def key(request, stamp: tuple, tags: list, *extra) -> bytes:
    """Where the part made of these values is stored, for this request's links and day."""
    context = getattr(request, "_api_fragment_context", None)
    if context is None:
        context = request._api_fragment_context = repr(
            (request.scheme, request.get_host(), translation.get_language(), timezone.localdate())
        )
    what = f"{context}{stamp!r}{tags!r}{extra!r}"
    return hashlib.blake2b(what.encode(), digest_size=20).digest()


def dump(schema, payload: dict) -> str:
    """The payload validated against the schema, as JSON."""
    return schema.model_validate(payload).model_dump_json()


def envelope(**fields) -> str:
    """An answer's JSON around parts already dumped: ``fields`` in the schema's order, each
    a value to encode or, wrapped in ``Dumped``, JSON to put in as it is."""
    items = []
    for name, value in fields.items():
        encoded = value.json if isinstance(value, Dumped) else to_json(value).decode()
        items.append(f'"{name}":{encoded}')
    return "{" + ",".join(items) + "}"


class Dumped:
    def __init__(self, json: str):
        self.json = json

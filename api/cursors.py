"""Opaque cursors over the order of first publication: (published_at, id), which no later
change alters, so a page boundary never moves while a partner walks the pages."""

import base64
import binascii
import datetime
import json

from django.db.models import Q


class BadCursor(ValueError):
    pass


def cursor_after(published_at: datetime.datetime, pk: int) -> str:
    """The cursor of the page after the article first published at ``published_at`` with
    id ``pk``."""
    raw = json.dumps([published_at.isoformat(), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def after_cursor(articles, cursor: str):
    """The articles after the one the cursor names, in (published_at, id) order."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        published_at, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        published_at = datetime.datetime.fromisoformat(published_at)
        if not isinstance(pk, int) or published_at.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(
            "That cursor is not one this API gave out: pass next_cursor from the previous "
            "page unchanged, or leave it out to start from the first page."
        ) from None
    return articles.filter(
        Q(published_at__gt=published_at) | Q(published_at=published_at, pk__gt=pk)
    )

"""Monthly usage per key: counted in each process, written to ApiUsage rows in batches.

Writing one UPDATE per request made the count the dearest part of every GET (on SQLite a
commit per request, serialising the workers). So each process counts its requests in memory
and adds them to the rows, one ``UPDATE … SET requests = requests + n`` per key and month,
when it has counted FLUSH_REQUESTS requests, FLUSH_SECONDS after the first uncounted one
(a timer thread, so an idle process writes too), and when the process exits. Counts are exact
across processes and batches, since every write adds to the row rather than setting it; a
write that fails keeps its counts for the next. What a process holds is lost only if it is
killed outright (SIGKILL, a crash of the interpreter): at most FLUSH_REQUESTS requests or
FLUSH_SECONDS of one process's counts.

Counting does not use the shared cache: the file cache's ``incr`` is a read and a write,
not atomic between gunicorn's workers, and it culls entries at random when full, so counts
kept there would be lost in the default deployment; an outage of the cache costs nothing here.
"""

import atexit
import datetime
import logging
import threading
from collections import Counter

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from api.models import ApiKey, ApiUsage

logger = logging.getLogger(__name__)

# A process writes its counts once it holds this many requests, or this long after the
# first it holds. 1 writes every request at once.
FLUSH_REQUESTS = 100
FLUSH_SECONDS = 10.0


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


_lock = threading.Lock()
_counts: Counter = Counter()  # (key id, month) -> requests not written yet
_timer: threading.Timer | None = None


def record_request(key: ApiKey, *, on: datetime.date | None = None) -> None:
    """Add one request to the key's count for the month (written in this process's next
    batch, see the module's description)."""
    month = month_of(on or timezone.localdate())
    global _timer
    with _lock:
        _counts[(key.pk, month)] += 1
        full = _counts.total() >= FLUSH_REQUESTS
        if not full and _timer is None:
            _timer = threading.Timer(FLUSH_SECONDS, _flush_from_timer)
            _timer.daemon = True
            _timer.start()
    if full:
        flush_usage()


def pending_requests() -> int:
    """The requests this process has counted and not written yet."""
    with _lock:
        return _counts.total()


def flush_usage() -> None:
    """Write the requests this process has counted to the usage rows now."""
    global _timer
    with _lock:
        counts = dict(_counts)
        _counts.clear()
        if _timer is not None:
            _timer.cancel()
            _timer = None
    if not counts:
        return
    try:
        _add_to_rows(counts)
    except DatabaseError:
        logger.exception("Could not write API usage; keeping %d requests for the next try",
                         sum(counts.values()))  # fmt: skip
        with _lock:
            _counts.update(counts)


def _add_to_rows(counts: dict) -> None:
    with transaction.atomic():
        # A key deleted meanwhile (with its consumer) has no rows to add to.
        keys = set(ApiKey.objects.filter(pk__in={key_id for key_id, _ in counts}).values_list(
            "pk", flat=True))  # fmt: skip
        for (key_id, month), requests in counts.items():
            if key_id not in keys:
                continue
            rows = ApiUsage.objects.filter(key_id=key_id, month=month)
            if rows.update(requests=F("requests") + requests):
                continue
            try:
                with transaction.atomic():
                    ApiUsage.objects.create(key_id=key_id, month=month, requests=requests)
            except IntegrityError:  # another process made this month's row meanwhile
                rows.update(requests=F("requests") + requests)


def _flush_from_timer() -> None:
    try:
        flush_usage()
    finally:
        connections.close_all()  # this thread's own connections


atexit.register(flush_usage)

"""Faults under load (issue 13, part 6): readers keep requesting pages from both app servers
through nginx while the test restarts Redis, then cuts the app servers off from PostgreSQL
for a few seconds. No request may fail while Redis restarts; while the database is away only
pages that need it fail (cached pages keep answering) and the site serves normally within a
few seconds of its return. Bounded: 4 reader threads, about 15 seconds, 127.0.0.1 only."""

import threading
import time

import pytest

from tests.deploy.stack import Stack
from tests.servers import fetch

READERS = 4


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("faults"), database_relay=True)
    yield running
    running.stop()


class Load:
    """Reader threads requesting ``paths`` in turn; every answer is recorded."""

    def __init__(self, base, paths):
        self.base, self.paths = base, paths
        self.results = []  # (time, path, status)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, args=(n,)) for n in range(READERS)]

    def _read(self, offset):
        n = offset
        while not self._stop.is_set():
            path = self.paths[n % len(self.paths)]
            n += 1
            try:
                status = fetch(self.base + path, timeout=5)[0]
            except OSError:
                status = 0
            self.results.append((time.monotonic(), path, status))

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def failures(self, start=0, end=float("inf")):
        return [(t, p, s) for t, p, s in self.results if start <= t <= end and s != 200]

    def report(self):
        failed = self.failures()
        statuses = sorted({s for _, _, s in failed})
        return f"{len(self.results)} requests, {len(failed)} not 200 (statuses {statuses})"


def during_cut(load, cut_at, back_at):
    return [s for t, _, s in load.results if cut_at + 0.5 < t < back_at]


def test_no_request_fails_while_redis_restarts(stack):
    paths = list(stack.site["paths"].values())
    with Load(stack.nginx_url, paths) as load:
        time.sleep(1)
        stack.redis.stop()
        time.sleep(1.5)
        stack.redis.start()
        time.sleep(1.5)
    print("Redis restart:", load.report())
    assert len(load.results) > 20, load.report()
    assert load.failures() == [], load.report()


def test_only_pages_needing_the_database_fail_while_it_is_away(stack):
    cached = [stack.site["paths"]["article"], stack.site["paths"]["home"]]
    for path in cached:  # in the page cache (Redis) of both app servers
        for _ in range(2):
            assert fetch(stack.nginx_url + path)[0] == 200
    uncached = [f"/search/?q=back+{n}" for n in range(1000)]  # a new search each time
    with Load(stack.nginx_url, cached) as cached_load, Load(stack.nginx_url, uncached) as load:
        time.sleep(1)
        cut_at = time.monotonic()
        stack.relay.cut()
        time.sleep(3)
        stack.relay.connect()
        back_at = time.monotonic()
        time.sleep(4)
    print("Database cut, cached pages:", cached_load.report())
    print(
        "Database cut, searches:",
        load.report(),
        f"({len(during_cut(load, cut_at, back_at))} during)",
    )
    assert cached_load.failures() == [], "cached pages answer without the database"
    assert load.failures(0, cut_at) == [], load.report()
    during = during_cut(load, cut_at, back_at)
    assert during and set(during) == {503}, "the rest gets the 503 page while it is away"
    assert load.failures(back_at + 3) == [], f"serving normally 3 s after: {load.report()}"

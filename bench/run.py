#!/usr/bin/env python3
"""Benchmark the public site under gunicorn with wrk, as docs/performance.md describes.

    .venv/bin/python bench/run.py [--articles 100000] [--duration 10] [--connections 16]

It builds a synthetic site (generate_content) in bench/.work/ (one data set per database,
kept), starts gunicorn (2 workers, debug off) on 127.0.0.1, drives it with wrk from a second
process, and prints requests per second and latency percentiles for /healthz, the article
page (cached, uncached, first view after a change), the home, category, tag and reviewer
pages, search matching every article and matching one, the sitemap index and its article
file, each also as a ratio to /healthz from the same server run, and the gunicorn workers'
memory after each run.
The page cache is on for the "cached" run and off (HEALTHSITE_PAGE_CACHE_SECONDS=0) for the
"uncached" one. Every request is checked: any non-2xx/3xx answer or socket error is reported.
"""

import argparse
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str, cache_seconds: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(WORK / "static"),
        MEDIA_ROOT=str(WORK / "media"),
        HEALTHSITE_PAGE_CACHE_SECONDS=str(cache_seconds),
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(database_url: str, articles: int) -> None:
    env = environment(database_url, 0)
    database = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    marker = WORK / f"generated-{articles}-{database}"
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    if not marker.exists():
        manage(env, "generate_content", "--articles", str(articles))
        marker.touch()
    # As a deploy does: every stored page and card the code of this run would render
    # differently is rendered again before readers (and the benchmark) come.
    started = time.monotonic()
    manage(env, "render_article_pages")
    print(f"render_article_pages: {time.monotonic() - started:.0f} s")


def sample_urls(database_url: str) -> dict:
    code = (
        "from articles.models import Article;"
        "a = Article.objects.published().filter(slug__startswith='synthetic-')"
        ".select_related('live_version__reviewer', 'live_category').order_by('pk').first();"
        "v = a.live_version;"
        "print('sample', a.live_slug, a.live_category.slug, v.tags.first().slug,"
        " v.reviewer.slug, v.title.rsplit('(', 1)[-1].rstrip(')'))"
    )
    env = environment(database_url, 0)
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    found = re.search(r"^sample (\S+) (\S+) (\S+) (\S+) (\S+)$", out, flags=re.M)
    slug, category, tag, reviewer, number = found.groups()
    return {
        "healthz": "/healthz",
        "home": "/",
        "article": f"/articles/{slug}/",
        "category": f"/topics/{category}/",
        "tag": f"/tags/{tag}/",
        "reviewer": f"/reviewers/{reviewer}/",
        # Every synthetic article mentions both words; only one has the number in its title.
        "search, match all": "/search/?q=sleep+treatment",
        "search, match few": f"/search/?q=treatment+{number}",
        "sitemap index": "/sitemap.xml",
        "sitemap, articles": "/sitemap-articles.xml",
    }


def first_view_script(database_url: str, exclude: str) -> Path:
    """A wrk script that asks for each published article once (across both wrk threads); run
    after mark_every_page_stale, each request renders and stores a page."""
    code = (
        "from articles.models import Article;"
        "[print('slug', s) for s in Article.objects.published().values_list('slug', flat=True)]"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=environment(database_url, 0), check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    # Only the lines the code printed: the shell prints a line of its own first.
    slugs = re.findall(r"^slug (\S+)$", out, flags=re.M)
    paths = [f"/articles/{slug}/" for slug in slugs if f"/articles/{slug}/" != exclude]
    script = WORK / "first_view.lua"
    script.write_text(
        "paths = {" + ",".join(f'"{path}"' for path in paths) + "}\n"
        "threads = 0\n"
        "function setup(thread) thread:set('counter', threads); threads = threads + 1 end\n"
        "function request()\n"
        "  counter = counter + 2\n"
        "  return wrk.format(nil, paths[(counter % #paths) + 1])\n"
        "end\n"
    )
    return script


def mark_every_page_stale(database_url: str) -> None:
    """As a change shown on every page does (a topic renamed, say)."""
    code = "from website.invalidation import mark_pages_stale; mark_pages_stale()"
    manage(environment(database_url, 0), "shell", "-c", code)


class Server:
    def __init__(self, database_url: str, cache_seconds: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "healthsite.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env=environment(database_url, cache_seconds),
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def warm(self, path: str) -> None:
        for _ in range(20):
            urllib.request.urlopen(self.base + path, timeout=60).read()  # noqa: S310

    def settle(self, limit: float = 120) -> None:
        """Wait until the workers have answered what the last wrk run left queued (wrk stops
        with up to one request per connection still waiting), so the next row measures its
        own pages only."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            started = time.monotonic()
            urllib.request.urlopen(f"{self.base}/healthz", timeout=limit).read()  # noqa: S310
            if time.monotonic() - started < 0.05:
                return
        raise SystemExit(f"the server was still busy {limit:.0f} s after a run")

    def worker_rss_mb(self) -> list[float]:
        """The resident memory of each gunicorn worker (Linux)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split() if children.exists() else []:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"^VmRSS:\s+(\d+) kB", status, flags=re.M).group(1)) / 1024)
        return sizes

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def run_wrk(url: str, duration: int, connections: int, script: Path | None = None) -> dict:
    out = subprocess.run(
        # A request counts as failed only if it errs or takes longer than --timeout (wrk's
        # default of 2 s would count a slow answer as a failure).
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
         *(["--script", str(script)] if script else []), url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", out, flags=re.M))
    if not latency:
        raise SystemExit(f"wrk printed no latency for {url}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, flags=re.M)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency.get("50"),
        "p90": latency.get("90"),
        "p99": latency.get("99"),
        "failed": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def api_rows(database_url: str, duration: int, connections: int) -> list:
    """Rows for the content API (docs/api.md), uncached as it always is: /healthz, a page of
    20 articles and one article, each request with a key (checked, rate-limited, counted)."""
    code = (
        "from api.keys import create_api_key;"
        "from api.models import ApiConsumer;"
        "from articles.models import Article;"
        "c, _ = ApiConsumer.objects.get_or_create(name='Benchmark', "
        "defaults={'contact_email': 'bench@example.org'});"
        "c.rate_limit_per_minute = 10**9; c.save();"
        "a = Article.objects.published().order_by('pk').first();"
        "print('key', create_api_key(consumer=c, label='bench').secret, a.pk)"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=environment(database_url, 0), check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    secret, article_id = re.search(r"^key (\S+) (\d+)$", out, flags=re.M).groups()
    script = WORK / "api_key.lua"
    script.write_text(f'wrk.headers["Authorization"] = "Bearer {secret}"\n')
    paths = {
        "api: 20 articles": "/api/v1/articles?limit=20",
        "api: one article": f"/api/v1/articles/{article_id}",
    }
    server = Server(database_url, 0)
    try:
        results = {"healthz": run_wrk(server.base + "/healthz", duration, connections)}
        for name, path in paths.items():
            request = urllib.request.Request(
                server.base + path, headers={"Authorization": f"Bearer {secret}"}
            )
            for _ in range(20):
                urllib.request.urlopen(request, timeout=10).read()
            results[name] = run_wrk(server.base + path, duration, connections, script=script)
    finally:
        server.stop()
    floor = results["healthz"]["rps"]
    return [(f"{name} (uncached)", r, r["rps"] / floor) for name, r in results.items()]


ADMIN_PAGES = {
    "article list": "admin:articles_article_changelist",
    "article list, search": ("admin:articles_article_changelist", "?q=sleep+treatment"),
    "article list, filtered": ("admin:articles_article_changelist", "?status__exact=published"),
    "review dashboard": "admin:editorial_review_dashboard",
    "reviewer list": "admin:reviewers_reviewer_changelist",
}


def admin_rows(database_url: str) -> list[tuple[str, int, float]]:
    """Each admin page's queries and median time over 5 requests from Django's test client
    (one process, no HTTP server: the admin is for a few editors, not a load)."""
    code = f"""
import statistics, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
user = get_user_model().objects.filter(username="bench-admin").first()
if user is None:
    user = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", None)
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(user)
for name, page in {ADMIN_PAGES!r}.items():
    name_, query = (page, "") if isinstance(page, str) else page
    url = reverse(name_) + query
    client.get(url)
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    print("admin", len(queries.captured_queries), statistics.median(times) * 1000, name)
"""
    # The pages' cost, not signing in: the benchmark's user has no second factor.
    env = {**environment(database_url, 0), "HEALTHSITE_TWO_FACTOR_REQUIRED": "0"}
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [
        (name, int(queries), float(ms))
        for queries, ms, name in re.findall(r"^admin (\d+) ([\d.]+) (.+)$", out, flags=re.M)
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="default: SQLite in bench/.work")
    parser.add_argument("--skip-api", action="store_true", help="leave out the API's rows")
    parser.add_argument("--only-api", action="store_true", help="only the API's rows")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    WORK.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{WORK / 'bench.sqlite3'}"
    prepare(database_url, args.articles)
    if not args.only_api:
        urls = sample_urls(database_url)
        first_views = first_view_script(database_url, exclude=urls["article"])

    rows = []
    runs = [
        ("cached", 3600, ["article", "category", "search, match all"]),
        (
            "uncached",
            0,
            [
                "article",
                "home",
                "category",
                "tag",
                "reviewer",
                "search, match all",
                "search, match few",
                "sitemap index",
                "sitemap, articles",
            ],
        ),  # fmt: skip
    ]
    memory = {}
    for label, cache_seconds, pages in [] if args.only_api else runs:
        server = Server(database_url, cache_seconds)
        try:
            results = {}
            for page in ["healthz", *pages]:
                server.warm(urls[page])
                results[page] = run_wrk(server.base + urls[page], args.duration, args.connections)
                server.settle()
            if label == "uncached":
                mark_every_page_stale(database_url)
                results["article, first view"] = run_wrk(
                    server.base, args.duration, args.connections, script=first_views
                )
                if results["article, first view"]["requests"] > args.articles:
                    print("Warning: more first views than articles; some were stored pages.")
            memory[label] = server.worker_rss_mb()
        finally:
            server.stop()
        floor = results["healthz"]["rps"]
        for page, result in results.items():
            rows.append((f"{page} ({label})", result, result["rps"] / floor))
    if not args.skip_api:
        rows += api_rows(database_url, args.duration, args.connections)

    print(f"\n{args.articles} synthetic articles; wrk -t2 -c{args.connections} "
          f"-d{args.duration}s; gunicorn 2 workers; {database_url.split(':')[0]}\n")  # fmt: skip
    print(f"| {'page':<30} | {'req/s':>8} | {'p50':>8} | {'p90':>8} | {'p99':>8} | "
          f"{'× healthz':>9} | failed |")  # fmt: skip
    print(f"|{'-' * 32}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 11}|--------|")
    failures = 0
    for name, r, ratio in rows:
        failures += r["failed"] + (1 if r["socket_errors"] else 0)
        print(f"| {name:<30} | {r['rps']:>8.0f} | {r['p50']:>8} | {r['p90']:>8} | "
              f"{r['p99']:>8} | {ratio:>9.2f} | {r['failed']:>6} |")  # fmt: skip
    admin = [] if args.only_api else admin_rows(database_url)
    if admin:
        print(f"\n| {'admin page':<30} | queries | median ms |")
        print(f"|{'-' * 32}|---------|-----------|")
        for name, queries, ms in admin:
            print(f"| {name:<30} | {queries:>7} | {ms:>9.0f} |")
    for label, sizes in memory.items():
        print(f"gunicorn workers after the {label} run: "
              + ", ".join(f"{size:.0f} MB" for size in sizes))  # fmt: skip
    for name, r, _ratio in rows:
        if r["socket_errors"]:
            print(f"{name}: socket errors: {r['socket_errors']}")
    if failures:
        raise SystemExit(f"{failures} failed requests or socket errors: see above")


if __name__ == "__main__":
    main()

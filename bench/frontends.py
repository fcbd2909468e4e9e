#!/usr/bin/env python3
"""Benchmark the cache in front: the article page served by Varnish (deploy/varnish) as a
ratio of the app's /healthz and of nginx serving the same bytes as a static file, all in one
run on this machine, as docs/performance.md reports.

    .venv/bin/python bench/frontends.py [--duration 5] [--connections 16]

It starts the deployment of tests/deploy/stack.py on free ports of 127.0.0.1 (a database of
its own on the PostgreSQL at 127.0.0.1:5432, redis-server, two gunicorn with one worker each,
nginx balancing them, varnishd in front), drives it with wrk, prints a Markdown table and
stops everything (the database is dropped).
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import run_wrk  # noqa: E402
from tests.deploy.stack import Stack  # noqa: E402
from tests.servers import fetch  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    stack = Stack(Path(tempfile.mkdtemp(prefix="healthsite-bench-")))
    try:
        article = stack.varnish_url + stack.site["paths"]["article"]
        fetch(article)
        status, headers, page = fetch(article)
        if headers.get("X-Cache") != "hit":
            raise SystemExit(f"Varnish did not keep the article page: {status} {dict(headers)}")
        static = Path(stack.env["STATIC_ROOT"]) / "bench-article.html"
        static.write_text(page)
        rows = [
            ("/healthz (app, through nginx)", f"{stack.nginx_url}/healthz"),
            ("article, Varnish hit", article),
            ("same bytes, nginx static file", f"{stack.nginx_url}/static/bench-article.html"),
        ]
        results = [
            (name, run_wrk(url, options.duration, options.connections)) for name, url in rows
        ]
    finally:
        stack.stop()
    healthz = results[0][1]["rps"]
    static_rps = results[2][1]["rps"]
    print(f"wrk -t2 -c{options.connections} -d{options.duration}s; page {len(page)} bytes\n")
    print("| request | req/s | p50 | p99 | × /healthz | × nginx static | failed |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results:
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50']} | {r['p99']} | {r['rps'] / healthz:.2f} "
            f"| {r['rps'] / static_rps:.2f} | {r['failed']} {r['socket_errors']} |"
        )


if __name__ == "__main__":
    main()

"""The citation link checker against a local HTTP server the tests start (never the internet)."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Citation
from editorial.link_checks import USER_AGENT, check_citation_links
from tests.factories import ArticleFactory, CitationFactory

pytestmark = pytest.mark.django_db

TIMEOUT = 0.5
SLOW_SECONDS = 1.5  # well past TIMEOUT


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.respond()

    def do_GET(self):
        self.respond()

    def respond(self):
        server = self.server
        path = urlsplit(self.path).path
        with server.lock:
            server.hits.append((self.command, path))
            server.user_agents.add(self.headers.get("User-Agent"))
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
            server.counts[path] = server.counts.get(path, 0) + 1
            count = server.counts[path]
        try:
            match path:
                case "/ok":
                    self.reply(200)
                case "/moved":
                    self.reply(301, location="/ok")
                case "/found":
                    self.reply(302, location="/moved")
                case "/missing":
                    self.reply(404)
                case "/no-head":
                    self.reply(405 if self.command == "HEAD" else 200)
                case "/forbidden":
                    self.reply(403)
                case "/flaky":  # fails the first try (its HEAD, then GET), then works
                    self.reply(503 if count <= 2 else 200)
                case "/loop":
                    self.reply(302, location="/loop")
                case "/slow":
                    time.sleep(SLOW_SECONDS)
                    self.reply(200)
                case "/a-moment":
                    time.sleep(0.2)
                    self.reply(200)
                case _:
                    self.reply(404)
        finally:
            with server.lock:
                server.in_flight -= 1

    def reply(self, status, *, location=None):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        body = b"page"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    httpd.lock = threading.Lock()
    httpd.hits, httpd.user_agents, httpd.counts = [], set(), {}
    httpd.in_flight = httpd.max_in_flight = 0
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def citations_for(server, *paths, article=None):
    article = article or ArticleFactory(draft=True)
    return [
        CitationFactory(article=article, key=path.strip("/") or "root", url=server.base + path)
        for path in paths
    ]


def run(citations, **options):
    options = {"timeout": TIMEOUT, "concurrency": 4, "retries": 0, "backoff": 0, **options}
    return check_citation_links(citations=citations, **options)


def recorded(citation):
    citation = Citation.objects.get(pk=citation.pk)
    return (citation.link_status, citation.link_final_url, citation.link_error)


def test_records_status_final_url_error_and_time_of_check(server):
    ok, moved, found, missing, slow = citations_for(
        server, "/ok", "/moved", "/found", "/missing", "/slow"
    )
    before = timezone.now()

    report = run([ok, moved, found, missing, slow])

    assert recorded(ok) == (200, f"{server.base}/ok", "")
    assert recorded(moved) == (200, f"{server.base}/ok", "")
    assert recorded(found) == (200, f"{server.base}/ok", "")
    assert recorded(missing) == (404, f"{server.base}/missing", "")
    assert recorded(slow) == (None, "", "Timed out after 0.5 s")
    for citation in Citation.objects.all():
        assert before <= citation.link_checked_at <= timezone.now()
        assert citation.link_checked_url == citation.url
    assert {c.key for c in report.broken} == {"missing", "slow"}
    assert {c.key for c in Citation.objects.link_broken()} == {"missing", "slow"}


def test_falls_back_to_get_when_head_is_refused(server):
    (no_head,) = citations_for(server, "/no-head")

    run([no_head])

    assert recorded(no_head) == (200, f"{server.base}/no-head", "")
    assert server.hits == [("HEAD", "/no-head"), ("GET", "/no-head")]


def test_a_working_link_costs_one_head_request_and_sends_the_user_agent(server):
    (ok,) = citations_for(server, "/ok")

    run([ok])

    assert server.hits == [("HEAD", "/ok")]
    assert server.user_agents == {USER_AGENT}


def test_a_server_error_is_retried_up_to_the_limit(server):
    (flaky,) = citations_for(server, "/flaky")

    report = run([flaky], retries=1)

    assert recorded(flaky) == (200, f"{server.base}/flaky", "")
    assert report.results[flaky.url].attempts == 2
    assert server.hits == [("HEAD", "/flaky"), ("GET", "/flaky"), ("HEAD", "/flaky")]


def test_without_retries_a_server_error_is_recorded_as_broken(server):
    (flaky,) = citations_for(server, "/flaky")

    run([flaky], retries=0)

    assert recorded(flaky)[0] == 503
    assert Citation.objects.get(pk=flaky.pk).link_is_broken


def test_a_timeout_is_retried_and_the_whole_check_stays_bounded(server):
    (slow,) = citations_for(server, "/slow")
    started = time.monotonic()

    report = run([slow], retries=1)

    assert report.results[slow.url].attempts == 2
    assert recorded(slow)[2] == "Timed out after 0.5 s"
    assert time.monotonic() - started < 2 * TIMEOUT + 1  # not SLOW_SECONDS per attempt


def test_a_404_is_not_retried(server):
    (missing,) = citations_for(server, "/missing")

    report = run([missing], retries=2)

    assert report.results[missing.url].attempts == 1


def test_a_refused_connection_is_recorded():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    citation = CitationFactory(url=f"http://127.0.0.1:{port}/page")

    run([citation])

    assert recorded(citation) == (None, "", "Connection refused")


def test_a_redirect_loop_is_broken(server):
    (loop,) = citations_for(server, "/loop")

    run([loop])

    assert recorded(loop)[2].startswith("Too many redirects")


def test_a_server_turning_the_checker_away_is_recorded_but_not_broken(server):
    (forbidden,) = citations_for(server, "/forbidden")

    report = run([forbidden])

    assert recorded(forbidden)[0] == 403
    assert report.broken == []


def test_each_url_is_checked_once_for_all_its_citations(server):
    first = CitationFactory(url=f"{server.base}/ok")
    second = CitationFactory(url=f"{server.base}/ok")

    run([first, second])

    assert server.hits == [("HEAD", "/ok")]
    assert recorded(first) == recorded(second) == (200, f"{server.base}/ok", "")


def test_requests_in_flight_stay_within_the_concurrency(server):
    article = ArticleFactory(draft=True)
    citations = [
        CitationFactory(article=article, url=f"{server.base}/a-moment?n={n}") for n in range(6)
    ]

    run(citations, concurrency=2)

    assert server.max_in_flight <= 2
    assert len(server.hits) == 6


def test_a_url_changed_during_the_check_is_not_given_the_old_result(server):
    (citation,) = citations_for(server, "/missing")
    Citation.objects.filter(pk=citation.pk).update(url=f"{server.base}/ok")

    run([citation])

    assert Citation.objects.get(pk=citation.pk).link_checked_at is None


def test_the_command_prints_a_summary_and_broken_links_per_article(server):
    article = ArticleFactory(draft=True, title="Back pain", slug="back-pain")
    citations_for(server, "/ok", "/missing", article=article)
    other = ArticleFactory(draft=True)
    citations_for(server, "/slow", article=other)
    out = StringIO()

    call_command(
        "check_citation_links", "--timeout", "0.5", "--retries", "0", "--concurrency", "2",
        stdout=out,
    )  # fmt: skip

    output = out.getvalue()
    assert "Checked 3 citation links (3 URLs)" in output
    assert "2 broken" in output
    assert "Back pain (back-pain):" in output
    assert f"[^missing] {server.base}/missing: 404 Not Found" in output
    assert f"[^slow] {server.base}/slow: Timed out after 0.5 s" in output
    assert "[^ok]" not in output


def test_the_command_checks_one_article_and_skips_recent_checks(server):
    article = ArticleFactory(draft=True, slug="back-pain")
    recent, due = citations_for(server, "/ok", "/missing", article=article)
    Citation.objects.filter(pk=recent.pk).update(
        link_status=200, link_checked_url=recent.url, link_checked_at=timezone.now()
    )
    citations_for(server, "/no-head")  # another article: not checked
    out = StringIO()

    call_command(
        "check_citation_links", "--article", "back-pain", "--older-than-hours", "24",
        "--timeout", "0.5", "--retries", "0", stdout=out,
    )  # fmt: skip

    assert [path for _, path in server.hits] == ["/missing", "/missing"]
    assert "Checked 1 citation links" in out.getvalue()


def test_the_command_rejects_an_unknown_article_and_bad_limits():
    with pytest.raises(CommandError, match="No article has the slug 'nope'"):
        call_command("check_citation_links", "--article", "nope")
    with pytest.raises(CommandError):
        call_command("check_citation_links", "--concurrency", "0")

"""Checking that citation links still answer, for the check_citation_links command.

Each distinct URL is requested once, with a bounded time per network operation, a bounded
number of requests in flight and a bounded number of retries: HEAD first, then GET when
HEAD is refused (many servers answer HEAD with 405 or an error), following redirects.
The outcome is recorded on every citation with that URL. This makes network requests, so
it runs from a command (cron), never inside a web request.
"""

import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import httpx
from django.utils import timezone

from articles.models import Article, Citation

logger = logging.getLogger(__name__)

USER_AGENT = "Mozilla/5.0 (compatible; healthsite-link-checker/1.0; checks citation links)"
MAX_REDIRECTS = 10
RETRY_BACKOFF_SECONDS = 0.5


@dataclass(frozen=True)
class LinkResult:
    """What one URL answered."""

    url: str
    status: int | None
    final_url: str
    error: str
    checked_at: datetime
    attempts: int


@dataclass
class LinkCheckReport:
    results: dict[str, LinkResult] = field(default_factory=dict)  # by URL
    citations: list[Citation] = field(default_factory=list)  # as recorded
    seconds: float = 0.0

    @property
    def broken(self) -> list[Citation]:
        return [citation for citation in self.citations if citation.link_is_broken]

    def broken_by_article(self) -> dict[Article, list[Citation]]:
        by_article: dict[Article, list[Citation]] = {}
        for citation in self.broken:
            by_article.setdefault(citation.article, []).append(citation)
        return by_article


def check_citation_links(
    *,
    citations: Iterable[Citation],
    timeout: float = 10,
    concurrency: int = 8,
    retries: int = 2,
    backoff: float = RETRY_BACKOFF_SECONDS,
) -> LinkCheckReport:
    """Check each citation's URL and record status, final URL, error and time of check.

    ``timeout`` bounds each network operation (connect, each read) in seconds;
    ``concurrency`` bounds the requests in flight; ``retries`` is how many more times a URL
    is tried after a timeout, a connection failure or a 5xx/429 answer.
    """
    if timeout <= 0 or concurrency < 1 or retries < 0:
        raise ValueError("timeout must be positive, concurrency at least 1, retries at least 0")
    citations = list(citations)
    urls = list(dict.fromkeys(citation.url for citation in citations if citation.url))
    started = time.monotonic()
    report = LinkCheckReport()
    with (
        httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        ) as client,
        ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="linkcheck") as pool,
    ):
        checks = pool.map(
            lambda url: _check_url(client, url, timeout=timeout, retries=retries, backoff=backoff),
            urls,
        )
        report.results = {result.url: result for result in checks}

    for citation in citations:
        result = report.results.get(citation.url)
        if result is not None:
            _record(citation, result)
            report.citations.append(citation)
    report.seconds = time.monotonic() - started
    return report


def _record(citation: Citation, result: LinkResult) -> None:
    values = {
        "link_status": result.status,
        "link_final_url": result.final_url if len(result.final_url) <= 1000 else "",
        "link_checked_url": result.url,
        "link_checked_at": result.checked_at,
        "link_error": result.error[:200],
    }
    # Only if the URL is still the one checked: an editor may have changed it meanwhile.
    Citation.objects.filter(pk=citation.pk, url=result.url).update(**values)
    for name, value in values.items():
        setattr(citation, name, value)


class _Answer(NamedTuple):
    status: int | None = None
    final_url: str = ""
    error: str = ""
    transient: bool = False  # worth trying again: a timeout, a refused connection, a 5xx


def _check_url(client: httpx.Client, url: str, *, timeout, retries, backoff) -> LinkResult:
    attempt = 0
    while True:
        attempt += 1
        answer = _request(client, url, timeout=timeout)
        if not answer.transient or attempt > retries:
            break
        time.sleep(backoff * attempt)
    if answer.error or (answer.status is not None and answer.status >= 400):
        logger.info("Citation link %s: %s", url, answer.error or answer.status)
    return LinkResult(
        url=url,
        status=answer.status,
        final_url=answer.final_url,
        error=answer.error,
        checked_at=timezone.now(),
        attempts=attempt,
    )


def _request(client: httpx.Client, url: str, *, timeout) -> _Answer:
    """One HEAD request, then a GET if HEAD is refused or fails other than by timing out."""
    try:
        response = client.head(url)
        if response.status_code < 400:
            return _answer(response)
    except httpx.TimeoutException:
        return _Answer(error=f"Timed out after {timeout:g} s", transient=True)
    except httpx.ConnectError as exc:
        return _Answer(error=_describe(exc), transient=True)
    except (httpx.TooManyRedirects, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return _Answer(error=_describe(exc))
    except httpx.HTTPError:
        pass  # some servers drop HEAD requests: try GET
    try:
        # Stream, so that only the status line and headers are read, not the page.
        with client.stream("GET", url) as response:
            return _answer(response)
    except httpx.TimeoutException:
        return _Answer(error=f"Timed out after {timeout:g} s", transient=True)
    except (httpx.TooManyRedirects, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return _Answer(error=_describe(exc))
    except httpx.HTTPError as exc:
        return _Answer(error=_describe(exc), transient=True)


def _answer(response: httpx.Response) -> _Answer:
    status = response.status_code
    return _Answer(
        status=status, final_url=str(response.url), transient=status >= 500 or status == 429
    )


def _describe(exc: Exception) -> str:
    """A short explanation of a failed request, for editors."""
    text = str(exc)
    if isinstance(exc, httpx.TooManyRedirects):
        return f"Too many redirects (more than {MAX_REDIRECTS})"
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return f"Not a web address: {text}"[:200]
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "refused" in lowered:
            return "Connection refused"
        if "name or service not known" in lowered or "nodename nor servname" in lowered:
            return "Server not found (no such host name)"
        if "certificate" in lowered or "ssl" in lowered:
            return f"Secure connection failed: {text}"[:200]
        return f"Could not connect: {text}"[:200]
    return f"{type(exc).__name__}: {text}"[:200]

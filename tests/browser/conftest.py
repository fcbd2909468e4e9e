"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's
live_server. Never `playwright install`: the browser is /usr/bin/chromium (apt-get install
chromium), and without it every test here is skipped, saying so.

The tests are marked django_db(transaction=True): live_server reads only committed data."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).parent
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def in_this_folder(item) -> bool:
    return HERE in Path(item.path).parents


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Skip without Chromium; otherwise run the browser tests last (see allow_orm)."""
    if not CHROMIUM.exists():
        skip = pytest.mark.skip(
            reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        )
        for item in items:
            if in_this_folder(item):
                item.add_marker(skip)
        return
    items[:] = [i for i in items if not in_this_folder(i)] + [i for i in items if in_this_folder(i)]


@pytest.fixture(scope="package", autouse=True)
def allow_orm():
    """Playwright's sync API keeps an event loop in this thread from the first browser test
    to the end of the session, and Django then refuses database queries from it (test data,
    the flush between tests, dropping the test database at the end). So allow them from the
    first browser test on; the browser tests run last, after every other test."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(autouse=True)
def migrated_database(transactional_db):
    """Start from the rows migrating makes: the transactional tests before may have flushed
    them. (serialized_rollback=True cannot: once Playwright runs, Django's connections are
    per asyncio context, and the new ones lack the serialized database.) The data
    migrations' rows, such as the roles' groups, are not remade: public pages need none."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal

    ContentType.objects.clear_cache()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


@pytest.fixture(autouse=True)
def short_timeouts(page):
    """Fail in seconds, not Playwright's default 30 s: every page here is local."""
    page.set_default_timeout(10_000)
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def serve_media(settings):
    settings.ROOT_URLCONF = "tests.browser.urls"


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def source_page(live_server) -> str:
    """Where the article's first citation points: a page of this site, so a test can follow
    a "Go to source" link without the internet."""
    return f"{live_server.url}/topics/back-pain/"


@pytest.fixture
def site(source_page):
    from tests.public_pages import build_public_site

    return build_public_site(source_url=source_page, spanish=True)

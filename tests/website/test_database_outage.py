"""PostgreSQL goes away: cached pages are still served, the rest gets the 503 page with
Retry-After, and the site recovers by itself when the database is back (issue 13, part 2).

gunicorn reaches a database of the test's own on the shared server through a relay the test
cuts, so the shared PostgreSQL itself is never stopped."""

import json

import pytest

from tests.servers import (
    Gunicorn,
    PostgresDatabase,
    Relay,
    fetch,
    manage,
    production_env,
    shell,
    wait_until,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    database = PostgresDatabase()
    relay = Relay()
    server = None
    try:
        env = production_env(tmp_path_factory.mktemp("db-outage"))
        env["DATABASE_URL"] = database.url(port=relay.port)
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        paths = json.loads(
            shell(
                env,
                "import json; from tests.public_pages import build_public_site; "
                "print(json.dumps(build_public_site().paths()))",
            ).splitlines()[-1]
        )
        server = Gunicorn(env, workers=2)
        yield server, relay, paths
    finally:
        if server:
            server.stop()
        relay.cut()
        database.drop()


def test_cached_pages_answer_and_the_rest_gets_the_503_page_until_the_database_is_back(site):
    server, relay, paths = site
    for _ in range(3):
        status, _, article_page = fetch(server.url + paths["article"])
        assert status == 200

    relay.cut()
    status, _, body = fetch(server.url + paths["article"])
    assert (status, body) == (200, article_page), "a stored page needs no database"

    status, headers, body = fetch(server.url + paths["category"])
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "Back in a moment" in body
    assert "Traceback" not in body
    assert fetch(f"{server.url}/healthz")[:1] == (503,)

    relay.connect()
    wait_until(
        lambda: fetch(server.url + paths["category"])[0] == 200,
        seconds=10,
        what="the category page after the database came back",
    )
    assert fetch(f"{server.url}/healthz")[2] == "ok"

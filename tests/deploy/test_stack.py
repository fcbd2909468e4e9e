"""The deployment in deploy/: two app servers behind nginx, Varnish in front, one PostgreSQL
and one Redis (issue 13, parts 3 and 4). Needs PostgreSQL, redis-server, nginx and varnishd;
skips with a message saying which is missing."""

import datetime
import http.client
import re
from urllib.parse import urlencode, urlsplit

import pytest

from tests.deploy.stack import Stack
from tests.servers import fetch, shell


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


def call(url, method="GET", headers=None, body=None):
    """One request, redirects not followed: (status, headers as a list, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    result = response.status, response.getheaders(), response.read().decode()
    connection.close()
    return result


def header(headers, name):
    return [value for key, value in headers if key.lower() == name.lower()]


def cookie(headers, name):
    for value in header(headers, "Set-Cookie"):
        if value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1], value
    return None, None


def test_nginx_balances_both_app_servers_and_serves_static_files(stack):
    upstreams = {header(call(f"{stack.nginx_url}/")[1], "X-Upstream")[0] for _ in range(4)}
    assert upstreams == {f"127.0.0.1:{app.port}" for app in stack.apps}
    status, headers, html = call(f"{stack.nginx_url}/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    status, headers, css = call(stack.nginx_url + stylesheet)
    assert status == 200 and ".trusted-source" in css
    assert not header(headers, "X-Upstream"), "nginx serves /static/ itself"


def test_a_change_through_one_app_server_shows_through_the_other_on_the_next_request(stack):
    first, second = (app.url for app in stack.apps)
    path = stack.site["paths"]["category"]
    assert "Back pain" in fetch(second + path)[2]
    fetch(second + path)  # stored in the shared cache
    shell(
        stack.env,
        "from articles.models import Category; c = Category.objects.get(slug='back-pain'); "
        "c.description = 'Renamed through the first server.'; c.save()",
    )
    # The change came from a third process; now one through the first app server itself.
    status, _, _ = fetch(first + path)
    assert status == 200
    assert "Renamed through the first server." in fetch(second + path)[2]


def test_the_admin_signs_in_through_the_balancer_over_https(stack):
    https = {"X-Forwarded-Proto": "https"}
    status, headers, form = call(f"{stack.nginx_url}/admin/login/?next=/admin/", headers=https)
    assert status == 200
    csrf, set_cookie = cookie(headers, "csrftoken")
    assert csrf and "Secure" in set_cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urlencode(
        {
            "username": "admin",
            "password": "a long admin password 42",
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        }
    )
    post_headers = {
        **https,
        "Cookie": f"csrftoken={csrf}",
        "Origin": "https://127.0.0.1",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    plain = {k: v for k, v in post_headers.items() if k != "X-Forwarded-Proto"}
    status, _, _ = call(f"{stack.nginx_url}/admin/login/", "POST", plain, body)
    assert status == 403, "without the balancer's X-Forwarded-Proto the https origin is refused"

    status, headers, _ = call(f"{stack.nginx_url}/admin/login/", "POST", post_headers, body)
    assert status == 302
    session, set_cookie = cookie(headers, "sessionid")
    assert session and "Secure" in set_cookie and "HttpOnly" in set_cookie
    served_by = set()
    for _ in range(4):
        status, headers, page = call(
            f"{stack.nginx_url}/admin/", headers={**https, "Cookie": f"sessionid={session}"}
        )
        assert status == 200
        assert "Content and medical review" in page
        served_by.update(header(headers, "X-Upstream"))
    assert len(served_by) == 2, "both app servers know the session"


def test_varnish_shows_a_sign_off_at_once_and_keeps_untouched_articles(stack):
    article = stack.varnish_url + stack.site["paths"]["article"]
    # In another topic: it shows neither the article nor its card.
    untouched = stack.varnish_url + stack.site["untouched_path"]
    for url in (article, untouched):
        fetch(url)
        status, headers, page = fetch(url)
        assert (status, headers["X-Cache"]) == (200, "hit"), url
        assert "Set-Cookie" not in headers
    assert '<time datetime="2026-01-03">' in fetch(article)[2]

    shell(
        stack.env,
        "from django.contrib.auth.models import User; "
        "from django.utils import timezone; "
        "from articles.versions import content_snapshot, fingerprint; "
        "from editorial.models import ConfirmationMethod, ReviewRequest; "
        "from editorial.services import decide_review; "
        "from editorial.signatures import Confirmation, statement_for; "
        f"review = ReviewRequest.objects.get(pk={stack.site['review']}); "
        f"user = User.objects.get(pk={stack.site['reviewer_user']}); "
        "snapshot = content_snapshot(review.article); "
        "decide_review(review_request=review, user=user, decision='approved', "
        "confirmation=Confirmation(user_id=user.pk, method=ConfirmationMethod.PASSWORD, "
        "confirmed_at=timezone.now()), statement=statement_for(reviewer=review.reviewer, "
        "snapshot=snapshot, content_fingerprint=fingerprint(snapshot)))",
    )
    today = shell(
        stack.env, "from django.utils import timezone; print(timezone.localdate().isoformat())"
    ).split()[-1]
    datetime.date.fromisoformat(today)
    status, headers, page = fetch(article)
    assert status == 200
    assert headers["X-Cache"] == "miss", "the sign-off purged the article"
    assert f'<time datetime="{today}">' in page
    status, headers, _ = fetch(untouched)
    assert headers["X-Cache"] == "hit", "an article the sign-off did not touch stays cached"


def test_no_anonymous_response_through_varnish_carries_a_cookie(stack):
    paths = [*stack.site["paths"].values(), "/feed/", "/sitemap.xml", "/robots.txt"]
    for path in paths:
        for _ in range(2):
            status, headers, _ = call(stack.varnish_url + path)
            assert status == 200, path
            assert not header(headers, "Set-Cookie"), path
            assert not header(headers, "xkey"), "the tags stay inside Varnish"

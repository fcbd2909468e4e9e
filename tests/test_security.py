"""Production hardening: check --deploy, security headers, the Content-Security-Policy and
cookies. The admin lockout is in test_admin_lockout.py, hostile input in test_hostile_input.py."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import (
    ArticleFactory,
    CitationFactory,
    FAQFactory,
    ReviewerFactory,
    image_file,
    republish,
)

ROOT = Path(__file__).resolve().parent.parent


def documented_production_env(tmp_path):
    """The environment docs/operations.md asks for, with debug off."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "HEALTHSITE_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="health.example.org",
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_SECURE_HSTS_PRELOAD="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL=f"filecache://{tmp_path / 'cache'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    return env


def test_check_deploy_finds_no_issues_with_the_documented_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=documented_production_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_warns_when_hsts_is_left_out(tmp_path):
    env = documented_production_env(tmp_path)
    env["DJANGO_SECURE_HSTS_SECONDS"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "security.W004" in result.stdout + result.stderr


# --- Headers on every page. ---


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.wsgi_request.path} has no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def site():
    reviewer = ReviewerFactory(photo=image_file("reviewer.jpg", size=(400, 400)))
    article = ArticleFactory(
        reviewer=reviewer,
        hero_image=image_file(),
        hero_alt="A person stretching",
        body=(
            "## Doses\n\n| Age | Dose |\n|:--|--:|\n| Adult | 500 mg |\n\nTake it with water.[^who]"
        ),
    )
    CitationFactory(article=article, key="who")
    FAQFactory(article=article)
    republish(article)
    return article


def public_urls(article):
    return [
        reverse("website:home"),
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        article.reviewer.get_absolute_url(),
        "/no-such-page/",
    ]


def admin_urls(article):
    return [
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:reviewers_reviewer_change", args=[article.reviewer.pk]),
    ]


@pytest.mark.django_db
def test_public_pages_and_the_admin_carry_a_strict_content_security_policy(
    client, admin_client, site
):
    responses = [client.get(url) for url in public_urls(site)]
    responses.append(client.get(reverse("admin:login")))
    responses += [admin_client.get(url) for url in admin_urls(site)]
    for response in responses:
        path = response.wsgi_request.path
        assert response.status_code in (200, 404), path
        directives = csp_directives(response)
        assert directives["script-src"] == ["'self'"], path
        assert directives["style-src"] == ["'self'"], path
        for name, sources in directives.items():
            assert "'unsafe-inline'" not in sources, f"{name} on {path}"
            assert "'unsafe-eval'" not in sources, f"{name} on {path}"
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["base-uri"] == ["'self'"]
        assert directives["form-action"] == ["'self'"]
        assert sorted(directives["img-src"]) == sorted(["'self'", "data:"])


@pytest.mark.django_db
def test_security_headers_on_public_pages_and_the_admin(client, admin_client, site):
    responses = [client.get(url) for url in public_urls(site)]
    responses += [admin_client.get(url) for url in admin_urls(site)]
    for response in responses:
        path = response.wsgi_request.path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", path


class StyleFinder(HTMLParser):
    """Inline styles and scripts, which the policy refuses: a page must not need them."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.found.append(f"<{tag} style={attrs['style']!r}>")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/ld+json":
            self.found.append(f"inline <script {attrs}>")
        self.found += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    finder = StyleFinder()
    finder.feed(html)
    return finder.found


@pytest.mark.django_db
def test_no_page_needs_an_inline_style_or_script(client, admin_client, site):
    """Under the policy a style attribute is ignored; the table's column alignment, the hero
    image preview and the reviewer's photo preview use classes and attributes instead."""
    for url in public_urls(site):
        response = client.get(url)
        assert inline_code(response.content.decode()) == [], url
    body = client.get(site.get_absolute_url()).content.decode()
    assert '<td class="align-right">500 mg</td>' in body
    for url in admin_urls(site):
        response = admin_client.get(url)
        assert inline_code(response.content.decode()) == [], url


# --- Cookies. ---


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_http_only(client):
    from tests.factories import UserFactory

    UserFactory(username="editor1", is_staff=True)
    login = reverse("admin:login")
    response = client.get(login)
    assert response.cookies["csrftoken"]["httponly"]
    response = client.post(login, {"username": "editor1", "password": "password"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_production_cookies_are_secure_and_http_only(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    )
    env = documented_production_env(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "healthsite.settings"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "31536000"]


@pytest.mark.django_db
def test_https_redirect_spares_only_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    response = client.get("/")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/"
    assert client.get("/", headers={"x-forwarded-proto": "https"}).status_code == 200

"""Admin login lockout (django-axes): five wrong passwords for one username from one address
lock that pair out for 30 minutes, with a page that says so."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from healthsite.security import client_ip
from tests.factories import UserFactory

LOCKED = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)


@pytest.fixture
def editor(db):
    return UserFactory(username="editor1", is_staff=True)  # password "password"


def sign_in(client, username, password, address="203.0.113.5", **headers):
    return client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def fail(client, username, times, **kwargs):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", **kwargs)
        assert response.status_code == 200, "a wrong password before the limit shows the form"
        assert "Please enter the correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_five_wrong_passwords_lock_out_even_the_right_one(client, editor):
    fail(client, "editor1", 4)
    fifth = sign_in(client, "editor1", "wrong-password")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    sixth = sign_in(client, "editor1", "password")
    assert sixth.status_code == 429
    page = sixth.content.decode()
    assert LOCKED in page
    assert "Signing in as “editor1” from your network address is locked" in page
    assert "after 5 wrong passwords in a row" in page
    assert "30 minutes from now" in page
    assert "healthsite administration" in page  # in the admin's look
    assert sixth.headers["Retry-After"] == "1800"
    assert "Content-Security-Policy" in sixth.headers
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(client, editor):
    fail(client, "editor1", 4)
    assert sign_in(client, "editor1", "password").status_code == 302
    client.logout()

    fail(client, "editor1", 4)
    assert sign_in(client, "editor1", "password").status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_another_username_and_another_address_are_not_locked(client, editor):
    UserFactory(username="writer1", is_staff=True)
    fail(client, "editor1", 4)
    assert sign_in(client, "editor1", "wrong-password").status_code == 429

    assert sign_in(client, "writer1", "password").status_code == 302
    client.logout()
    assert sign_in(client, "editor1", "password", address="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, editor):
    fail(client, "editor1", 4)
    sign_in(client, "editor1", "wrong-password")
    assert sign_in(client, "editor1", "password").status_code == 429

    move_attempts_back(31)
    assert sign_in(client, "editor1", "password").status_code == 302


def move_attempts_back(minutes):
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - datetime.timedelta(minutes=minutes)
        )


@pytest.mark.django_db
def test_an_attempt_during_the_lockout_starts_the_wait_again(client, editor):
    fail(client, "editor1", 4)
    sign_in(client, "editor1", "wrong-password")
    move_attempts_back(20)
    assert sign_in(client, "editor1", "password").status_code == 429  # 20 minutes in
    move_attempts_back(20)
    assert sign_in(client, "editor1", "password").status_code == 429  # 20 since the last try
    move_attempts_back(31)
    assert sign_in(client, "editor1", "password").status_code == 302


@pytest.mark.django_db
def test_axes_reset_unlocks_everyone(client, editor):
    fail(client, "editor1", 4)
    assert sign_in(client, "editor1", "wrong-password").status_code == 429

    call_command("axes_reset", verbosity=0)
    assert sign_in(client, "editor1", "password").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_lock_is_on_the_visitors_address(client, editor, settings):
    settings.NUM_PROXIES = 1
    balancer = "10.0.0.2"
    fail(client, "editor1", 4, address=balancer, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert (
        sign_in(
            client, "editor1", "wrong", address=balancer, HTTP_X_FORWARDED_FOR="203.0.113.5"
        ).status_code
        == 429
    )
    # Someone else, through the same balancer, still signs in.
    other = sign_in(
        client, "editor1", "password", address=balancer, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.2"),  # no proxy trusted: the header is the client's own words
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.1.1.1, 203.0.113.5", "203.0.113.5"),  # a forged entry on the left is ignored
        (2, "1.1.1.1, 203.0.113.5, 192.0.2.9", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.2"),  # fewer entries than proxies: not through them
        (1, "", "10.0.0.2"),
    ],
)
def test_client_ip(settings, proxies, forwarded_for, expected):
    settings.NUM_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_locked_out_too(client, settings, editor):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for n in range(12):  # three wrong passwords each for four usernames: none reaches five
        sign_in(client, f"user{n // 3}", "wrong", address="198.51.100.7")

    refused = sign_in(client, "editor1", "password", address="198.51.100.7")

    assert refused.status_code == 429
    assert "failed sign-ins for any usernames" in refused.content.decode()
    assert not signed_in(client)
    # Another address is not affected.
    assert sign_in(client, "editor1", "password", address="198.51.100.8").status_code == 302


@pytest.mark.django_db
def test_fewer_proxies_than_configured_is_logged_once(settings, caplog):
    from healthsite import security

    settings.NUM_PROXIES = 2
    security._warned_about_proxies = False
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1")

    with caplog.at_level("WARNING", logger="django.security.proxies"):
        client_ip(request)
        client_ip(request)

    warnings = [r for r in caplog.records if "DJANGO_NUM_PROXIES is 2" in r.getMessage()]
    assert len(warnings) == 1

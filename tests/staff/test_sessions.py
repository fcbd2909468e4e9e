"""Staff sessions: they expire after the idle time, a password change ends the account's
other sessions, deactivating an account ends its sessions at once."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import role_user

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def test_a_staff_session_expires_after_the_idle_time(client, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 20
    client.force_login(role_user("Editor"))

    assert signed_in(client)

    assert client.session.get_expiry_age() == 20 * 60
    session = client.session
    session.set_expiry(-1)  # as if the idle time had passed
    session.save()
    assert not signed_in(client)


def test_changing_the_password_ends_the_other_sessions(client):
    editor = role_user("Editor")
    elsewhere = Client()
    client.force_login(editor)
    elsewhere.force_login(editor)

    response = client.post(
        reverse("admin:password_change"),
        {"old_password": "password", "new_password1": "a-long-new-passphrase-7",
         "new_password2": "a-long-new-passphrase-7"},
    )  # fmt: skip

    assert response.status_code == 302
    assert signed_in(client)  # the session that changed it stays
    assert not signed_in(elsewhere)


def test_deactivating_a_reviewer_ends_their_session_at_once(client):
    reviewer = role_user("Medical reviewer")
    client.force_login(reviewer)
    assert signed_in(client)

    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])

    assert not signed_in(client)

"""Two-factor sign-in for staff: the login stops at the second factor, a wrong code counts
toward the lockout, a recovery code works once, enrolment and an administrator's reset."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff import two_factor
from tests.factories import UserFactory, reviewer_with_account, role_user

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.8"


@pytest.fixture(autouse=True)
def required(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)


def code_of(device, *, step=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=step):06d}"


@pytest.fixture
def reviewer():
    user = reviewer_with_account(name="Dr Ada Lee").user
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    codes = two_factor.new_recovery_codes(user=user)
    return user, device, codes


def sign_in(client, user):
    return client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": user.username, "password": "password"},
        REMOTE_ADDR=ADDRESS,
    )


def second(client, code):
    return client.post(reverse("staff_second_factor"), {"code": code}, REMOTE_ADDR=ADDRESS)


def signed_in(client) -> bool:
    return client.get(reverse("admin:index"), REMOTE_ADDR=ADDRESS).status_code == 200


def test_the_login_stops_at_the_second_factor(client, reviewer):
    user, device, _ = reviewer

    response = sign_in(client, user)

    assert response.status_code == 302 and response["Location"] == reverse("staff_second_factor")
    assert not signed_in(client)  # the password alone signs nobody in
    page = client.get(reverse("staff_second_factor")).content.decode()
    assert "Now type the code from your authenticator app" in page
    assert second(client, code_of(device)).status_code == 302
    assert signed_in(client)


def test_a_wrong_code_counts_toward_the_lockout(client, reviewer):
    user, device, _ = reviewer
    sign_in(client, user)

    wrong = second(client, "000000" if code_of(device) != "000000" else "111111")

    assert "That code is not right" in wrong.content.decode()
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1
    second(client, "123")
    locked = second(client, "456")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Locked out, even the right code is refused.
    assert second(client, code_of(device)).status_code == 429
    assert not signed_in(client)


def test_a_recovery_code_works_once(client, reviewer):
    user, _, codes = reviewer
    sign_in(client, user)
    assert second(client, codes[0]).status_code == 302
    assert signed_in(client)
    client.post(reverse("admin:logout"))

    sign_in(client, user)
    again = second(client, codes[0])

    assert again.status_code == 200 and "That code is not right" in again.content.decode()
    assert two_factor.recovery_codes_left(user) == len(codes) - 1


def test_an_account_that_must_have_a_second_factor_enrols_first(client):
    editor = role_user("Editor")
    sign_in(client, editor)

    assert client.get(reverse("admin:index"))["Location"] == reverse("admin:staff_two_factor")
    page = client.post(reverse("admin:staff_two_factor"), {"start": "1"}, follow=True)
    html = page.content.decode()
    assert "data:image/svg+xml;base64," in html and 'id="typed-secret"' in html
    device = two_factor.pending_enrolment(editor)

    wrong = client.post(reverse("admin:staff_two_factor"), {"confirm": "1", "code": "12"})
    assert "That code does not match" in wrong.content.decode()
    # django-otp makes each retry after a failure wait (1 s, doubling); no waiting in tests.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    done = client.post(reverse("admin:staff_two_factor"), {"confirm": "1", "code": code_of(device)})

    assert "Your recovery codes" in done.content.decode()
    assert len(done.context["recovery_codes"]) == two_factor.RECOVERY_CODE_COUNT
    assert two_factor.has_authenticator(editor)
    assert signed_in(client)


def test_a_writer_may_go_without_a_second_factor(client):
    writer = role_user("Writer")
    sign_in(client, writer)
    assert signed_in(client)


def test_an_administrator_resets_a_lost_device(client, reviewer):
    user, _, _ = reviewer
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin_user, name="Authenticator app", confirmed=True)
    client.force_login(admin_user)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=admin_user).persistent_id
    session.save()

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [user.pk]},
        follow=True,
    )

    assert f"Two-factor sign-in reset for {user.username}" in response.content.decode()
    assert not two_factor.has_authenticator(user)
    assert two_factor.recovery_codes_left(user) == 0


def test_a_reviewer_with_an_authenticator_signs_with_its_code(client, settings):
    from django_otp import DEVICE_ID_SESSION_KEY

    from editorial.forms import REVIEWER_CHECKLIST
    from editorial.models import ConfirmationMethod, SignOff
    from editorial.services import submit_for_review
    from tests.factories import cited_article
    from tests.signatures import signature_fields

    reviewer = reviewer_with_account(name="Dr Ben Okafor")
    device = TOTPDevice.objects.create(user=reviewer.user, name="Authenticator app")
    writer = role_user("Writer")
    review = submit_for_review(
        article=cited_article(published=False, created_by=writer),
        reviewer=reviewer,
        requested_by=writer,
    )
    client.force_login(reviewer.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = reverse("admin:editorial_reviewrequest_review", args=[review.pk])
    assert "Code from your authenticator app" in client.get(url).content.decode()
    data = {f"check_{name}": "on" for name, _ in REVIEWER_CHECKLIST}
    data.update(decision="approved", **signature_fields(client, url, secret="password"))

    refused = client.post(url, data, REMOTE_ADDR=ADDRESS)
    assert "That code is not right" in refused.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    data["secret"] = code_of(device)
    assert client.post(url, data, REMOTE_ADDR=ADDRESS).status_code == 302

    assert SignOff.objects.get().confirmation_method == ConfirmationMethod.AUTHENTICATOR


@pytest.mark.parametrize("has_authenticator", [False, True])
def test_signing_in_from_the_login_page_itself_leads_to_the_admin(
    client, reviewer, has_authenticator
):
    user, device, _ = reviewer
    if not has_authenticator:
        device.delete()
        user = role_user("Writer")
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": "password"},
        REMOTE_ADDR=ADDRESS,
    )  # fmt: skip
    if has_authenticator:
        response = second(client, code_of(device))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")

"""The second factor through the real pages, middleware and API: password alone is not enough
for a manager; a code from the device's key is; each code works once."""

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.second_factor import recovery_codes
from accounts.testing import second_factor_device, totp_code
from conftest import make_user
from programs import roles

pytestmark = [pytest.mark.django_db, pytest.mark.raw_second_factor]

PAGES = ["/dashboard/", "/field/review/", "/admin/"]
API = ["/api/projects/", "/api/work-records/"]
VERIFY = "/accounts/second-factor/verify/"


@pytest.fixture
def manager():
    user = make_user("mfa-manager", roles.ILO_MANAGERS, is_staff=True)
    second_factor_device(user)
    return user


def signed_in_with_password(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": f"pw-{user.username}"})
    assert response.status_code == 302
    return client


def test_a_manager_with_the_password_but_no_code_reaches_no_page_and_no_api(manager):
    client = signed_in_with_password(manager)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url
    for url in API:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/json"
        assert "second factor" in response.json()["detail"]


def test_with_a_valid_code_the_manager_reaches_pages_and_api(manager):
    client = signed_in_with_password(manager)
    device = TOTPDevice.objects.get(user=manager)
    response = client.post(VERIFY, {"code": totp_code(device), "next": "/dashboard/"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    for url in API:
        assert client.get(url).status_code == 200, url


def test_a_used_code_is_refused_the_second_time(manager):
    device = TOTPDevice.objects.get(user=manager)
    code = totp_code(device)
    first = signed_in_with_password(manager)
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    second = signed_in_with_password(manager)
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert second.get("/dashboard/").status_code == 302


def test_a_recovery_code_works_once(manager):
    codes = services.recovery_codes_renew(user=manager)
    assert len(codes) == 10 and len(set(codes)) == 10
    client = signed_in_with_password(manager)
    assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert client.get("/dashboard/").status_code == 200
    again = signed_in_with_password(manager)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert again.get("/dashboard/").status_code == 302
    assert codes[0] not in recovery_codes(manager)


def test_enrolment_shows_a_qr_code_and_the_secret_then_ten_recovery_codes():
    user = make_user("mfa-admin", roles.ADMINISTRATORS, is_staff=True)
    client = signed_in_with_password(user)
    response = client.get("/dashboard/")
    assert response["Location"].startswith(reverse("accounts:second-factor"))
    page = client.get(reverse("accounts:second-factor"))
    body = page.content.decode()
    assert "<svg" in body and "data-secret" in body and "otpauth://totp/" in body
    assert "http://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert (
        client.get(reverse("accounts:second-factor")).content.decode().count(escape(device.config_url)) == 1
    )
    wrong = client.post(reverse("accounts:second-factor"), {"code": "000000"})
    assert wrong.status_code == 200 and TOTPDevice.objects.get(pk=device.pk).confirmed is False
    time.sleep(1.1)  # django-otp waits 1 s after a first wrong code before checking another
    done = client.post(reverse("accounts:second-factor"), {"code": totp_code(device)})
    assert done.status_code == 200
    assert done.content.decode().count("<li>") >= 10
    assert len(recovery_codes(user)) == 10
    assert client.get("/dashboard/").status_code == 200


def test_field_staff_may_sign_in_without_a_second_factor():
    staff = make_user("mfa-staff", roles.FIELD_STAFF)
    client = signed_in_with_password(staff)
    assert client.get("/field/").status_code == 200


def test_the_token_endpoint_asks_a_manager_for_the_code(manager):
    client = Client()
    data = {"username": manager.username, "password": "pw-mfa-manager"}
    missing = client.post("/api/auth/token/", data)
    assert missing.status_code == 400
    assert "otp" in missing.json()
    assert not Token.objects.filter(user=manager).exists()
    device = TOTPDevice.objects.get(user=manager)
    issued = client.post("/api/auth/token/", {**data, "otp": totp_code(device)})
    assert issued.status_code == 200
    assert issued.json()["token"] == Token.objects.get(user=manager).key
    reused = client.post("/api/auth/token/", {**data, "otp": totp_code(device)})
    assert reused.status_code == 400


def test_resetting_the_second_factor_ends_the_sessions_and_asks_to_enrol_again(manager):
    client = signed_in_with_password(manager)
    client.post(VERIFY, {"code": totp_code(TOTPDevice.objects.get(user=manager))})
    assert client.get("/dashboard/").status_code == 200
    admin = make_user("mfa-resetter", roles.ADMINISTRATORS, is_staff=True)
    services.second_factor_reset(user=manager, by=admin)
    assert client.get("/dashboard/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert manager.access_changes.filter(kind="second_factor_reset", by=admin).exists()


def test_a_changed_password_ends_the_other_sessions(manager):
    client = signed_in_with_password(manager)
    client.post(VERIFY, {"code": totp_code(TOTPDevice.objects.get(user=manager))})
    user = User.objects.get(pk=manager.pk)
    user.set_password("another-long-password")
    user.save()
    assert client.get("/dashboard/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session_on_the_server(manager):
    from django.contrib.sessions.models import Session

    client = signed_in_with_password(manager)
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_field_staff_given_the_personal_data_permission_must_enrol():
    from django.contrib.auth.models import Permission

    staff = make_user("mfa-staff-personal", roles.FIELD_STAFF)
    staff.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    client = signed_in_with_password(staff)
    for url in ["/field/", "/dashboard/", "/accounts/password_change/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:second-factor")
        )
    assert client.get("/api/beneficiaries/").status_code == 403
    page = client.get(reverse("accounts:second-factor")).content.decode()
    assert "data-secret" in page


def test_field_staff_who_chose_a_second_factor_are_asked_for_it():
    staff = make_user("mfa-staff-chose", roles.FIELD_STAFF)
    device = second_factor_device(staff)
    client = signed_in_with_password(staff)
    assert client.get("/field/")["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302
    assert client.get("/field/").status_code == 200


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(manager):
    device = TOTPDevice.objects.get(user=manager)
    here = signed_in_with_password(manager)
    here.post(VERIFY, {"code": totp_code(device)})
    there = signed_in_with_password(manager)
    there.post(VERIFY, {"code": totp_code(device, offset_steps=1)})
    assert there.get("/dashboard/").status_code == 200
    data = {
        "old_password": "pw-mfa-manager",
        "new_password1": "Un-autre-mot-2026",
        "new_password2": "Un-autre-mot-2026",
    }
    assert here.post(reverse("password_change"), data).status_code == 302
    assert here.get("/dashboard/").status_code == 200
    assert there.get("/dashboard/").status_code == 302
    assert "_auth_user_id" not in there.session

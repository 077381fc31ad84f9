"""Two-factor authentication: a manager, required to use it, enrols an authenticator app
(TOTP) and from then on must give a code to sign in."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def password_login(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_a_manager_must_enrol_and_then_use_totp(client, manager, employee, settings):
    settings.REQUIRE_MFA_FOR_ROLES = ["manager"]
    with time_machine.travel("2026-03-02 09:00:00", tick=False):
        assert password_login(client, manager).status_code == 302
        # Anything but the account pages sends them to set up a second factor.
        response = client.get(reverse("ideas:board"))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
        assert client.get(reverse("mfa_index")).status_code == 200

        # Enrolling asks for the password again first.
        response = client.get(reverse("mfa_activate_totp"))
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        client.post(response["Location"], {"password": PASSWORD})
        page = client.get(reverse("mfa_activate_totp"))
        assert page.status_code == 200
        secret = page.context["form"].secret
        response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
        assert response.status_code == 200  # wrong code: the form again
        response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
        assert response.status_code == 302
        assert Authenticator.objects.filter(user=manager, type="totp").exists()
        assert client.get(reverse("ideas:board")).status_code == 200
        client.post(reverse("account_logout"))

    # Next sign-in: the password alone is not enough.
    with time_machine.travel("2026-03-02 10:00:00", tick=False):
        response = password_login(client, manager)
        assert response["Location"] == reverse("mfa_authenticate")
        assert not client.get("/").context["user"].is_authenticated
        assert client.post(reverse("mfa_authenticate"), {"code": "123456"}).status_code == 200
        response = client.post(reverse("mfa_authenticate"), {"code": totp(secret)})
        assert response.status_code == 302
        assert client.get("/").context["user"] == manager


def test_people_outside_the_required_roles_are_not_asked(client, employee, settings):
    settings.REQUIRE_MFA_FOR_ROLES = ["manager", "executive"]
    password_login(client, employee)
    assert client.get(reverse("ideas:board")).status_code == 200


def test_without_the_setting_nobody_is_forced(client, manager, settings):
    settings.REQUIRE_MFA_FOR_ROLES = []
    password_login(client, manager)
    assert client.get(reverse("ideas:board")).status_code == 200


def test_the_api_answers_403_to_a_session_without_the_second_factor(client, manager, settings):
    settings.REQUIRE_MFA_FOR_ROLES = ["manager"]
    password_login(client, manager)
    response = client.get("/api/v1/ideas/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"


def test_the_role_check_reads_the_groups_loaded_with_the_user(client, employee, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    password_login(client, employee)
    counts = []
    for roles in ([], ["manager", "executive"]):
        settings.REQUIRE_MFA_FOR_ROLES = roles
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("ideas:board")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]  # no query of its own for someone outside the roles

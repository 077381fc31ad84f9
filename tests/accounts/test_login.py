import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, email, password, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_it_logs_in_by_email_case_insensitively(client, employee):
    response = login(client, employee.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == employee


def test_the_login_page_keeps_its_address_and_labels(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="id_login" class="required">E-mail</label>' in html
    assert 'href="/accounts/password/reset/">Forgot your password?' in html


@pytest.mark.parametrize("email", ["known", "unknown@example.com"])
def test_it_gives_one_clear_message_for_wrong_password_or_unknown_email(client, employee, email):
    email = employee.email if email == "known" else email
    response = login(client, email, "wrong-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_logins_and_failed_logins_are_audited(client, employee):
    login(client, employee.email, "wrong-password", REMOTE_ADDR="10.1.1.1")
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.data == {"email": employee.email, "ip": "10.1.1.1", "door": "html"}
    assert failed.actor is None
    login(client, employee.email, PASSWORD)
    ok = AuditEvent.objects.get(action="login")
    assert (ok.actor, ok.data["method"]) == (employee, "password")


def test_a_deactivated_person_cannot_log_in(client, employee):
    employee.is_active = False
    employee.save()
    response = login(client, employee.email, PASSWORD)
    assert not response.context["user"].is_authenticated


def test_existing_password_hashes_keep_working(client, employee, settings):
    # Accounts from before allauth: a PBKDF2 hash made by Django is accepted as it is.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    employee.set_password("an-old-password-1")
    employee.save()
    assert login(client, employee.email, "an-old-password-1").status_code == 302


def test_it_logs_out_with_post(client, employee):
    client.force_login(employee)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_it_changes_the_password(client, employee):
    login(client, employee.email, PASSWORD)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-pass-9",
            "password2": "another-long-pass-9",
        },
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password("another-long-pass-9")

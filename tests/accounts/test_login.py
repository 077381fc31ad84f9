import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_logs_in_by_email_case_insensitively(client, employee):
    response = client.post(
        reverse("accounts:login"), {"username": employee.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == employee


@pytest.mark.parametrize("email", ["known", "unknown@example.com"])
def test_it_gives_one_clear_message_for_wrong_password_or_unknown_email(client, employee, email):
    email = employee.email if email == "known" else email
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_it_logs_out_with_post(client, employee):
    client.force_login(employee)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_it_changes_the_password(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-9",
            "new_password2": "another-long-pass-9",
        },
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password("another-long-pass-9")

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_it_throttles_repeated_failed_logins_even_with_the_right_password_after(
    client, employee, settings
):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "login_failures": "3/15m"}
    assert [_login(client, employee.email, "wrong").status_code for _ in range(3)] == [
        200,
        200,
        200,
    ]
    blocked = _login(client, employee.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_it_counts_failures_per_email_across_addresses(client, employee, settings):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "login_failures": "2/15m"}
    for n in range(2):
        client.post(
            reverse("account_login"),
            {"login": employee.email, "password": "x"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
    response = client.post(
        reverse("account_login"),
        {"login": employee.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429


def test_successful_logins_do_not_count(client, employee, settings):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "login_failures": "2/15m"}
    for _ in range(4):
        assert _login(client, employee.email, PASSWORD).status_code == 302
        client.post(reverse("account_logout"))


def test_it_throttles_signups_per_address_and_creates_nothing_beyond(client, settings):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "signup": "2/h"}
    statuses = []
    for n in range(3):
        client.post(reverse("account_logout"))
        statuses.append(
            client.post(
                reverse("account_signup"),
                {
                    "email": f"p{n}@example.com",
                    "display_name": f"P {n}",
                    "password1": "a-long-unusual-pass",
                    "password2": "a-long-unusual-pass",
                },
            ).status_code
        )
    assert statuses == [302, 302, 429]
    assert User.objects.count() == 2


def test_it_limits_password_reset_requests_per_address(client, employee, settings, mailoutbox):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "password_reset": "2/h"}
    statuses = [
        client.post(reverse("account_reset_password"), {"email": employee.email}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mailoutbox) == 2

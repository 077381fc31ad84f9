import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "New.Person@Example.com",
    "display_name": "New Person",
    "password1": "a-long-unusual-pass",
    "password2": "a-long-unusual-pass",
}


def test_it_creates_a_customer_and_logs_them_in(client, mailoutbox):
    response = client.post(reverse("account_signup"), GOOD)
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.kind, user.function) == ("new.person@example.com", "customer", "")
    assert user.display_name == "New Person"
    assert not user.groups.exists()
    assert client.get(reverse("home")).context["user"] == user
    # ... and e-mails a confirmation link.
    assert [m.to for m in mailoutbox] == [["new.person@example.com"]]


def test_it_refuses_a_duplicate_email_whatever_the_case(client, customer):
    data = {**GOOD, "email": customer.email.upper()}
    client.post(reverse("account_signup"), data)
    assert User.objects.count() == 1


def test_it_refuses_mismatched_and_weak_passwords(client):
    response = client.post(reverse("account_signup"), {**GOOD, "password2": "something-else-1"})
    assert "same password" in response.content.decode()
    response = client.post(
        reverse("account_signup"), {**GOOD, "password1": "123", "password2": "123"}
    )
    assert "too short" in response.content.decode()
    assert not User.objects.exists()


def test_it_cannot_be_used_to_become_staff(client):
    client.post(
        reverse("account_signup"), {**GOOD, "kind": "staff", "function": "it", "is_staff": "on"}
    )
    user = User.objects.get()
    assert (user.kind, user.function, user.is_staff) == ("customer", "", False)

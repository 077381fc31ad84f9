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


def test_it_creates_a_customer_who_then_logs_in(client):
    response = client.post(reverse("accounts:signup"), GOOD)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user = User.objects.get()
    assert (user.email, user.kind, user.function) == ("new.person@example.com", "customer", "")
    assert not user.groups.exists()
    client.post(reverse("accounts:login"), {"username": user.email, "password": GOOD["password1"]})
    assert client.get(reverse("home")).context["user"] == user


def test_it_answers_the_same_for_a_known_email_and_tells_its_owner(
    client, customer, mailoutbox, django_capture_on_commit_callbacks
):
    new = client.post(reverse("accounts:signup"), GOOD, follow=True)
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(
            reverse("accounts:signup"), {**GOOD, "email": customer.email.upper()}, follow=True
        )
    assert known.status_code == new.status_code == 200
    assert known.redirect_chain == new.redirect_chain
    assert "already exists" not in known.content.decode()
    said_known = [str(m).replace(customer.email, "X") for m in known.context["messages"]]
    said_new = [str(m).replace("new.person@example.com", "X") for m in new.context["messages"]]
    assert said_known == said_new and len(said_new) == 1
    assert User.objects.count() == 2
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert "http://" in mailoutbox[0].body or "https://" in mailoutbox[0].body


def test_it_refuses_mismatched_and_weak_passwords(client):
    response = client.post(reverse("accounts:signup"), {**GOOD, "password2": "something-else-1"})
    assert "The two passwords differ." in response.content.decode()
    response = client.post(
        reverse("accounts:signup"), {**GOOD, "password1": "123", "password2": "123"}
    )
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.exists()


def test_it_cannot_be_used_to_become_staff(client):
    client.post(
        reverse("accounts:signup"), {**GOOD, "kind": "staff", "function": "it", "is_staff": "on"}
    )
    user = User.objects.get()
    assert (user.kind, user.function, user.is_staff) == ("customer", "", False)

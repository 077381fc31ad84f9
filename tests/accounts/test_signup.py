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


def test_it_creates_a_customer_who_confirms_and_logs_in(client, mailoutbox):
    response = client.post(reverse("account_signup"), GOOD)
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    user = User.objects.get()
    assert (user.email, user.kind, user.function) == ("new.person@example.com", "customer", "")
    assert user.display_name == "New Person"
    assert not user.groups.exists()
    # ... e-mails a confirmation link ...
    assert [m.to for m in mailoutbox] == [["new.person@example.com"]]
    assert "confirm-email" in mailoutbox[0].body
    # ... and the new customer logs in.
    client.post(reverse("account_login"), {"login": user.email, "password": GOOD["password1"]})
    assert client.get(reverse("home")).context["user"] == user


def test_it_answers_the_same_for_a_known_email_and_tells_its_owner(client, customer, mailoutbox):
    new = client.post(reverse("account_signup"), GOOD, follow=True)
    known = client.post(
        reverse("account_signup"), {**GOOD, "email": customer.email.upper()}, follow=True
    )
    assert known.status_code == new.status_code == 200
    assert known.redirect_chain == new.redirect_chain
    assert "already registered" not in known.content.decode()
    said_known = [str(m).replace(customer.email, "X") for m in known.context["messages"]]
    said_new = [str(m).replace("new.person@example.com", "X") for m in new.context["messages"]]
    assert said_known == said_new and said_new
    assert User.objects.count() == 2  # no second account for the known address
    # The known address's owner hears of it (allauth's "account already exists" e-mail).
    assert [m.to for m in mailoutbox] == [["new.person@example.com"], [customer.email]]
    assert "http://" in mailoutbox[1].body or "https://" in mailoutbox[1].body


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

"""A customer who signs up (and then logs in: the sign-up page answers a new and a known
address alike, so it signs nobody in) may browse at once, but submits, supports and comments only
after confirming their e-mail address through the e-mailed link."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import AuditEvent, User
from tests import factories
from tests.accounts.helpers import link_in

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "carla@example.com",
    "display_name": "Carla",
    "password1": "a-long-unusual-pass",
    "password2": "a-long-unusual-pass",
}


def _sign_up_and_log_in(client) -> None:
    client.post(reverse("account_signup"), SIGNUP)
    client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )


@pytest.fixture
def idea(employee):
    campaign = factories.CampaignFactory(audience="everyone")
    return factories.IdeaFactory(author=employee, campaign=campaign, status="submitted")


def test_it_lets_an_unverified_customer_browse_but_not_take_part(client, mailoutbox, idea):
    _sign_up_and_log_in(client)
    carla = User.objects.get(email="carla@example.com")
    assert not carla.has_perm("ideas.add_idea")
    assert not carla.has_perm("ideas.support_idea", idea)
    assert not carla.has_perm("ideas.comment_idea", idea)
    assert carla.has_perm("ideas.view_idea", idea)

    page = client.get(reverse("ideas:detail", args=[idea.pk]))
    assert page.status_code == 200
    assert "Confirm your e-mail address" in page.content.decode()
    client.post(reverse("ideas:support", args=[idea.pk]))
    assert not idea.supports.exists()

    # The link in the e-mail confirms the address (a page with a button, then the POST).
    path = link_in(mailoutbox[0])
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    carla = User.objects.get(pk=carla.pk)
    assert EmailAddress.objects.get(user=carla).verified
    assert carla.has_perm("ideas.add_idea")
    assert carla.has_perm("ideas.support_idea", idea)
    assert "Confirm your e-mail address" not in client.get("/").content.decode()
    client.post(reverse("ideas:support", args=[idea.pk]))
    assert idea.supports.get().user == carla


def test_the_banner_resends_the_link(client, mailoutbox):
    _sign_up_and_log_in(client)
    response = client.post(reverse("accounts:verification_resend"), {"next": "/ideas/"})
    assert response.status_code == 302 and response["Location"] == "/ideas/"
    assert len(mailoutbox) == 2
    assert link_in(mailoutbox[1]).startswith("/accounts/confirm-email/")


def test_employees_and_existing_customers_need_no_verification(employee, customer):
    # People created before verification existed (or by a manager) have no pending address.
    assert employee.has_perm("ideas.add_idea")
    assert customer.has_perm("ideas.add_idea")


def test_changing_the_address_needs_the_new_one_confirmed(client, customer, mailoutbox):
    EmailAddress.objects.create(user=customer, email=customer.email, verified=True, primary=True)
    client.force_login(customer)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "new.address@example.com"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email != "new.address@example.com"  # not until confirmed
    path = link_in(next(m for m in mailoutbox if m.to == ["new.address@example.com"]))
    client.post(path)
    customer.refresh_from_db()
    assert customer.email == "new.address@example.com"
    assert customer.has_perm("ideas.add_idea")


def test_signing_up_is_audited_as_a_login(client):
    _sign_up_and_log_in(client)
    assert AuditEvent.objects.filter(action="login").count() == 1

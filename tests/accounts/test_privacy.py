"""A person downloads their data and deletes their account."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import ApiToken, AuditEvent, User
from accounts.services import token_create
from ideas import engagement as idea_services
from ideas.models import Comment, Idea, Support
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(customer, employee):
    campaign = factories.CampaignFactory(audience="everyone")
    mine = factories.IdeaFactory(author=customer, campaign=campaign, status="submitted")
    theirs = factories.IdeaFactory(author=employee, campaign=campaign, status="submitted")
    other = factories.IdeaFactory(author=employee, campaign=campaign, status="submitted")
    idea_services.support_add(idea=theirs, user=customer)
    idea_services.support_add(idea=other, user=customer)
    idea_services.support_add(idea=mine, user=employee)
    idea_services.comment_add(idea=theirs, author=customer, body="I would love this")
    return mine, theirs, other


def test_it_downloads_the_persons_data_as_json(client, customer, world):
    mine, theirs, _ = world
    client.force_login(customer)
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == customer.email
    assert [i["id"] for i in data["ideas"]["ideas"]] == [mine.pk]
    assert [c["body"] for c in data["ideas"]["comments"]] == ["I would love this"]
    assert {s["idea"] for s in data["ideas"]["supports"]} == {theirs.pk, world[2].pk}
    assert AuditEvent.objects.filter(action="privacy.export", actor=customer).exists()


def test_deleting_an_account_anonymises_and_corrects_counters(client, customer, world):
    mine, theirs, other = world
    EmailAddress.objects.create(user=customer, email=customer.email, verified=True)
    token_create(user=customer)
    assert Idea.objects.get(pk=theirs.pk).supports_customers == 1
    client.force_login(customer)

    refused = client.post(reverse("accounts:delete"), {"confirm": "yes"})
    assert refused.status_code == 400
    response = client.post(reverse("accounts:delete"), {"confirm": "Delete my account"})
    assert response.status_code == 302
    assert not client.get("/").context["user"].is_authenticated

    gone = User.objects.get(pk=customer.pk)
    assert gone.display_name == "Deleted user"
    assert "chloe" not in gone.email.lower() and gone.email.endswith(".invalid")
    assert not gone.is_active and not gone.has_usable_password()
    # Ideas and comments stay, by the anonymised author; supports go, counters follow.
    assert Idea.objects.get(pk=mine.pk).author_id == gone.pk
    assert Comment.objects.get().author_id == gone.pk
    assert not Support.objects.filter(user=gone).exists()
    assert Idea.objects.get(pk=theirs.pk).supports_customers == 0
    assert Idea.objects.get(pk=other.pk).supports_customers == 0
    assert Idea.objects.get(pk=mine.pk).supports_employees == 1  # others' supports stay
    assert not ApiToken.objects.filter(user=gone).exists()
    assert not EmailAddress.objects.filter(user=gone).exists()
    event = AuditEvent.objects.get(action="privacy.delete")
    assert event.data["counts"]["ideas"]["supports"] == 2
    # The old address can sign up afresh; nothing links it to the deleted account.
    assert not User.objects.filter(email__iexact=customer.email).exists()


def test_the_account_page_offers_both(client, customer):
    client.force_login(customer)
    html = client.get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:data_export") in html and reverse("accounts:delete") in html

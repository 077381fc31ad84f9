"""An anonymous author is "Anonymous" to everyone but managers and the author: HTML, API, CSV."""

import pytest
from django.urls import reverse

from tests.conftest import api_as
from tests.factories import CampaignFactory, EmployeeFactory, IdeaFactory


@pytest.fixture
def idea(db):
    author = EmployeeFactory(display_name="Zed Secret")
    return IdeaFactory(author=author, is_anonymous=True, campaign=CampaignFactory())


@pytest.mark.parametrize(
    ("role", "sees_name"),
    [
        ("customer", False),
        ("employee", False),
        ("executive", False),
        ("manager", True),
        ("author", True),
    ],
)
def test_html_and_api(idea, client, customer, employee, executive, manager, role, sees_name):
    user = {
        "customer": customer,
        "employee": employee,
        "executive": executive,
        "manager": manager,
        "author": idea.author,
    }[role]
    client.force_login(user)
    for url in (reverse("ideas:detail", args=[idea.pk]), reverse("ideas:board")):
        page = client.get(url).content.decode()
        assert ("Zed Secret" in page) is sees_name
        assert ("Anonymous" in page) is not sees_name
    data = api_as(user).get(f"/api/v1/ideas/{idea.pk}/").json()
    assert (data["author"] is not None) is sees_name
    listed = api_as(user).get("/api/v1/ideas/").json()["results"][0]
    assert (listed["author"] is not None) is sees_name


def test_csv_export_for_managers_shows_names(idea, client, manager):
    client.force_login(manager)
    body = b"".join(client.get(reverse("ideas:export")).streaming_content).decode()
    assert "Zed Secret" in body and ",yes," in body


def test_author_for_is_the_one_helper(idea, employee, manager):
    assert idea.author_for(employee) is None and idea.author_name_for(employee) == "Anonymous"
    assert idea.author_for(manager) == idea.author
    assert idea.author_for(None) is None

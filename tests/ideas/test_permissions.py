"""Who may do what: every role against every action, in the HTML views and the API."""

import pytest
from django.urls import reverse

from ideas import engagement, services
from ideas.models import Comment, Idea, Support
from tests.conftest import api_as
from tests.factories import CampaignFactory, EmployeeFactory, IdeaFactory, guided_idea_post

ROLES = ["customer", "employee", "manager", "executive", "anonymous"]


@pytest.fixture
def world(db, png, open_gates):
    campaign = CampaignFactory(audience="everyone")
    author = EmployeeFactory(display_name="Ann Author")
    idea = IdeaFactory(author=author, campaign=campaign, status="submitted")
    attachment = services.attachment_add(idea=idea, uploaded_by=author, file=png)
    return {"idea": idea, "attachment": attachment, "author": author}


@pytest.fixture
def as_role(request, client, customer, employee, manager, executive):
    users = {
        "customer": customer,
        "employee": employee,
        "manager": manager,
        "executive": executive,
        "anonymous": None,
    }

    def login(role):
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        return client, users[role]

    return login


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# (action, {role: allowed})
MATRIX = {
    "view": dict(customer=True, employee=True, manager=True, executive=True, anonymous=False),
    "create": dict(customer=True, employee=True, manager=True, executive=True, anonymous=False),
    "edit": dict(customer=False, employee=False, manager=True, executive=False, anonymous=False),
    "transition": dict(
        customer=False, employee=False, manager=True, executive=False, anonymous=False
    ),
    "support": dict(customer=True, employee=True, manager=True, executive=True, anonymous=False),
    "comment": dict(customer=True, employee=True, manager=True, executive=True, anonymous=False),
    "export": dict(customer=False, employee=False, manager=True, executive=False, anonymous=False),
    "attachment": dict(customer=True, employee=True, manager=True, executive=True, anonymous=False),
}
CASES = [(action, role, allowed) for action, row in MATRIX.items() for role, allowed in row.items()]


@pytest.mark.parametrize(("action", "role", "allowed"), CASES)
def test_html_permission_matrix(world, as_role, action, role, allowed):
    client, user = as_role(role)
    idea = world["idea"]
    if action == "view":
        response = client.get(reverse("ideas:detail", args=[idea.pk]))
        ok = response.status_code == 200
    elif action == "create":
        response = client.post(
            reverse("ideas:new"),
            guided_idea_post(),
        )
        ok = (
            response.status_code == 302
            and Idea.objects.filter(title="Queue app for branches").exists()
        )
    elif action == "edit":
        response = client.post(
            reverse("ideas:edit", args=[idea.pk]),
            {"title": "Edited", "customer_need": "x", "innovation_type": "optimization"},
        )
        idea.refresh_from_db()
        ok = idea.title == "Edited"
    elif action == "transition":
        response = client.post(reverse("ideas:transition", args=[idea.pk]), {"to": "screening"})
        idea.refresh_from_db()
        ok = idea.status == "screening"
    elif action == "support":
        response = client.post(reverse("ideas:support", args=[idea.pk]), {"action": "add"})
        ok = Support.objects.filter(idea=idea, user=user).exists() if user else False
    elif action == "comment":
        response = client.post(reverse("ideas:comments", args=[idea.pk]), {"body": "Agreed"})
        ok = Comment.objects.filter(idea=idea, body="Agreed").exists()
    elif action == "export":
        response = client.get(reverse("ideas:export"))
        ok = response.status_code == 200
    else:
        response = client.get(reverse("ideas:attachment", args=[world["attachment"].pk]))
        ok = response.status_code == 200
        if ok:
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["Content-Type"] == "image/png"
    assert ok is allowed
    if role == "anonymous":
        assert _to_login(response)
    elif not allowed:
        assert response.status_code in {403, 404}


API_MATRIX = {
    "list": dict(customer=200, employee=200, manager=200, executive=200, anonymous=403),
    "retrieve": dict(customer=200, employee=200, manager=200, executive=200, anonymous=403),
    "create": dict(customer=201, employee=201, manager=201, executive=201, anonymous=403),
    "patch": dict(customer=403, employee=403, manager=200, executive=403, anonymous=403),
    "transition": dict(customer=403, employee=403, manager=201, executive=403, anonymous=403),
    "support": dict(customer=200, employee=200, manager=200, executive=200, anonymous=403),
    "comment": dict(customer=201, employee=201, manager=201, executive=201, anonymous=403),
}
API_CASES = [(a, r, code) for a, row in API_MATRIX.items() for r, code in row.items()]


@pytest.mark.parametrize(("action", "role", "expected"), API_CASES)
def test_api_permission_matrix(
    world, customer, employee, manager, executive, action, role, expected
):
    user = {"customer": customer, "employee": employee, "manager": manager}.get(role)
    user = executive if role == "executive" else user
    api = api_as(user)
    pk = world["idea"].pk
    base = f"/api/v1/ideas/{pk}/"
    response = {
        "list": lambda: api.get("/api/v1/ideas/"),
        "retrieve": lambda: api.get(base),
        "create": lambda: api.post(
            "/api/v1/ideas/",
            {
                "title": "Queue app",
                "customer_need": "Long queues",
                "innovation_type": "optimization",
            },
        ),
        "patch": lambda: api.patch(base, {"title": "Edited"}),
        "transition": lambda: api.post(base + "transitions/", {"to": "screening"}),
        "support": lambda: api.post(base + "support/"),
        "comment": lambda: api.post(base + "comments/", {"body": "Agreed"}),
    }[action]()
    assert response.status_code == expected, response.content


def test_authors_edit_their_own_submitted_idea(client, employee):
    idea = IdeaFactory(author=employee, status="submitted")
    client.force_login(employee)
    response = client.post(
        reverse("ideas:edit", args=[idea.pk]),
        {"title": "Clearer", "customer_need": "Evidence", "innovation_type": "new_experience"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Clearer"


class TestVisibility:
    def test_customers_see_customer_campaigns_and_their_own_only(self, customer, employee):
        public = IdeaFactory(campaign=CampaignFactory(audience="customers"))
        staff_only = IdeaFactory(campaign=CampaignFactory(audience="employees"))
        open_box = IdeaFactory(campaign=None)
        own = IdeaFactory(author=customer, campaign=None, status="draft")
        someone_draft = IdeaFactory(campaign=CampaignFactory(audience="everyone"), status="draft")
        visible = set(Idea.objects.visible_to(customer))
        assert visible == {public, own}
        for idea in (public, staff_only, open_box, own, someone_draft):
            assert idea.is_visible_to(customer) is (idea in visible)
        assert set(Idea.objects.visible_to(employee)) == {public, staff_only, open_box}

    def test_managers_see_everything_and_anonymous_nothing(self, manager, django_user_model):
        from django.contrib.auth.models import AnonymousUser

        ideas = {IdeaFactory(status="draft"), IdeaFactory()}
        assert set(Idea.objects.visible_to(manager)) == ideas
        assert not Idea.objects.visible_to(AnonymousUser()).exists()

    def test_hidden_ideas_are_404_in_html_and_api(self, client, customer, png):
        idea = IdeaFactory(campaign=CampaignFactory(audience="employees"))
        attachment = services.attachment_add(idea=idea, uploaded_by=idea.author, file=png)
        client.force_login(customer)
        assert client.get(reverse("ideas:detail", args=[idea.pk])).status_code == 404
        assert client.get(reverse("ideas:attachment", args=[attachment.pk])).status_code == 404
        assert api_as(customer).get(f"/api/v1/ideas/{idea.pk}/").status_code == 404

    def test_customers_never_see_internal_comments(self, client, customer, employee):
        idea = IdeaFactory(campaign=CampaignFactory(audience="everyone"))
        engagement.comment_add(idea=idea, author=employee, body="Budget is tight", is_internal=True)
        engagement.comment_add(idea=idea, author=employee, body="Nice idea")
        client.force_login(customer)
        page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
        assert "Nice idea" in page and "Budget is tight" not in page
        bodies = [
            c["body"]
            for c in api_as(customer).get(f"/api/v1/ideas/{idea.pk}/comments/").json()["results"]
        ]
        assert bodies == ["Nice idea"]
        client.force_login(employee)
        assert (
            "Budget is tight"
            in client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
        )

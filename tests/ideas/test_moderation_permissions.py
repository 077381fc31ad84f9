"""Who may moderate and flag: every role (the moderator role included) against every
moderation action, in the HTML views and the API, allowed and denied."""

import pytest
from django.urls import reverse

from accounts.models import MODERATORS_GROUP, role_group
from accounts.services import ROLE_GROUPS, user_roles
from ideas.models import Flag, ModerationCase
from tests.conftest import api_as
from tests.factories import (
    CampaignFactory,
    CommentFactory,
    EmployeeFactory,
    IdeaFactory,
    ModeratorFactory,
)

ROLES = ["customer", "employee", "moderator", "manager", "executive", "anonymous"]
MODERATORS = {"moderator", "manager"}
READERS = {"customer", "employee", "moderator", "manager", "executive"}


@pytest.fixture
def world(db, customer, employee, manager, executive):
    author = EmployeeFactory(display_name="Ann Author")
    idea = IdeaFactory(author=author, campaign=CampaignFactory(audience="everyone"))
    idea.status = "submitted"
    idea.save(update_fields=["status"])
    comment = CommentFactory(idea=idea, author=author, body="A remark")
    held = CommentFactory(idea=idea, author=customer, body="Held", moderation="held")
    case = ModerationCase.objects.create(idea=idea, comment=held, cause="suspect")
    users = {
        "customer": customer,
        "employee": employee,
        "moderator": ModeratorFactory(),
        "manager": manager,
        "executive": executive,
        "anonymous": None,
    }
    return {"idea": idea, "comment": comment, "case": case, "users": users}


def _denied(response) -> bool:
    if response.status_code == 302:
        return response["Location"].startswith("/accounts/login/")
    return response.status_code in (401, 403, 404)


def _client(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_the_queue(client, world, role):
    response = _client(client, world["users"][role]).get(reverse("moderation:queue"))
    if role in MODERATORS:
        assert response.status_code == 200
        assert "Held" in response.content.decode()
    else:
        assert _denied(response)


@pytest.mark.parametrize("role", ROLES)
def test_a_decision(client, world, role):
    case = world["case"]
    response = _client(client, world["users"][role]).post(
        reverse("moderation:decide", args=[case.pk]), {"decision": "approved"}
    )
    case.refresh_from_db()
    if role in MODERATORS:
        assert response.status_code == 302
        assert case.decision == "approved"
    else:
        assert _denied(response)
        assert case.closed_at is None


@pytest.mark.parametrize("role", ROLES)
def test_flagging_an_idea_and_a_comment_in_the_page(client, world, role):
    c = _client(client, world["users"][role])
    idea, comment = world["idea"], world["comment"]
    r1 = c.post(reverse("ideas:flag", args=[idea.pk]), {"flag-reason": "Spam"})
    r2 = c.post(reverse("ideas:comment_flag", args=[comment.pk]), {"flag-reason": "Rude"})
    if role in READERS:
        assert (r1.status_code, r2.status_code) == (302, 302)
        assert Flag.objects.filter(user=world["users"][role]).count() == 2
    else:
        assert _denied(r1) and _denied(r2)
        assert not Flag.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_flagging_in_the_api(world, role):
    api = api_as(world["users"][role])
    idea, comment = world["idea"], world["comment"]
    r1 = api.post(f"/api/v1/ideas/{idea.pk}/flag/", {"reason": "Spam"})
    r2 = api.post(f"/api/v1/ideas/{idea.pk}/comments/{comment.pk}/flag/", {"reason": "Rude"})
    expected = 201 if role in READERS else 403
    assert (r1.status_code, r2.status_code) == (expected, expected)


def test_the_moderator_role_is_a_role_like_the_others(db):
    assert ROLE_GROUPS["moderator"] == MODERATORS_GROUP
    moderator = EmployeeFactory()
    moderator.groups.add(role_group(MODERATORS_GROUP))
    assert user_roles(moderator) == {"moderator"}
    assert moderator.has_perm("ideas.moderate")
    assert not moderator.has_perm("accounts.manage_innovation")


@pytest.mark.parametrize("role", ROLES)
def test_the_nav_shows_moderation_to_moderators_only(client, world, role):
    response = _client(client, world["users"][role]).get(reverse("home"))
    html = response.content.decode()
    assert ('data-nav="moderation"' in html) is (role in MODERATORS)
    if role in MODERATORS:
        assert 'data-testid="moderation-waiting"><span class="sr-only">, waiting: </span>1<' in html

"""The permission matrix of the journeys app: every role against every action."""

import pytest
from django.urls import reverse

from journeys.models import Journey, Stage
from tests.conftest import api_as
from tests.factories import MomentFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer", "employee", "manager", "executive"]

# action -> roles allowed (anonymous is redirected to log in on pages, 403 in the API)
MATRIX = {
    "map_page": {"employee", "manager", "executive"},
    "default_map": {"employee", "manager", "executive"},
    "cell_panel": {"employee", "manager", "executive"},
    "moment_options": {"customer", "employee", "manager", "executive"},
    "see_money": {"manager", "executive"},
    "edit_page": {"manager"},
    "stage_move": {"manager"},
    "moment_add": {"manager"},
    "moment_delete": {"manager"},
    "api_list": {"employee", "manager", "executive"},
    "api_detail": {"employee", "manager", "executive"},
    "api_map": {"employee", "manager", "executive"},
}


@pytest.fixture
def user_for(request):
    def _user(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return _user


def _status(client, method, url, data=None):
    return getattr(client, method)(url, data or {}).status_code


@pytest.mark.parametrize("role", ROLES)
def test_it_applies_the_permission_matrix(client, user_for, role):
    user = user_for(role)
    if user is not None:
        client.force_login(user)
    journey = Journey.objects.get(is_default=True)
    stage = Stage.objects.get(journey=journey, name="Use")
    other = Stage.objects.get(journey=journey, name="Renew")
    moment = MomentFactory(stage=stage)
    api = api_as(user)

    def allowed_page(status, ok=(200, 302)):
        if status in ok:
            return True
        assert status in (403, 302) if role == "anonymous" else status == 403, status
        return False

    results = {
        "map_page": allowed_page(
            _status(client, "get", reverse("insights:journey_map", args=[journey.pk])), (200,)
        ),
        "default_map": _status(client, "get", reverse("insights:journey_default")) == 302
        and user is not None
        and client.get(reverse("insights:journey_default")).url.startswith("/journeys/"),
        "cell_panel": allowed_page(
            _status(client, "get", reverse("insights:journey_cell", args=[journey.pk, stage.pk])),
            (200,),
        ),
        "moment_options": allowed_page(
            _status(client, "get", reverse("journeys:moment_options"), {"stage": stage.pk}), (200,)
        ),
        "see_money": user is not None and user.has_perm("insights.view_funding"),
        "edit_page": allowed_page(
            _status(client, "get", reverse("journeys:edit", args=[journey.pk])), (200,)
        ),
        "stage_move": allowed_page(
            _status(
                client, "post", reverse("journeys:stage_move", args=[other.pk]), {"direction": "up"}
            )
            if user is not None
            else 403
        ),
        "moment_add": allowed_page(
            _status(
                client,
                "post",
                reverse("journeys:moment_add", args=[stage.pk]),
                {"name": "New moment", "effect": "creates_value", "severity": "2"},
            )
            if user is not None
            else 403
        ),
        "moment_delete": allowed_page(
            _status(client, "post", reverse("journeys:moment_delete", args=[moment.pk]))
            if user is not None
            else 403
        ),
        "api_list": api.get("/api/v1/journeys/").status_code == 200,
        "api_detail": api.get(f"/api/v1/journeys/{journey.pk}/").status_code == 200,
        "api_map": api.get(f"/api/v1/journeys/{journey.pk}/map/").status_code == 200,
    }
    expected = {action: role in allowed for action, allowed in MATRIX.items()}
    assert results == expected
    # Refused writes changed nothing.
    if role != "manager":
        assert Stage.objects.get(pk=other.pk).order == other.order
        assert not stage.moments.filter(name="New moment").exists()


@pytest.mark.parametrize("role", ["anonymous", "customer"])
def test_it_refuses_the_map_api_to_non_staff(role, user_for):
    journey = Journey.objects.get(is_default=True)
    response = api_as(user_for(role)).get(f"/api/v1/journeys/{journey.pk}/map/")
    assert response.status_code in (401, 403, 404)
    assert "stages" not in response.json()

"""scoring.services.scorecard_create_version: a new default scorecard, held rounds untouched."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from scoring.models import Scorecard
from scoring.services import scorecard_create_version
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def default():
    return Scorecard.objects.get(is_default=True)


def test_it_creates_the_new_default_with_rounded_weights(manager, default):
    held = factories.ReviewRoundFactory(status="closed", scorecard=default)
    version = scorecard_create_version(
        scorecard=default,
        weights={"importance": 2.074, "evidence": 0, "defensibility": "1.926"},
        actor=manager,
    )
    assert version.is_default and not Scorecard.objects.get(pk=default.pk).is_default
    assert {w.signal.key: w.weight for w in version.weights.all()} == {
        "importance": Decimal("2.07"),
        "defensibility": Decimal("1.93"),
    }
    assert (version.gate_threshold, version.min_reviews, version.min_functions) == (
        default.gate_threshold,
        default.min_reviews,
        default.min_functions,
    )
    held.refresh_from_db()
    assert held.scorecard_id == default.pk  # rounds already held keep their scorecard
    assert AuditEvent.objects.filter(action="scorecard.version").count() == 1


def test_it_can_leave_the_default_alone(manager, default):
    version = scorecard_create_version(
        scorecard=default, weights={"importance": 1}, actor=manager, make_default=False
    )
    assert not version.is_default
    assert Scorecard.objects.get(is_default=True) == default


@pytest.mark.parametrize(
    "weights",
    [{}, {"importance": 0}, {"importance": -1}, {"importance": "x"}, {"no-such-signal": 1}],
)
def test_it_refuses_bad_weights(manager, default, weights):
    with pytest.raises(ValidationError):
        scorecard_create_version(scorecard=default, weights=weights, actor=manager)
    assert Scorecard.objects.count() == 1


@pytest.mark.parametrize("role", ["employee", "executive", "panelist"])
def test_only_managers_create_versions(default, role, request):
    with pytest.raises(PermissionDenied):
        scorecard_create_version(
            scorecard=default, weights={"importance": 1}, actor=request.getfixturevalue(role)
        )

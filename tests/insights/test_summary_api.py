"""GET /api/v1/budgets/fiscal-years/{id}/summary/: the executive summary, as the dashboard."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from budgets.selectors import jsonable
from insights.dashboard import executive_summary
from tests import factories
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_the_summary_is_the_selector_output(fy, executive):
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("2500.00"))
    body = api_as(executive).get(f"/api/v1/budgets/fiscal-years/{fy.pk}/summary/").json()
    expected = jsonable(executive_summary(fy).as_dict())
    # ``as_of`` is the time the data is current to (now, on the primary), not the day.
    as_of = datetime.fromisoformat(body.pop("as_of"))
    assert abs((timezone.now() - as_of).total_seconds()) < 60
    expected.pop("as_of")
    assert body == expected
    assert body["committed"] == "2500.00" and body["committed_pct"] == "0.25"
    for key in [
        "marketing_budget",
        "target_pct",
        "innovation_budget",
        "committed",
        "spent",
        "remaining",
        "committed_pct",
        "spent_pct",
        "committed_new_only",
        "committed_new_only_pct",
    ]:
        assert isinstance(body[key], str), key

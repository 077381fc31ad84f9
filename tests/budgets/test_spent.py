"""Allocation.spent: kept by the spend service, rebuilt from the spends on demand."""

import contextlib
import random
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F

from budgets import services
from budgets.models import Allocation
from tests import factories

pytestmark = pytest.mark.django_db


def maintained() -> dict[int, Decimal]:
    return dict(Allocation.objects.values_list("pk", "spent"))


def rebuilt() -> dict[int, Decimal]:
    return dict(
        Allocation.objects.annotate(expected=services.spent_from_spends()).values_list(
            "pk", "expected"
        )
    )


@time_machine.travel(date(2026, 6, 15), tick=False)
def test_the_service_keeps_spent_and_rebuilding_changes_nothing(manager):
    fy = factories.FiscalYearFactory(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    allocations = [
        factories.AllocationFactory(fiscal_year=fy, amount=Decimal("1000.00")) for _ in range(4)
    ]
    rng = random.Random(7)
    for _ in range(25):
        allocation = rng.choice(allocations)
        amount = Decimal(rng.randint(1, 9000)) / 100
        # A refused spend (the allocation is nearly used up) writes nothing.
        with contextlib.suppress(services.BudgetConflict):
            services.spend_record(
                allocation=allocation,
                amount=amount,
                spent_on=date(2026, 6, rng.randint(1, 14)),
                description="Sprint",
                actor=manager,
            )
    assert maintained() == rebuilt()
    assert any(v > 0 for v in maintained().values())
    assert services.spent_rebuild() == 0


def test_a_refused_spend_leaves_spent_alone(manager):
    fy = factories.FiscalYearFactory(starts_on=date(2020, 1, 1), ends_on=date(2099, 12, 31))
    allocation = factories.AllocationFactory(fiscal_year=fy, amount=Decimal("100.00"))
    services.spend_record(
        allocation=allocation,
        amount="60",
        spent_on=date(2020, 1, 2),
        description="A",
        actor=manager,
    )
    with pytest.raises(services.BudgetConflict):
        services.spend_record(
            allocation=allocation,
            amount="40.01",
            spent_on=date(2020, 1, 2),
            description="B",
            actor=manager,
        )
    allocation.refresh_from_db()
    assert allocation.spent == Decimal("60.00")


def test_the_command_repairs_drift_and_says_how_much():
    fy = factories.FiscalYearFactory()
    a, b = (factories.AllocationFactory(fiscal_year=fy, amount=Decimal("500")) for _ in range(2))
    factories.SpendFactory(allocation=a, amount=Decimal("120.50"))
    factories.SpendFactory(allocation=a, amount=Decimal("9.50"))
    # Drift by hand: a write that bypassed the service.
    Allocation.objects.filter(pk__in=[a.pk, b.pk]).update(spent=F("spent") + 1)
    out = StringIO()
    call_command("rebuild_spent", stdout=out)
    assert "2 allocation(s) checked, 2 corrected" in out.getvalue()
    assert maintained() == rebuilt() == {a.pk: Decimal("130.00"), b.pk: Decimal("0.00")}
    out = StringIO()
    call_command("rebuild_spent", "--fiscal-year", str(fy.pk), stdout=out)
    assert "0 corrected" in out.getvalue()


def test_the_dashboard_reads_the_maintained_total(executive):
    from budgets.selectors import fiscal_year_summary

    fy = factories.FiscalYearFactory()
    allocation = factories.AllocationFactory(fiscal_year=fy, amount=Decimal("500"))
    factories.SpendFactory(allocation=allocation, amount=Decimal("200"))
    assert fiscal_year_summary(fy).totals.spent == Decimal("200.00")

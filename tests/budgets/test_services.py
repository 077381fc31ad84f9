from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from budgets import services
from budgets.models import Allocation, Spend
from ideas.models import IdeaTransition
from ideas.services import idea_transition
from ideas.workflow import TransitionError
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_allocates_to_an_approved_idea_and_moves_it_to_funded(fy, approved_idea, manager):
    allocation = services.allocation_create(
        fiscal_year=fy, idea=approved_idea, amount="25000", actor=manager, note="Pilot"
    )
    approved_idea.refresh_from_db()
    assert allocation.amount == Decimal("25000.00")
    assert allocation.status == "committed" and allocation.override is False
    assert approved_idea.status == "funded"
    move = IdeaTransition.objects.get(idea=approved_idea)
    assert (move.from_status, move.to_status, move.actor) == ("approved", "funded", manager)


def test_it_refuses_an_overrun_with_a_clear_message_and_saves_nothing(fy, approved_idea, manager):
    other = factories.IdeaFactory(status="approved", owner=manager)
    services.allocation_create(fiscal_year=fy, idea=other, amount="90000", actor=manager)
    # 90,000 committed of 100,000: 10,000.00 remains, 10,000.01 is one cent too much.
    with pytest.raises(services.BudgetConflict) as exc:
        services.allocation_create(
            fiscal_year=fy, idea=approved_idea, amount="10000.01", actor=manager
        )
    assert exc.value.code == "overrun"
    assert "only 10000.00 EUR of 100000.00 remains" in exc.value.message
    approved_idea.refresh_from_db()
    assert approved_idea.status == "approved"
    assert Allocation.objects.filter(idea=approved_idea).count() == 0
    # Exactly the remainder fits.
    services.allocation_create(fiscal_year=fy, idea=approved_idea, amount="10000.00", actor=manager)


def test_it_records_an_override_with_its_reason(fy, approved_idea, manager):
    with pytest.raises(ValidationError):
        services.allocation_create(
            fiscal_year=fy, idea=approved_idea, amount="150000", actor=manager, override=True
        )
    allocation = services.allocation_create(
        fiscal_year=fy,
        idea=approved_idea,
        amount="150000",
        actor=manager,
        override=True,
        reason="Board approved the extra spend on 3 March.",
    )
    assert allocation.override is True
    assert allocation.reason == "Board approved the extra spend on 3 March."


def test_it_does_not_flag_an_override_that_was_not_needed(fy, approved_idea, manager):
    allocation = services.allocation_create(
        fiscal_year=fy, idea=approved_idea, amount="100", actor=manager, override=True, reason="x"
    )
    assert allocation.override is False


def test_it_tops_up_a_funded_idea_without_a_transition(fy, manager):
    idea = factories.IdeaFactory(status="funded", owner=manager)
    services.allocation_create(fiscal_year=fy, idea=idea, amount="100", actor=manager)
    assert not IdeaTransition.objects.filter(idea=idea).exists()


@pytest.mark.parametrize("status", ["submitted", "shortlisted", "launched", "rejected"])
def test_it_refuses_ideas_that_are_not_fundable(fy, manager, status):
    idea = factories.IdeaFactory(status=status, owner=manager)
    with pytest.raises(services.BudgetConflict) as exc:
        services.allocation_create(fiscal_year=fy, idea=idea, amount="100", actor=manager)
    assert exc.value.code == "not_fundable"


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_it_refuses_bad_amounts(fy, approved_idea, manager, amount):
    with pytest.raises(ValidationError):
        services.allocation_create(fiscal_year=fy, idea=approved_idea, amount=amount, actor=manager)


def test_it_refuses_float_money(fy, approved_idea, manager):
    with pytest.raises(ValidationError):
        services.allocation_create(fiscal_year=fy, idea=approved_idea, amount=0.1, actor=manager)


def test_it_rounds_money_half_up_to_the_cent():
    assert services.money("10.005") == Decimal("10.01")
    assert services.money("10.004") == Decimal("10.00")
    assert services.money(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67


def test_it_lets_only_managers_allocate(fy, approved_idea, executive, employee):
    for user in (executive, employee):
        with pytest.raises(PermissionDenied):
            services.allocation_create(fiscal_year=fy, idea=approved_idea, amount="1", actor=user)


def test_the_funded_gate_refuses_a_move_without_an_allocation(approved_idea, manager):
    with pytest.raises(TransitionError) as exc:
        idea_transition(idea=approved_idea, to="funded", actor=manager)
    assert "committed budget allocation" in exc.value.message


def test_it_releases_an_allocation_without_spend(fy, approved_idea, manager):
    allocation = services.allocation_create(
        fiscal_year=fy, idea=approved_idea, amount="40000", actor=manager
    )
    services.allocation_release(allocation=allocation, actor=manager)
    allocation.refresh_from_db()
    assert allocation.status == "released" and allocation.released_at is not None
    assert services.committed_total(fy) == Decimal("0.00")
    with pytest.raises(services.BudgetConflict) as exc:
        services.allocation_release(allocation=allocation, actor=manager)
    assert exc.value.code == "released"


@time_machine.travel(date(2026, 6, 15), tick=False)
def test_it_records_spend_up_to_the_allocation_and_no_further(fy, approved_idea, manager):
    allocation = services.allocation_create(
        fiscal_year=fy, idea=approved_idea, amount="1000", actor=manager
    )
    services.spend_record(
        allocation=allocation,
        amount="600",
        spent_on=date(2026, 6, 1),
        description="UX",
        actor=manager,
    )
    with pytest.raises(services.BudgetConflict) as exc:
        services.spend_record(
            allocation=allocation,
            amount="400.01",
            spent_on=date(2026, 6, 2),
            description="More",
            actor=manager,
        )
    assert exc.value.code == "overspend"
    assert "400.00 of 1000.00 EUR is left" in exc.value.message
    services.spend_record(
        allocation=allocation,
        amount="400",
        spent_on=date(2026, 6, 2),
        description="All",
        actor=manager,
    )
    # Spend recorded: the allocation can no longer be released.
    with pytest.raises(services.BudgetConflict) as exc:
        services.allocation_release(allocation=allocation, actor=manager)
    assert exc.value.code == "has_spend"


@time_machine.travel(date(2026, 6, 15), tick=False)
@pytest.mark.parametrize(
    "spent_on", [date(2025, 12, 31), date(2026, 6, 16)], ids=["before the year", "future"]
)
def test_it_refuses_spend_dates_outside_the_year_or_in_the_future(fy, manager, spent_on):
    allocation = factories.AllocationFactory(fiscal_year=fy)
    with pytest.raises(ValidationError) as exc:
        services.spend_record(
            allocation=allocation, amount="1", spent_on=spent_on, description="x", actor=manager
        )
    assert "spent_on" in exc.value.message_dict
    assert not Spend.objects.exists()


def test_it_refuses_spend_on_a_released_allocation(fy, manager):
    allocation = factories.AllocationFactory(fiscal_year=fy, status="released")
    with time_machine.travel(date(2026, 6, 15)), pytest.raises(services.BudgetConflict):
        services.spend_record(
            allocation=allocation,
            amount="1",
            spent_on=date(2026, 6, 1),
            description="x",
            actor=manager,
        )


def test_it_creates_and_updates_fiscal_years(manager):
    fy = services.fiscal_year_create(
        label=" FY2027 ",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
        marketing_budget="2500000",
        innovation_target_pct="12.5",
        actor=manager,
    )
    assert fy.label == "FY2027"
    assert fy.innovation_budget == Decimal("312500.00")
    with pytest.raises(ValidationError) as exc:
        services.fiscal_year_update(fiscal_year=fy, ends_on=date(2026, 6, 1), actor=manager)
    assert "ends_on" in exc.value.message_dict


def test_it_refuses_to_lower_the_budget_below_what_is_committed(fy, manager):
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("60000"))
    with pytest.raises(services.BudgetConflict):
        # 500,000 x 10% = 50,000 < 60,000 committed
        services.fiscal_year_update(fiscal_year=fy, marketing_budget="500000", actor=manager)
    fy.refresh_from_db()
    assert fy.marketing_budget == Decimal("1000000.00")
    services.fiscal_year_update(fiscal_year=fy, marketing_budget="600000", actor=manager)
    fy.refresh_from_db()
    assert fy.innovation_budget == Decimal("60000.00")

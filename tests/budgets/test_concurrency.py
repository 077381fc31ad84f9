"""Two managers allocating the last of the budget at once cannot overrun it (PostgreSQL)."""

import threading
from datetime import date
from decimal import Decimal

from django.db import connection

from budgets import services
from budgets.models import Allocation, BudgetSnapshot
from tests import factories
from tests.services import require_postgres

THREADS = 10


def run_together(work, args_list):
    """Start every call at the same moment (a barrier); collect results or exceptions."""
    barrier = threading.Barrier(len(args_list))
    results = [None] * len(args_list)

    def runner(i, args):
        try:
            barrier.wait()
            results[i] = work(*args)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=runner, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_it_never_overruns_under_concurrent_allocations(transactional_db, manager):
    require_postgres()
    fy = factories.FiscalYearFactory()  # innovation budget 100,000.00
    ideas = [factories.IdeaFactory(status="approved", owner=manager) for _ in range(THREADS)]

    def allocate(idea):
        # 15% of the budget each: at most 6 x 15,000 = 90,000 fit; the 7th would be 105,000.
        return services.allocation_create(
            fiscal_year=fy, idea=idea, amount=Decimal("15000.00"), actor=manager
        )

    results = run_together(allocate, [(idea,) for idea in ideas])
    made = [r for r in results if isinstance(r, Allocation)]
    refused = [r for r in results if isinstance(r, services.BudgetConflict)]
    assert len(made) == 6 and len(refused) == 4, results
    assert all(r.code == "overrun" for r in refused)
    assert services.committed_total(fy) == Decimal("90000.00")
    funded = sorted(i.pk for i in ideas if type(i).objects.get(pk=i.pk).status == "funded")
    assert funded == sorted(a.idea_id for a in made)


def test_concurrent_spend_never_exceeds_the_allocation(transactional_db, manager):
    require_postgres()
    fy = factories.FiscalYearFactory(starts_on=date(2020, 1, 1), ends_on=date(2099, 12, 31))
    allocation = factories.AllocationFactory(fiscal_year=fy, amount=Decimal("100.00"))

    def spend():
        return services.spend_record(
            allocation=allocation,
            amount=Decimal("30.00"),
            spent_on=date(2020, 1, 2),
            description="Parallel",
            actor=manager,
        )

    results = run_together(spend, [()] * 6)
    assert sum(1 for r in results if isinstance(r, services.BudgetConflict)) == 3  # 3 x 30 fit
    assert allocation.spends.count() == 3
    # The maintained total moved with every spend that was recorded, and only with those.
    allocation.refresh_from_db()
    assert allocation.spent == Decimal("90.00")
    assert services.spent_rebuild() == 0


def test_concurrent_snapshots_leave_one_row(transactional_db):
    require_postgres()
    fy = factories.FiscalYearFactory(starts_on=date(2020, 1, 1), ends_on=date(2099, 12, 31))
    results = run_together(
        lambda: services.snapshot_take(fiscal_year=fy, date=date(2020, 1, 2)), [()] * 6
    )
    assert all(isinstance(r, BudgetSnapshot) for r in results), results
    assert BudgetSnapshot.objects.count() == 1

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from budgets import demo
from budgets.models import Allocation, BudgetSnapshot, FiscalYear, Spend
from budgets.selectors import fiscal_year_summary
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_seeds_an_idempotent_demo_budget(manager):
    manager.email = "manager@example.com"
    manager.save()
    for _ in range(12):
        factories.IdeaFactory(status="funded", owner=manager)
    demo.seed()
    counts = (Allocation.objects.count(), Spend.objects.count(), BudgetSnapshot.objects.count())
    demo.seed()
    assert (
        Allocation.objects.count(),
        Spend.objects.count(),
        BudgetSnapshot.objects.count(),
    ) == counts
    fy = FiscalYear.objects.get()
    today = timezone.localdate()
    assert fy.label == f"FY{today.year}" and fy.innovation_budget == Decimal("400000.00")
    # 70% of 400,000, split exactly.
    s = fiscal_year_summary(fy).totals
    assert s.committed == Decimal("280000.00") and s.committed_pct == Decimal("7.00")
    assert counts[0] == 12
    assert counts[2] == min(90, (today - fy.starts_on).days + 1)
    assert s.spent > 0


def test_it_tolerates_missing_ideas(db):
    demo.seed()
    assert FiscalYear.objects.count() == 1 and not Allocation.objects.exists()


def test_the_full_demo_runs(transactional_db):
    call_command("seed_demo", "--quiet-logins")
    fy = FiscalYear.objects.get()
    assert Allocation.objects.filter(fiscal_year=fy).count() >= 12
    assert fiscal_year_summary(fy).totals.committed_pct == Decimal("7.00")

from datetime import date
from decimal import Decimal

import factory
from django.db.models import F

from budgets.models import Allocation, BudgetSnapshot, FiscalYear, Spend
from tests.factories.accounts import ManagerFactory
from tests.factories.ideas import IdeaFactory

__all__ = ["AllocationFactory", "BudgetSnapshotFactory", "FiscalYearFactory", "SpendFactory"]


class FiscalYearFactory(factory.django.DjangoModelFactory):
    """A calendar fiscal year; default budget 1,000,000 at 10% → 100,000 to innovate."""

    class Meta:
        model = FiscalYear

    label = factory.Sequence(lambda n: f"FY test {n}")
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)
    marketing_budget = Decimal("1000000.00")
    innovation_target_pct = Decimal("10.00")
    currency = "EUR"


class AllocationFactory(factory.django.DjangoModelFactory):
    """A committed allocation written directly (no service, no transition): for read tests."""

    class Meta:
        model = Allocation

    fiscal_year = factory.SubFactory(FiscalYearFactory)
    idea = factory.SubFactory(IdeaFactory, status="funded")
    amount = Decimal("10000.00")
    allocated_by = factory.SubFactory(ManagerFactory)


class SpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spend

    allocation = factory.SubFactory(AllocationFactory)
    amount = Decimal("1000.00")
    spent_on = date(2026, 3, 1)
    description = "Prototype sprint"
    recorded_by = factory.SubFactory(ManagerFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Keep the allocation's maintained ``spent``, as ``services.spend_record`` does."""
        spend = super()._create(model_class, *args, **kwargs)
        Allocation.objects.filter(pk=spend.allocation_id).update(spent=F("spent") + spend.amount)
        spend.allocation.refresh_from_db(fields=["spent"])
        return spend


class BudgetSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetSnapshot

    fiscal_year = factory.SubFactory(FiscalYearFactory)
    date = date(2026, 3, 1)
    committed = Decimal("0.00")
    spent = Decimal("0.00")
    committed_new_only = Decimal("0.00")
    spent_new_only = Decimal("0.00")

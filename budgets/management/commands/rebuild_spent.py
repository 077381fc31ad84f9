"""Recompute every allocation's maintained ``spent`` from its spends."""

from django.core.management.base import BaseCommand, CommandError

from budgets.models import Allocation, FiscalYear
from budgets.services import spent_rebuild


class Command(BaseCommand):
    help = (
        "Recompute Allocation.spent (kept by the spend service) from the recorded spends; "
        "prints how many allocations differed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, help="Only this fiscal year's allocations")

    def handle(self, *args, fiscal_year: int | None = None, **options):
        fy = None
        if fiscal_year is not None:
            fy = FiscalYear.objects.filter(pk=fiscal_year).first()
            if fy is None:
                raise CommandError(f"No fiscal year with id {fiscal_year}.")
        fixed = spent_rebuild(fiscal_year=fy)
        scope = fy.label if fy else "all fiscal years"
        total = (
            Allocation.objects.filter(fiscal_year=fy).count() if fy else Allocation.objects.count()
        )
        self.stdout.write(f"{scope}: {total} allocation(s) checked, {fixed} corrected.")

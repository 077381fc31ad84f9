"""Write the daily budget snapshots of past days (idempotent: existing days are rewritten)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from budgets.models import FiscalYear
from budgets.services import snapshots_backfill


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Backfill BudgetSnapshot rows for a fiscal year between two dates (inclusive)."

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, required=True, help="Fiscal year id")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")

    def handle(self, *args, fiscal_year: int, start: str, end: str, **options):
        fy = FiscalYear.objects.filter(pk=fiscal_year).first()
        if fy is None:
            raise CommandError(f"No fiscal year with id {fiscal_year}.")
        try:
            written = snapshots_backfill(fiscal_year=fy, start=_day(start), end=_day(end))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{fy.label}: {written} snapshot(s) written.")

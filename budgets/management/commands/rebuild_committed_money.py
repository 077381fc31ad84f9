"""Rebuild the committed money per fiscal year and group from the allocations."""

from django.core.management.base import BaseCommand

from budgets.committed import committed_money_rebuild


class Command(BaseCommand):
    help = (
        "Recompute budgets_committedmoney (committed allocations summed per fiscal year, "
        "stage, campaign, innovation type, confirmation and horizon) from the allocations. On "
        "PostgreSQL triggers keep it in step; run this after a TRUNCATE of the allocations or "
        "to check it (the result equals the maintained table)."
    )

    def handle(self, *args, **options):
        rows = committed_money_rebuild()
        self.stdout.write(f"rebuilt {rows} group(s)")

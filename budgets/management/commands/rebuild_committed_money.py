"""Rebuild the committed money per fiscal year and group, and its roll-ups, from the
allocations."""

from django.core.management.base import BaseCommand

from budgets.committed import committed_money_rebuild


class Command(BaseCommand):
    help = (
        "Recompute budgets_committedmoney (committed allocations summed per fiscal year, "
        "stage, campaign, innovation type, confirmation and horizon) from the allocations, "
        "and its roll-ups over campaigns (budgets_committedbystage) and per campaign "
        "(budgets_committedbycampaign). On PostgreSQL triggers keep them in step; run this "
        "after a TRUNCATE of the allocations or to check them (the result equals the "
        "maintained tables)."
    )

    def handle(self, *args, **options):
        rows = committed_money_rebuild()
        self.stdout.write(f"rebuilt {rows} group(s)")

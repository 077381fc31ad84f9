"""Recompute the portfolio's read model (entries, cells, milestones, funnel days, experiment
days, cycle-time counts) from its sources."""

from django.core.management.base import BaseCommand
from django.db import transaction

from insights import readmodel


class Command(BaseCommand):
    help = (
        "Recompute the portfolio's read model (PortfolioEntry, PortfolioCell, IdeaMilestone, "
        "FunnelDay, ExperimentDay, CycleTimeCount; kept by triggers) from allocations, ideas, stages, "
        "realised value, transitions, experiments and fiscal years; prints how many rows differed."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            before = readmodel.snapshot()
            readmodel.rebuild()
            after = readmodel.snapshot()
        for name, rows in after.items():
            differed = len(rows ^ before[name])
            self.stdout.write(f"{name}: {len(rows)} row(s), {differed} differed")

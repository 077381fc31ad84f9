"""Rebuild the journey map's counters (published ideas per stage, campaign and status)."""

from django.core.management.base import BaseCommand

from ideas.stage_counts import stage_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute ideas_stagecount (published ideas per stage, campaign and status, with "
        "their evidence volume and latest-score sums) from the ideas. On PostgreSQL triggers "
        "keep it in step; run this after a TRUNCATE of the ideas or to check it (the result "
        "equals the maintained table)."
    )

    def handle(self, *args, **options):
        rows = stage_counts_rebuild()
        self.stdout.write(f"rebuilt {rows} counter row(s)")

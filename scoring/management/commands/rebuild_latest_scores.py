"""Recompute every idea's latest score (``ideas.LatestScore``) from the panel results."""

from django.core.management.base import BaseCommand
from django.db import transaction

from scoring.latest import latest_scores_rebuild


class Command(BaseCommand):
    help = "Recompute the latest scores (the overall of each idea's latest panel result)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these idea ids.")

    def handle(self, *args, **options):
        with transaction.atomic():
            count = latest_scores_rebuild(idea_ids=options["ids"] or None)
        self.stdout.write(f"rebuilt the latest scores: {count} row(s) written or deleted")

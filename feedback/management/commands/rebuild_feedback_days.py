"""Rebuild the journey overlay's daily roll-up from the feedback items."""

from django.core.management.base import BaseCommand

from feedback.services import feedback_days_rebuild


class Command(BaseCommand):
    help = (
        "Recompute feedback_feedbackday (placed items per stage, moment and day) from the "
        "items. On PostgreSQL triggers keep it in step; run this after a manual TRUNCATE of the "
        "items or to check it (the result equals the maintained table)."
    )

    def handle(self, *args, **options):
        rows = feedback_days_rebuild()
        self.stdout.write(f"rebuilt {rows} roll-up row(s)")

"""Recompute every idea's maintained realised-value totals from its value records."""

from django.core.management.base import BaseCommand
from django.db import transaction

from outcomes.services import idea_values_rebuild


class Command(BaseCommand):
    help = (
        "Recompute IdeaValue (each idea's realised value, kept by the value-record service) "
        "from the value records; prints how many ideas differed."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            fixed = idea_values_rebuild()
        self.stdout.write(f"realised value totals rebuilt: {fixed} idea(s) corrected.")

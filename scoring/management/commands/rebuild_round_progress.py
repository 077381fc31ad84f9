"""Recompute every round's maintained progress from its assignments."""

from django.core.management.base import BaseCommand

from scoring.progress import progress_rebuild


class Command(BaseCommand):
    help = (
        "Recompute ReviewerProgress (per round and reviewer, the assignments and how many "
        "are submitted, kept by the scoring services) from the assignments; prints how many "
        "rows differed."
    )

    def handle(self, *args, **options):
        fixed = progress_rebuild()
        self.stdout.write(f"round progress rebuilt: {fixed} row(s) corrected.")

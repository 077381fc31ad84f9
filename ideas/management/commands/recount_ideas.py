"""Recompute every idea's support, comment and evidence counters from the rows."""

from django.core.management.base import BaseCommand

from ideas.services import idea_recount


class Command(BaseCommand):
    help = (
        "Recompute supports_employees, supports_customers, comment_count, evidence_count and "
        "customers_affected from the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these idea ids.")

    def handle(self, *args, **options):
        count = idea_recount(ids=options["ids"] or None)
        self.stdout.write(f"recounted {count} idea(s)")

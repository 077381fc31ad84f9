"""``manage.py relay_outbox``: publish the pending outbox rows now (``--loop`` to keep going).

The beat task ``core.relay_outbox`` does the same every few seconds; this command is for an
operator after an outage, for deployments without beat, and for the embedded (eager) mode,
where it runs the pending tasks in process.
"""

import time

from django.core.management.base import BaseCommand

from core import outbox
from core.models import OutboxMessage


class Command(BaseCommand):
    help = "Publish the pending outbox messages to the broker."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep relaying until stopped.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes.")
        parser.add_argument("--limit", type=int, default=500, help="Rows per pass.")
        parser.add_argument(
            "--prune", action="store_true", help="Also delete rows sent more than 7 days ago."
        )

    def handle(self, *args, loop: bool, interval: float, limit: int, prune: bool, **options):
        while True:
            result = outbox.relay(limit=limit)
            pending = OutboxMessage.objects.filter(sent_at__isnull=True).count()
            state = "broker unavailable; " if result.broker_down else ""
            self.stdout.write(
                f"{state}published {result.sent}, failed {result.failed}, pending {pending}"
            )
            if prune:
                self.stdout.write(f"pruned {outbox.prune()} sent message(s)")
                prune = False
            if not loop:
                return
            time.sleep(interval)

"""Load demo data for every app, in dependency order. Safe to run again."""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Create demo users and demo content (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins."
        )

    def handle(self, *args, **options):
        # Apps are visited in INSTALLED_APPS order, which follows the dependency direction
        # (accounts <- journeys <- ideas <- feedback <- scoring <- budgets <- outcomes). Each
        # app's demo module is discovered, not imported by name, so no app reaches rightwards.
        for config in apps.get_app_configs():
            if config.name.split(".")[0] not in {
                "accounts",
                "journeys",
                "ideas",
                "feedback",
                "scoring",
                "budgets",
                "outcomes",
            }:
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(stdout=self.stdout)
            self.stdout.write(f"demo data: {config.label} ready")
        if not options["quiet_logins"]:
            self.stdout.write(
                self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            )
            for role, email in DEMO_LOGINS:
                self.stdout.write(f"  {role:<22} {email}")

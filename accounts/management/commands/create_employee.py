from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import Function


class Command(BaseCommand):
    help = "Create an employee account with a function and optional roles."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="Display name")
        parser.add_argument("--function", required=True, choices=Function.values)
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=sorted(services.ROLE_GROUPS),
            help="Repeat for several roles",
        )
        parser.add_argument(
            "--password", help="Leave out to create an account that must reset its password"
        )

    def handle(self, *args, **options):
        try:
            user = services.employee_create(
                email=options["email"],
                display_name=options["name"],
                function=options["function"],
                password=options["password"],
                roles=options["role"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        roles = ", ".join(options["role"]) or "no role"
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.email} ({user.get_function_display()}, {roles}).")
        )

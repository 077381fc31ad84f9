"""Demo people: one per role, several employees in different functions.

Idempotent: users are looked up by e-mail and only created when missing.
"""

from allauth.account.models import EmailAddress

from accounts.models import EXECUTIVES_GROUP, MANAGERS_GROUP, Kind, User, role_group

DEMO_PASSWORD = "juncture-demo"

# (email, display name, kind, function, groups)
DEMO_USERS = [
    ("admin@example.com", "Ada Admin", Kind.STAFF, "it", [], True),
    ("manager@example.com", "Maya Manager", Kind.STAFF, "marketing", [MANAGERS_GROUP], False),
    ("executive@example.com", "Eli Executive", Kind.STAFF, "finance", [EXECUTIVES_GROUP], False),
    ("employee@example.com", "Erin Employee", Kind.STAFF, "service", [], False),
    ("panelist@example.com", "Paul Panelist", Kind.STAFF, "product", [], False),
    ("sales@example.com", "Sam Sales", Kind.STAFF, "sales", [], False),
    ("it@example.com", "Ivy IT", Kind.STAFF, "it", [], False),
    ("service@example.com", "Sid Service", Kind.STAFF, "service", [], False),
    ("marketing@example.com", "Mia Marketing", Kind.STAFF, "marketing", [], False),
    ("operations@example.com", "Omar Operations", Kind.STAFF, "operations", [], False),
    ("customer@example.com", "Chloe Customer", Kind.CUSTOMER, "", [], False),
    ("customer2@example.com", "Carlos Customer", Kind.CUSTOMER, "", [], False),
    ("customer3@example.com", "Priya Customer", Kind.CUSTOMER, "", [], False),
]

# Printed by `make run`: the role each login demonstrates.
DEMO_LOGINS = [
    ("innovation manager", "manager@example.com"),
    ("executive", "executive@example.com"),
    ("panelist (product)", "panelist@example.com"),
    ("employee (service)", "employee@example.com"),
    ("customer", "customer@example.com"),
    ("admin (superuser)", "admin@example.com"),
]


def seed(stdout=None) -> dict[str, User]:
    people: dict[str, User] = {}
    for email, name, kind, function, groups, superuser in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(
                email=email,
                display_name=name,
                kind=kind,
                function=function,
                is_superuser=superuser,
                is_staff=superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        # Demo people have known addresses: verified, so opening the e-mail settings page
        # (which records the address) never puts them back behind verification.
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        for group in groups:
            user.groups.add(role_group(group))
        people[email] = user
    return people

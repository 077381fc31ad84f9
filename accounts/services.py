"""Writes that create people. Views, the API and management commands call these."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.audit import audit_record
from accounts.models import EXECUTIVES_GROUP, MANAGERS_GROUP, Function, Kind, User, role_group

ROLE_GROUPS = {"manager": MANAGERS_GROUP, "executive": EXECUTIVES_GROUP}


def _ensure_email_free(email: str) -> str:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this e-mail address already exists."})
    return email


@transaction.atomic
def customer_signup(*, email: str, display_name: str, password: str) -> User:
    """Self sign-up: always a customer, never a role."""
    email = _ensure_email_free(email)
    try:
        return User.objects.create_user(
            email=email, password=password, display_name=display_name.strip(), kind=Kind.CUSTOMER
        )
    except IntegrityError:
        # Two sign-ups with the same address at once: the unique index decides.
        raise ValidationError(
            {"email": "An account with this e-mail address already exists."}
        ) from None


@transaction.atomic
def employee_create(
    *,
    email: str,
    display_name: str,
    function: str,
    password: str | None = None,
    roles: list[str] | tuple[str, ...] = (),
    actor: User | None = None,
) -> User:
    """Create an employee with a function and optional roles (``manager``, ``executive``)."""
    if function not in Function.values:
        raise ValidationError({"function": f"Unknown function {function!r}."})
    unknown = set(roles) - set(ROLE_GROUPS)
    if unknown:
        raise ValidationError({"roles": f"Unknown role(s): {', '.join(sorted(unknown))}."})
    email = _ensure_email_free(email)
    user = User.objects.create_user(
        email=email,
        password=password,
        display_name=display_name.strip(),
        kind=Kind.STAFF,
        function=function,
    )
    for role in roles:
        user.groups.add(role_group(ROLE_GROUPS[role]))
    if roles:
        audit_record(
            actor=actor,
            action="role.change",
            target=user,
            summary=f"{user.email} created with role(s) {', '.join(sorted(roles))}",
            data={"added": sorted(ROLE_GROUPS[r] for r in roles), "removed": []},
        )
    return user

"""Writes about people and their API tokens. Views, the API, the admin and management
commands call these."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import (
    EXECUTIVES_GROUP,
    MANAGERS_GROUP,
    ApiToken,
    Function,
    Kind,
    User,
    role_group,
    token_digest,
)

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
def customer_signup_request(*, email: str, display_name: str, password: str) -> User | None:
    """Self sign-up that does not reveal who has an account: a new address gets a customer
    account (returned); a known one gets nothing but an e-mail to its owner, sent by a task
    after commit so the answer takes the same time (returns None). Callers answer both the
    same way."""
    from accounts.tasks import signup_attempt_notice_task

    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                return customer_signup(email=email, display_name=display_name, password=password)
        except ValidationError:
            # Signed up at the same moment by someone else: treat as a known address.
            existing = User.objects.filter(email__iexact=email).first()
            if existing is None:
                raise
    signup_attempt_notice_task.delay_on_commit(existing.pk)
    return None


def signup_attempt_notice_send(*, user_id: int) -> bool:
    from django.core.mail import send_mail

    from core.web import absolute_url

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    send_mail(
        "Juncture: someone tried to create an account with your e-mail address",
        "Someone (perhaps you) tried to sign up to Juncture with this e-mail address, which "
        "already has an account.\n\n"
        f"If it was you, log in: {absolute_url('/accounts/login/')}\n\n"
        "If it was not you, you can ignore this message: nothing was changed.",
        None,
        [user.email],
    )
    return True


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


# --- API tokens ----------------------------------------------------------------------------


@transaction.atomic
def token_create(*, user: User) -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns it with its key, which is never stored and
    cannot be shown again. Expires after ``API_TOKEN_TTL_DAYS`` (0: never)."""
    key = secrets.token_hex(20)
    now = timezone.now()
    ttl = settings.API_TOKEN_TTL_DAYS
    token = ApiToken.objects.create(
        user=user,
        digest=token_digest(key),
        prefix=key[:8],
        auth_hash=user.get_session_auth_hash(),
        created=now,
        expires=now + timedelta(days=ttl) if ttl > 0 else None,
    )
    audit_record(
        actor=user,
        action="token.create",
        target=token,
        summary=f"API token {token.prefix}… created for {user.email}",
        data={"expires": token.expires.isoformat() if token.expires else None},
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> None:
    """Delete one token; its owner (or a superuser) only."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied("This is someone else's token.")
    audit_record(
        actor=actor,
        action="token.revoke",
        target=token,
        summary=f"API token {token.prefix}… of {token.user.email} revoked",
    )
    token.delete()


@transaction.atomic
def tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Delete every token of ``user`` (password changed, account deactivated)."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    if count:
        audit_record(
            actor=actor,
            action="token.revoke",
            target=user,
            summary=f"{count} API token(s) of {user.email} revoked: {reason}",
            data={"count": count, "reason": reason},
        )
    return count

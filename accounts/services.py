"""Writes about people: creation, invitations, roles, deactivation, identity-provider
sync, account deletion and API tokens. Views, the API, adapters and management commands
call these."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import (
    EXECUTIVES_GROUP,
    MANAGERS_GROUP,
    MODERATORS_GROUP,
    ApiToken,
    Function,
    Kind,
    User,
    role_group,
    token_digest,
)

ROLE_GROUPS = {
    "manager": MANAGERS_GROUP,
    "executive": EXECUTIVES_GROUP,
    "moderator": MODERATORS_GROUP,
}
INVITATION_SALT = "accounts.invitation"


def _ensure_email_free(email: str) -> str:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this e-mail address already exists."})
    return email


def _check_function_and_roles(function: str, roles: Iterable[str]) -> None:
    if function not in Function.values:
        raise ValidationError({"function": f"Unknown function {function!r}."})
    unknown = set(roles) - set(ROLE_GROUPS)
    if unknown:
        raise ValidationError({"roles": f"Unknown role(s): {', '.join(sorted(unknown))}."})


def _mark_email_verified(user: User) -> None:
    """The address is proven (an invitation link reached it, or the company's IdP says so)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def user_roles(user: User) -> set[str]:
    names = set(user.groups.values_list("name", flat=True))
    return {role for role, group in ROLE_GROUPS.items() if group in names}


def _set_roles(*, user: User, roles: dict[str, bool], actor, summary: str) -> None:
    """Grant or revoke the named roles; audited when anything changed."""
    before = user_roles(user)
    after = {r for r in before if roles.get(r, True)} | {r for r, on in roles.items() if on}
    for role in after - before:
        user.groups.add(role_group(ROLE_GROUPS[role]))
    for role in before - after:
        user.groups.remove(role_group(ROLE_GROUPS[role]))
    if before != after:
        audit_record(
            actor=actor,
            action="role.change",
            target=user,
            summary=summary,
            data={
                "added": sorted(ROLE_GROUPS[r] for r in after - before),
                "removed": sorted(ROLE_GROUPS[r] for r in before - after),
            },
        )


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
    _check_function_and_roles(function, roles)
    email = _ensure_email_free(email)
    try:
        user = User.objects.create_user(
            email=email,
            password=password,
            display_name=display_name.strip(),
            kind=Kind.STAFF,
            function=function,
        )
    except IntegrityError:
        # Two creations with the same address at once: the unique index decides.
        raise ValidationError(
            {"email": "An account with this e-mail address already exists."}
        ) from None
    if roles:
        _set_roles(
            user=user,
            roles=dict.fromkeys(roles, True),
            actor=actor,
            summary=f"{user.email} created with role(s) {', '.join(sorted(roles))}",
        )
    return user


# --- Invitations -----------------------------------------------------------------------------
# An invitation is a signed, timestamped token (no table): it carries the address, function and
# roles a manager chose; it expires after INVITATION_MAX_AGE_DAYS and is spent once an account
# with that address exists.


def invitation_token(*, email: str, function: str, roles: Iterable[str], actor: User) -> str:
    return signing.dumps(
        {"email": email, "function": function, "roles": sorted(roles), "by": actor.pk},
        salt=INVITATION_SALT,
        compress=True,
    )


def invitation_read(token: str) -> dict:
    """The invitation's content; ValidationError when forged, expired or already used."""
    try:
        data = signing.loads(
            token,
            salt=INVITATION_SALT,
            max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
    except signing.SignatureExpired:
        raise ValidationError("This invitation has expired. Ask for a new one.") from None
    except signing.BadSignature:
        raise ValidationError("This invitation link is not valid.") from None
    if User.objects.filter(email__iexact=data["email"]).exists():
        raise ValidationError("This invitation has already been used. Log in instead.")
    return data


@transaction.atomic
def invitation_send(
    *, email: str, function: str, roles: Iterable[str], actor: User, accept_url: Callable
) -> str:
    """Invite an employee by e-mail. ``accept_url(token)`` builds the absolute link."""
    roles = sorted(set(roles))
    _check_function_and_roles(function, roles)
    email = _ensure_email_free(email)
    token = invitation_token(email=email, function=function, roles=roles, actor=actor)
    link = accept_url(token)
    audit_record(
        actor=actor,
        action="invitation.send",
        summary=f"Invited {email} ({function}{', ' + ', '.join(roles) if roles else ''})",
        data={"email": email, "function": function, "roles": roles},
    )
    days = settings.INVITATION_MAX_AGE_DAYS
    transaction.on_commit(
        lambda: send_mail(
            "[Juncture] You are invited to Juncture",
            f"{actor.display_name} invited you to Juncture, where we collect and review "
            f"ideas for our customers' experience.\n\nSet up your account (the link works "
            f"for {days} days):\n{link}\n",
            None,
            [email],
        )
    )
    return token


@transaction.atomic
def invitation_accept(*, token: str, display_name: str, password: str) -> User:
    data = invitation_read(token)
    actor = User.objects.filter(pk=data.get("by")).first()
    user = employee_create(
        email=data["email"],
        display_name=display_name,
        function=data["function"],
        password=password,
        roles=data["roles"],
        actor=actor,
    )
    _mark_email_verified(user)
    audit_record(
        actor=user,
        action="invitation.accept",
        target=user,
        summary=f"{user.email} accepted the invitation",
    )
    return user


# --- People admin ----------------------------------------------------------------------------


@transaction.atomic
def person_update(*, user: User, function: str, roles: Iterable[str], actor: User) -> User:
    """Set an employee's function and roles (customers have neither)."""
    roles = set(roles)
    if user.kind != Kind.STAFF:
        raise ValidationError("Customers have no function or roles.")
    _check_function_and_roles(function, roles)
    if user.function != function:
        audit_record(
            actor=actor,
            action="person.function",
            target=user,
            summary=f"Function of {user.email}: {user.function or 'none'} → {function}",
            data={"from": user.function, "to": function},
        )
        user.function = function
        user.save(update_fields=["function"])
    _set_roles(
        user=user,
        roles={role: role in roles for role in ROLE_GROUPS},
        actor=actor,
        summary=f"Roles of {user.email}: {', '.join(sorted(roles)) or 'none'}",
    )
    return user


def _end_sessions(user: User) -> int:
    """Delete the user's sessions in the database session store (the default). Sessions are
    signed blobs keyed by their own id, so finding one user's means reading the live ones;
    an inactive user is refused by the auth backend anyway, this makes it immediate."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def person_set_active(*, user: User, active: bool, actor: User) -> User:
    """Deactivate (ends sessions, deletes API tokens) or reactivate a person."""
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate yourself.")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    data = {}
    if not active:
        data["tokens"] = ApiToken.objects.filter(user=user).delete()[0]
        data["sessions"] = _end_sessions(user)
    audit_record(
        actor=actor,
        action="person.activate" if active else "person.deactivate",
        target=user,
        summary=f"{'Reactivated' if active else 'Deactivated'} {user.email}",
        data=data,
    )
    return user


# --- Identity providers ----------------------------------------------------------------------


@transaction.atomic
def sso_sync(*, user: User, provider_name: str, app_settings: dict, claims: dict) -> User:
    """Apply an identity provider's claims to a saved person on sign-in: an employee, with the
    mapped function and the mapped roles (only the roles the provider's map manages)."""
    from accounts.sso import map_claims

    mapping = map_claims(app_settings, claims)
    fields = []
    if user.kind != Kind.STAFF:
        user.kind = Kind.STAFF
        fields.append("kind")
    function = mapping.function or user.function or Function.OTHER
    if user.function != function:
        audit_record(
            actor=None,
            action="person.function",
            target=user,
            summary=f"Function of {user.email} from {provider_name}: {function}",
            data={"from": user.function, "to": function, "provider": provider_name},
        )
        user.function = function
        fields.append("function")
    if fields:
        user.save(update_fields=fields)
    if mapping.roles:
        _set_roles(
            user=user,
            roles=mapping.roles,
            actor=None,
            summary=f"Roles of {user.email} from {provider_name}: "
            f"{', '.join(r for r, on in mapping.roles.items() if on) or 'none'}",
        )
    return user


# --- Privacy ---------------------------------------------------------------------------------


def user_data_export(*, user: User) -> dict:
    """Everything Juncture holds about ``user``, as JSON-ready data."""
    from allauth.account.models import EmailAddress

    from accounts import privacy

    data = {
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "kind": user.kind,
            "function": user.function,
            "roles": sorted(user_roles(user)),
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
    }
    for name, export in sorted(privacy.exporters().items()):
        data[name] = export(user)
    audit_record(
        actor=user,
        action="privacy.export",
        target=user,
        summary=f"{user.email} downloaded their data",
    )
    return data


@transaction.atomic
def account_delete(*, user: User) -> dict:
    """Delete a person's account for good.

    The row stays (ideas, comments, assignments and the audit log point at it) but holds
    nothing personal any more: a placeholder name and an address nobody owns, no password,
    no roles, inactive. Each app's eraser runs in the same transaction (supports removed
    and their counters corrected, follows and notifications deleted). Sign-in identities,
    MFA devices, e-mail addresses, API tokens and sessions go too. Nothing keeps the old
    address, so nobody can undo it.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    from accounts import privacy

    old_email = user.email
    counts = {name: erase(user) for name, erase in sorted(privacy.erasers().items())}
    counts["tokens"] = ApiToken.objects.filter(user=user).delete()[0]
    counts["sessions"] = _end_sessions(user)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.display_name = "Deleted user"
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    audit_record(
        actor=None,
        action="privacy.delete",
        target=user,
        summary=f"Account {user.pk} deleted by its owner",
        # The old address is not kept: the audit says that it happened, not who it was.
        data={"counts": counts, "had_email_domain": old_email.rpartition("@")[2]},
    )
    return counts


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

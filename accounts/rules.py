"""Role predicates shared by every app. Roles are groups; kinds are a field.

Other apps build their permissions from these (``accounts`` is leftmost, so anyone
may import it). Group membership is cached per user object (``_group_names_cache``, the
attribute django-rules uses, which ``accounts.layout`` fills when it loads the user).
"""

import rules

from accounts.models import EXECUTIVES_GROUP, MANAGERS_GROUP, MODERATORS_GROUP, Kind


@rules.predicate
def is_customer(user) -> bool:
    return bool(user and user.is_authenticated and user.kind == Kind.CUSTOMER)


@rules.predicate
def is_employee(user) -> bool:
    return bool(user and user.is_authenticated and user.kind == Kind.STAFF)


def email_verification_pending(user) -> bool:
    """True while a self-signed-up person has not confirmed any of their addresses.

    Sign-up records the address as unverified; confirming the e-mailed link verifies it.
    People created by a manager, an invitation, an identity provider or before sign-up
    verification existed have no pending address. Cached on the user object (one query per
    request at most)."""
    cached = getattr(user, "_email_verification_pending", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        states = list(EmailAddress.objects.filter(user=user).values_list("verified", flat=True))
        cached = bool(states) and not any(states)
        user._email_verification_pending = cached
    return cached


@rules.predicate
def is_verified_or_staff(user) -> bool:
    """Employees always; customers once their e-mail address is verified."""
    if not (user and user.is_authenticated):
        return False
    return user.kind == Kind.STAFF or not email_verification_pending(user)


def member_of(group: str) -> rules.Predicate:
    """``rules.is_group_member(group)``, reading the cached group names first: django-rules'
    own predicate asks ``hasattr(user, "groups")`` on every call, which builds a related
    manager each time (a page asks a few dozen rules)."""

    @rules.predicate(f"is_group_member:{group}")
    def member(user) -> bool:
        names = getattr(user, "_group_names_cache", None)
        if names is None:
            if not hasattr(user, "groups"):
                return False
            names = user._group_names_cache = set(user.groups.values_list("name", flat=True))
        return group in names

    return member


is_manager = member_of(MANAGERS_GROUP) | rules.is_superuser
is_executive = member_of(EXECUTIVES_GROUP)
# Moderators: innovation managers, and employees given the moderator role.
is_moderator = is_manager | (is_employee & member_of(MODERATORS_GROUP))
is_signed_in = rules.is_authenticated

rules.add_perm("accounts.manage_innovation", is_manager)
rules.add_perm("accounts.view_dashboards", is_manager | is_executive)
rules.add_perm("accounts.view_audit_log", is_manager)
rules.add_perm("accounts.moderate_content", is_moderator)
rules.add_perm("accounts.manage_people", is_manager)
# Everyone manages their own account: download their data, delete it.
rules.add_perm("accounts.manage_own_account", is_signed_in)
# The style guide shows the interface's components to the people who build and review it.
rules.add_perm("accounts.view_styleguide", is_employee)


@rules.predicate
def owns_token(user, token) -> bool:
    return token is not None and token.user_id == user.pk


rules.add_perm("accounts.manage_own_tokens", is_signed_in)
rules.add_perm("accounts.revoke_token", is_signed_in & owns_token)

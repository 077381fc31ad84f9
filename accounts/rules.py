"""Role predicates shared by every app. Roles are groups; kinds are a field.

Other apps build their permissions from these (``accounts`` is leftmost, so anyone
may import it). Group membership is cached per user object by django-rules.
"""

import rules

from accounts.models import EXECUTIVES_GROUP, MANAGERS_GROUP, Kind


@rules.predicate
def is_customer(user) -> bool:
    return bool(user and user.is_authenticated and user.kind == Kind.CUSTOMER)


@rules.predicate
def is_employee(user) -> bool:
    return bool(user and user.is_authenticated and user.kind == Kind.STAFF)


is_manager = rules.is_group_member(MANAGERS_GROUP) | rules.is_superuser
is_executive = rules.is_group_member(EXECUTIVES_GROUP)
is_signed_in = rules.is_authenticated

rules.add_perm("accounts.manage_innovation", is_manager)
rules.add_perm("accounts.view_dashboards", is_manager | is_executive)
rules.add_perm("accounts.view_audit_log", is_manager)


@rules.predicate
def owns_token(user, token) -> bool:
    return token is not None and token.user_id == user.pk


rules.add_perm("accounts.manage_own_tokens", is_signed_in)
rules.add_perm("accounts.revoke_token", is_signed_in & owns_token)

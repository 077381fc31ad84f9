"""API token authentication on ``accounts.ApiToken`` (hashed keys, expiry, last use)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import router
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts import layout
from accounts.models import ApiToken, token_digest
from core.compiled import compiled

# last_used is a hint for its owner, not an audit trail: write it at most this often, so a
# busy client does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)

# Stands for the digest in the compiled lookup (a digest is 64 hex digits, never this).
_DIGEST = "juncture:token-digest-sentinel"


def _token_query(alias: str):
    """The token with its user and the user's group names, as one ``values_list`` query."""
    user_model = get_user_model()
    token_fields = [f.attname for f in ApiToken._meta.concrete_fields]
    user_fields = [f"user__{f.attname}" for f in user_model._meta.concrete_fields]
    return (
        ApiToken.objects.using(alias)
        .annotate(user_group_names=layout.group_names("user_id"))
        .filter(digest=_DIGEST)
        .order_by()
        .values_list(*token_fields, *user_fields, "user_group_names")
    )


def token_with_user(key: str) -> ApiToken | None:
    """The token of ``key`` with ``token.user`` loaded and its group names unpacked for the
    rules (``accounts.layout``), in one query compiled once per connection (compiling it
    cost more CPU than the rest of a support toggle's authentication)."""
    alias = router.db_for_read(ApiToken)
    query = compiled(alias, "accounts.token_with_user", lambda: _token_query(alias))
    rows = query.fetch(alias, {_DIGEST: token_digest(key)})
    if not rows:
        return None
    row = rows[0]
    user_model = get_user_model()
    token_names = [f.attname for f in ApiToken._meta.concrete_fields]
    user_names = [f.attname for f in user_model._meta.concrete_fields]
    split = len(token_names)
    token = ApiToken.from_db(alias, token_names, row[:split])
    user = user_model.from_db(alias, user_names, row[split : split + len(user_names)])
    layout.unpack(user, row[-1])
    token.user = user
    return token


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; refuses expired tokens, tokens of inactive accounts
    and tokens minted before the account's password last changed (deleting those)."""

    model = ApiToken

    def authenticate_credentials(self, key: str):
        # The user's group names ride along (the role rules read them; accounts.layout).
        token = token_with_user(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user = token.user
        now = timezone.now()
        if not user.is_active or not constant_time_compare(
            token.auth_hash, user.get_session_auth_hash()
        ):
            token.delete()
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed("This token has expired.")
        if token.last_used is None or token.last_used < now - LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return user, token

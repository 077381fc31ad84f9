"""API token authentication on ``accounts.ApiToken`` (hashed keys, expiry, last use)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts import layout
from accounts.models import ApiToken, token_digest

# last_used is a hint for its owner, not an audit trail: write it at most this often, so a
# busy client does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; refuses expired tokens, tokens of inactive accounts
    and tokens minted before the account's password last changed (deleting those)."""

    model = ApiToken

    def authenticate_credentials(self, key: str):
        # The user's group names ride along (the role rules read them; accounts.layout).
        token = (
            ApiToken.objects.select_related("user")
            .annotate(user_group_names=layout.group_names("user_id"))
            .filter(digest=token_digest(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user = token.user
        layout.unpack(user, token.user_group_names)
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

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from accounts.throttle import CACHE_ERRORS, cache_down


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class AuthThrottle(SimpleRateThrottle):
    scope = "auth"

    def allow_request(self, request, view) -> bool:
        # Fails closed: with the cache holding the counts down, no token is handed out.
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            cache_down("auth", exc, fail_closed=True)
            self.history = []  # for wait(), which DRF asks next
            return False

    def get_cache_key(self, request, view):
        # Throttle by client address, whether or not the caller is signed in.
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@extend_schema(
    request=TokenRequestSerializer,
    responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    summary="Exchange an e-mail and password for an API token",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([AuthThrottle])
def obtain_token(request: Request) -> Response:
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(
        request._request,
        username=serializer.validated_data["email"].lower(),
        password=serializer.validated_data["password"],
    )
    if user is None or not user.is_active:
        return Response(
            {"non_field_errors": ["That e-mail and password do not match an account."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    token, _ = Token.objects.get_or_create(user=user)
    return Response({"token": token.key})

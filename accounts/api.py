"""API authentication: exchange an e-mail and password for a token; list and revoke one's
own tokens. The token endpoint shares the HTML login's failure counters (per client address
and per e-mail), so a locked account gets 429 from both doors."""

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import SimpleRateThrottle

from accounts import services
from accounts.audit import audit_record
from accounts.models import ApiToken
from accounts.throttle import (
    CACHE_ERRORS,
    Ratelimited,
    cache_down,
    login_failure_limited,
    record_login_failure,
)
from core.drf import RulesPermission
from core.web import client_ip


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "created", "expires", "last_used"]


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
        # Throttle by client address (the trusted-proxy rule of core.web.client_ip), whether
        # or not the caller is signed in.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        200: inline_serializer(
            "TokenResponse",
            {
                "token": serializers.CharField(),
                "id": serializers.IntegerField(),
                "expires": serializers.DateTimeField(allow_null=True),
            },
        )
    },
    summary="Exchange an e-mail and password for a new API token (shown once)",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([AuthThrottle])
def obtain_token(request: Request) -> Response:
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    email = serializer.validated_data["email"].lower()
    if login_failure_limited(request._request, email):
        raise Ratelimited()
    user = authenticate(
        request._request, username=email, password=serializer.validated_data["password"]
    )
    if user is None or not user.is_active:
        record_login_failure(request._request, email)
        audit_record(
            actor=None,
            action="login.failed",
            summary=f"Failed API token request for {email} from {client_ip(request._request)}",
            data={"email": email, "ip": client_ip(request._request), "door": "api"},
        )
        return Response(
            {"non_field_errors": ["That e-mail and password do not match an account."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    token, key = services.token_create(user=user)
    return Response({"token": key, "id": token.pk, "expires": token.expires})


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own tokens (keys are never shown again); another user's token is a 404."""

    lookup_value_regex = r"\d+"
    serializer_class = ApiTokenSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"list": "accounts.manage_own_tokens", "destroy": "accounts.revoke_token"}
    queryset = ApiToken.objects.none()  # for the schema; the real one is per caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).select_related("user")

    def get_object(self):
        token = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, token)
        return token

    def perform_destroy(self, instance):
        services.token_revoke(token=instance, actor=self.request.user)


router = SimpleRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="token")
api_urlpatterns = router.urls

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect

from accounts.services import ROLE_GROUPS


class RequireMFAMiddleware:
    """With ``REQUIRE_MFA_FOR_ROLES`` set, a member of one of those roles who has not set up
    a second factor is sent to the two-factor page before anything else (the account and
    two-factor pages themselves stay reachable, so they can set it up or log out).

    Sign-in then asks for the second factor through allauth's own login stage. API calls
    with a session get 403; token-authenticated calls are not seen here (DRF authenticates
    them in the view) and keep working.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        roles = settings.REQUIRE_MFA_FOR_ROLES
        user = getattr(request, "user", None)
        if not roles or user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        name = (match.url_name or "") if match else ""
        if name.startswith(("account_", "mfa_")) or request.path.startswith(settings.STATIC_URL):
            return None
        groups = {ROLE_GROUPS[r] for r in roles}
        # The group names loaded with the signed-in user (accounts.layout), else a query.
        names = getattr(user, "_group_names_cache", None)
        if names is None:
            if not user.groups.filter(name__in=groups).exists():
                return None
        elif not groups & names:
            return None
        from allauth.mfa.utils import is_mfa_enabled

        if is_mfa_enabled(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Set up two-factor authentication first.", "code": "mfa_required"},
                status=403,
            )
        messages.warning(
            request,
            "Your role requires two-factor authentication. Set up an authenticator app "
            "(or a security key) to continue.",
        )
        return redirect("mfa_index")


class SSOFormActionMiddleware:
    """Lets the sign-in pages' forms lead to the company identity providers.

    "Continue with <provider>" posts to Juncture, which redirects to the provider; browsers
    apply the page's CSP ``form-action`` to that redirect too, so the providers' origins are
    added to it on the pages that start a sign-in (every other page keeps ``'self'``). Listed
    after Django's CSP middleware so this runs first on the way out.
    """

    # The pages whose forms start a sign-in at a provider.
    PAGES = {
        "account_login",
        "accounts:sso_route",
        "openid_connect_login",
        "saml_login",
        "socialaccount_connections",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        match = request.resolver_match
        if response.status_code != 200 or match is None or match.view_name not in self.PAGES:
            # Error pages (a database outage's 503 among them) start no sign-in.
            return response
        from accounts.sso import provider_origins

        origins = provider_origins(request)
        if origins:
            config = dict(getattr(response, "_csp_config", settings.SECURE_CSP))
            config["form-action"] = [*config.get("form-action", []), *sorted(origins)]
            response._csp_config = config
        return response

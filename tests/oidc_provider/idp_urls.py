"""URLs, the sign-in form and the claims of the test OpenID Connect provider (serve.py)."""

import json
import os

from django.contrib.auth import authenticate, login
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_validators import OAuth2Validator


@csrf_exempt
def login_view(request):
    """A bare sign-in form (no CSRF: a test provider, reached only from the test)."""
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST":
        user = authenticate(
            request, username=request.POST.get("username"), password=request.POST.get("password")
        )
        if user is not None:
            login(request, user)
            return HttpResponseRedirect(next_url)
        return HttpResponse("Wrong username or password", status=401)
    return HttpResponse(
        '<form method="post"><input name="username"><input name="password" type="password">'
        f'<input type="hidden" name="next" value="{next_url}"><button>Sign in</button></form>'
    )


class Validator(OAuth2Validator):
    # Every claim below is released whatever the scope (a test provider).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        extra = next(
            (
                p.get("claims", {})
                for p in json.loads(os.environ["OIDC_TEST_USERS"])
                if p["username"] == user.username
            ),
            {},
        )
        return {
            "email": user.email,
            "email_verified": True,
            "name": user.first_name,
            **extra,
        }


urlpatterns = [
    path("login/", login_view),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]

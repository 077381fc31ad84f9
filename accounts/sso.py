"""Enterprise sign-in: which identity provider serves an e-mail domain, and what an
identity provider's claims say about a person.

Providers are django-allauth SocialApps (OpenID Connect or SAML), from ``SSO_PROVIDERS``
or the admin. Juncture's own keys live in each app's ``settings``:

- ``domains``: e-mail domains whose people sign in there (the login page offers the button);
- ``local_passwords``: ``false`` switches passwords off for those domains (sign-in, reset,
  sign-up and the API token endpoint all refuse them);
- ``function_claim`` + ``function_map`` (+ ``default_function``): the claim that names a
  person's function and how its values map onto Juncture's functions;
- ``groups_claim`` + ``role_map``: the claim listing groups and which group grants the
  ``manager``, ``executive`` or ``moderator`` role. Only roles named in the map are managed by
  the IdP.
"""

from __future__ import annotations

from dataclasses import dataclass

SSO_PROVIDERS = ("openid_connect", "saml")


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def sso_apps(request=None) -> list:
    """Every configured OIDC/SAML app (settings and database)."""
    from allauth.socialaccount.adapter import get_adapter

    return [app for app in get_adapter(request).list_apps(request) if app.provider in SSO_PROVIDERS]


def app_domains(app) -> set[str]:
    return {d.strip().lower() for d in (app.settings or {}).get("domains", []) if d.strip()}


@dataclass(frozen=True)
class Route:
    """Where a person with this e-mail signs in."""

    email: str
    app: object
    name: str
    login_url: str
    passwords_allowed: bool


def routes_for(email: str, request=None) -> list[Route]:
    domain = email_domain(email or "")
    if not domain:
        return []
    routes = []
    for app in sso_apps(request):
        if domain in app_domains(app):
            provider = app.get_provider(request)
            routes.append(
                Route(
                    email=email,
                    app=app,
                    name=app.name or provider.name,
                    login_url=provider.get_login_url(request),
                    passwords_allowed=(app.settings or {}).get("local_passwords", True)
                    is not False,
                )
            )
    return routes


def sso_only_route(email: str, request=None) -> Route | None:
    """The provider that has switched local passwords off for this e-mail's domain."""
    return next((r for r in routes_for(email, request) if not r.passwords_allowed), None)


def claims_of(sociallogin) -> dict:
    """The identity's claims: OIDC's ID token overlaid by userinfo; SAML's attributes."""
    data = sociallogin.account.extra_data or {}
    if "userinfo" in data or "id_token" in data:
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return dict(data)


def _values(claim) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, list | tuple):
        return [str(v) for v in claim]
    return [str(claim)]


@dataclass(frozen=True)
class Mapping:
    function: str | None  # None: leave the person's function as it is
    roles: dict[str, bool]  # role -> granted, for the roles the IdP manages


def map_claims(app_settings: dict, claims: dict) -> Mapping:
    from accounts.models import Function

    function = None
    function_claim = app_settings.get("function_claim")
    if function_claim:
        table = {str(k).lower(): v for k, v in (app_settings.get("function_map") or {}).items()}
        for value in _values(claims.get(function_claim)):
            candidate = table.get(value.lower(), value.lower())
            if candidate in Function.values:
                function = candidate
                break
    if function is None and app_settings.get("default_function") in Function.values:
        function = app_settings["default_function"]
    role_map = app_settings.get("role_map") or {}
    managed = {role for role in role_map.values() if role in ("manager", "executive", "moderator")}
    groups = set(_values(claims.get(app_settings.get("groups_claim") or "groups")))
    granted = {role_map[g] for g in groups if g in role_map}
    return Mapping(function=function, roles={role: role in granted for role in sorted(managed)})


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def provider_origins(request=None) -> set[str]:
    """Where sign-in forms may send the browser: each provider's issuer (OIDC) or single
    sign-on / metadata host (SAML)."""
    origins = set()
    for app in sso_apps(request):
        settings_ = app.settings or {}
        idp = settings_.get("idp") or {}
        for url in (settings_.get("server_url"), idp.get("sso_url"), idp.get("metadata_url")):
            if origin := _origin(url):
                origins.add(origin)
    return origins

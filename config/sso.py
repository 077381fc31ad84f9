"""Identity providers from the environment (``SSO_PROVIDERS``), turned into django-allauth's
``SOCIALACCOUNT_PROVIDERS``. Imported by settings, so it imports no app code.

Each entry is an object; the keys allauth needs go to the app, Juncture's own keys
(``domains``, ``local_passwords``, the claim mapping) ride along in the app's ``settings``,
exactly where an admin puts them on a SocialApp, so both sources are read the same way.
"""

from django.core.exceptions import ImproperlyConfigured

# Keys read by accounts.sso (documented in README and docs/deployment.md).
JUNCTURE_KEYS = (
    "domains",
    "local_passwords",
    "function_claim",
    "function_map",
    "default_function",
    "groups_claim",
    "role_map",
)
_PROTOCOLS = {"oidc": "openid_connect", "saml": "saml"}


def _require(entry: dict, key: str, where: str):
    if not entry.get(key):
        raise ImproperlyConfigured(f"SSO_PROVIDERS: {where} needs {key!r}")
    return entry[key]


def socialaccount_providers(entries: list | None) -> dict:
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ImproperlyConfigured("SSO_PROVIDERS must be a JSON list of provider objects")
    providers: dict = {
        "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []},
        "saml": {"APPS": []},
    }
    for n, entry in enumerate(entries):
        where = f"entry {n}"
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"SSO_PROVIDERS: {where} is not an object")
        protocol = entry.get("protocol", "oidc")
        if protocol not in _PROTOCOLS:
            raise ImproperlyConfigured(f"SSO_PROVIDERS: {where} has protocol {protocol!r}")
        provider_id = _require(entry, "id", where)
        own = {key: entry[key] for key in JUNCTURE_KEYS if key in entry}
        if not isinstance(own.get("domains", []), list):
            raise ImproperlyConfigured(f"SSO_PROVIDERS: {where} 'domains' must be a list")
        if protocol == "oidc":
            app = {
                "provider_id": provider_id,
                "name": entry.get("name") or provider_id,
                "client_id": _require(entry, "client_id", where),
                "secret": entry.get("secret", ""),
                "settings": {
                    "server_url": _require(entry, "server_url", where),
                    **{k: entry[k] for k in ("scope", "token_auth_method") if k in entry},
                    **own,
                },
            }
        else:
            # allauth names a SAML app by its organization slug (client_id) in the URLs.
            app = {
                "provider_id": provider_id,
                "name": entry.get("name") or provider_id,
                "client_id": provider_id,
                "settings": {
                    "idp": _require(entry, "idp", where),
                    **{k: entry[k] for k in ("sp", "attribute_mapping", "advanced") if k in entry},
                    **own,
                },
            }
        providers[_PROTOCOLS[protocol]]["APPS"].append(app)
    return providers

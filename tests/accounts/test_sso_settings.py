import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_json
from config.sso import socialaccount_providers


def test_it_turns_entries_into_allauth_apps_with_juncture_keys_in_settings():
    providers = socialaccount_providers(
        [
            {
                "id": "bank",
                "name": "Bank SSO",
                "server_url": "https://sso.bank.example/realms/staff",
                "client_id": "juncture",
                "secret": "s",
                "domains": ["bank.example"],
                "local_passwords": False,
                "role_map": {"mgrs": "manager"},
            },
            {
                "protocol": "saml",
                "id": "bank-saml",
                "idp": {"metadata_url": "https://idp.example/metadata"},
                "domains": ["bank2.example"],
            },
        ]
    )
    (oidc,) = providers["openid_connect"]["APPS"]
    assert oidc["provider_id"] == "bank" and oidc["client_id"] == "juncture"
    assert oidc["settings"]["server_url"] == "https://sso.bank.example/realms/staff"
    assert oidc["settings"]["local_passwords"] is False
    assert oidc["settings"]["role_map"] == {"mgrs": "manager"}
    (saml,) = providers["saml"]["APPS"]
    assert saml["client_id"] == "bank-saml"  # the organization slug in the SAML URLs
    assert saml["settings"]["idp"] == {"metadata_url": "https://idp.example/metadata"}


@pytest.mark.parametrize(
    "entries, message",
    [
        ({"id": "x"}, "JSON list"),
        ([{"id": "x", "protocol": "ldap"}], "protocol"),
        ([{"id": "x", "server_url": "https://x"}], "client_id"),
        ([{"protocol": "saml", "id": "x"}], "idp"),
        ([{"id": "x", "client_id": "c", "server_url": "u", "domains": "a.example"}], "domains"),
    ],
)
def test_it_refuses_a_bad_entry_by_name(entries, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        socialaccount_providers(entries)


def test_bad_json_stops_with_the_variables_name(monkeypatch):
    monkeypatch.setenv("SSO_PROVIDERS", "[{not json")
    with pytest.raises(ImproperlyConfigured, match="SSO_PROVIDERS must be valid JSON"):
        env_json("SSO_PROVIDERS", [])

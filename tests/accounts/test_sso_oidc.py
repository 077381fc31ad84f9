"""Sign-in through a real OpenID Connect provider (django-oauth-toolkit in its own process):
just-in-time provisioning as an employee, the claim mapping on every login, routing by
e-mail domain, and passwords switched off for the provider's domain.

Juncture is driven with Django's test client; the provider is a real HTTP server, reached
by the test (as the browser) and by Juncture itself (token, keys and userinfo requests)."""

from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.urls import reverse

from accounts.models import AuditEvent, User
from tests import factories
from tests.oidc_provider.process import oidc_provider_process

CALLBACK = "http://testserver/accounts/oidc/bank/login/callback/"
USERS = [
    {
        "username": "alice",
        "password": "alice-pass-1",
        "email": "Alice@bank.example",
        "name": "Alice Anders",
        "claims": {"groups": ["juncture-managers", "staff"], "department": "Marketing"},
    },
    {
        "username": "bob",
        "password": "bob-pass-1",
        "email": "bob@bank.example",
        "name": "Bob Berg",
        "claims": {"groups": ["staff"], "department": "Sales"},
    },
]


@pytest.fixture(scope="module")
def oidc_provider():
    with oidc_provider_process(redirect_uris=[CALLBACK], users=USERS) as provider:
        yield provider


@pytest.fixture
def bank_sso(db, oidc_provider):
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="bank",
        name="Bank SSO",
        client_id=oidc_provider.client_id,
        secret=oidc_provider.client_secret,
        settings={
            "server_url": f"{oidc_provider.url}/o",
            "domains": ["bank.example"],
            "local_passwords": False,
            "function_claim": "department",
            "function_map": {"Marketing": "marketing", "Sales": "sales"},
            "groups_claim": "groups",
            "role_map": {"juncture-managers": "manager", "juncture-executives": "executive"},
        },
    )


def sso_sign_in(client, idp, username: str, password: str):
    """What a browser does: start at Juncture, sign in at the provider, come back."""
    start = client.post(reverse("openid_connect_login", args=["bank"]))
    assert start.status_code == 302 and start["Location"].startswith(idp.url)
    browser = requests.Session()
    to_login = browser.get(start["Location"], allow_redirects=False, timeout=10)
    assert to_login.status_code == 302, to_login.text[:500]
    signed_in = browser.post(
        urljoin(idp.url, to_login.headers["Location"]),
        data={"username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    back = browser.get(
        urljoin(idp.url, signed_in.headers["Location"]), allow_redirects=False, timeout=10
    )
    callback = back.headers["Location"]
    assert callback.startswith(CALLBACK), callback
    assert "code" in parse_qs(urlparse(callback).query)
    return client.get(callback.removeprefix("http://testserver"))


@pytest.mark.django_db
def test_it_provisions_an_employee_with_mapped_function_and_role(client, oidc_provider, bank_sso):
    response = sso_sign_in(client, oidc_provider, "alice", "alice-pass-1")
    assert response.status_code == 302, response.content.decode()[:1000]
    alice = User.objects.get(email="alice@bank.example")
    assert client.get("/").context["user"] == alice
    assert (alice.kind, alice.function, alice.display_name) == (
        "staff",
        "marketing",
        "Alice Anders",
    )
    assert alice.has_perm("accounts.manage_innovation")
    assert EmailAddress.objects.get(user=alice).verified
    assert SocialAccount.objects.get(user=alice).provider == "bank"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"person.provision", "role.change", "login"} <= actions


@pytest.mark.django_db
def test_it_applies_the_mapping_to_an_existing_person_on_each_login(
    client, oidc_provider, bank_sso
):
    bob = factories.ExecutiveFactory(email="bob@bank.example", function="it")
    factories.ManagerFactory(email="someone.else@bank.example")
    bob.groups.add(*User.objects.get(email="someone.else@bank.example").groups.all())
    response = sso_sign_in(client, oidc_provider, "bob", "bob-pass-1")
    assert response.status_code == 302, response.content.decode()[:1000]
    bob = User.objects.get(pk=bob.pk)
    assert client.get("/").context["user"] == bob
    # Sales from the department claim; the manager role is managed by the map and bob is not
    # in its group; the executive role is mapped from a group he is not in either.
    assert bob.function == "sales"
    assert not bob.groups.exists()
    assert User.objects.filter(email="bob@bank.example").count() == 1


@pytest.mark.django_db
def test_the_login_page_routes_the_domain_to_its_provider(client, bank_sso):
    response = client.get(reverse("accounts:sso_route"), {"email": "carol@Bank.example"})
    html = response.content.decode()
    assert "Continue with Bank SSO" in html
    assert reverse("openid_connect_login", args=["bank"]) in html
    other = client.get(reverse("accounts:sso_route"), {"email": "dan@elsewhere.example"})
    assert "Continue with" not in other.content.decode()
    partial = client.get(
        reverse("accounts:sso_route"),
        {"login": "carol@bank.example"},
        headers={"HX-Request": "true", "HX-Target": "sso-route"},
    )
    assert partial.content.decode().lstrip().startswith('<div id="sso-route"')


@pytest.mark.django_db
def test_passwords_are_off_for_the_providers_domain(client, api, bank_sso, mailoutbox):
    carol = factories.EmployeeFactory(email="carol@bank.example")
    response = client.post(
        reverse("account_login"), {"login": carol.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "sign in with Bank SSO" in html and "Continue with Bank SSO" in html
    assert not response.context["user"].is_authenticated
    # Nor a reset link, a sign-up, or an API token.
    client.post(reverse("account_reset_password"), {"email": carol.email})
    assert not [m for m in mailoutbox if "/password/reset/key/" in m.body]
    signup = client.post(
        reverse("account_signup"),
        {
            "email": "new@bank.example",
            "display_name": "New",
            "password1": "a-long-unusual-pass",
            "password2": "a-long-unusual-pass",
        },
    )
    assert "sign in with Bank SSO" in signup.content.decode()
    token = api.post(
        "/api/v1/auth/token/",
        {"email": carol.email, "password": factories.PASSWORD},
        format="json",
    )
    assert token.status_code == 400


@pytest.mark.django_db
def test_sign_in_pages_may_send_forms_to_the_provider_and_no_other_page(client, bank_sso):
    login_csp = client.get(reverse("account_login"))["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:" in login_csp
    home_csp = client.get(reverse("home"))["Content-Security-Policy"]
    assert "form-action 'self';" in home_csp + ";"
    assert "127.0.0.1" not in home_csp

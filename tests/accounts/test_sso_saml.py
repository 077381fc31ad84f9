"""SAML 2.0 sign-in: a Response signed by the identity provider's key is accepted and
provisions an employee with the mapped function and role; the same Response altered after
signing is refused."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.saml_idp import (
    IDP_ENTITY_ID,
    IDP_SSO_URL,
    SAML_TEST_CERT,
    authn_request_id,
    signed_response,
    tamper,
)

pytestmark = pytest.mark.django_db

ORG = "bank-saml"
BASE = "http://testserver"


@pytest.fixture
def browser():
    # A browser always sends Host; python3-saml builds the service provider's URLs from it.
    return Client(HTTP_HOST="testserver")


@pytest.fixture
def bank_saml():
    return SocialApp.objects.create(
        provider="saml",
        provider_id=ORG,
        name="Bank SAML",
        client_id=ORG,
        settings={
            "idp": {"entity_id": IDP_ENTITY_ID, "sso_url": IDP_SSO_URL, "x509cert": SAML_TEST_CERT},
            "attribute_mapping": {
                "uid": "uid",
                "email": "email",
                "first_name": "givenName",
                "last_name": "sn",
            },
            # "testserver" has no dot; real deployments have real host names.
            "advanced": {"allow_single_label_domains": True},
            "domains": ["bank.example"],
            "function_claim": "department",
            "function_map": {"Customer Service": "service"},
            "groups_claim": "groups",
            "role_map": {"Juncture Executives": "executive"},
        },
    )


def start(browser) -> str:
    response = browser.post(reverse("saml_login", args=[ORG]))
    assert response.status_code == 302 and response["Location"].startswith(IDP_SSO_URL)
    return authn_request_id(response["Location"])


def idp_response(request_id: str) -> str:
    return signed_response(
        acs_url=f"{BASE}{reverse('saml_acs', args=[ORG])}",
        audience=f"{BASE}{reverse('saml_metadata', args=[ORG])}",
        in_response_to=request_id,
        name_id="dana@bank.example",
        attributes={
            "uid": ["dana-42"],
            "email": ["dana@bank.example"],
            "givenName": ["Dana"],
            "sn": ["Diaz"],
            "department": ["Customer Service"],
            "groups": ["Everyone", "Juncture Executives"],
        },
    )


def post_to_acs(browser, saml_response: str):
    acs = browser.post(reverse("saml_acs", args=[ORG]), {"SAMLResponse": saml_response})
    assert acs.status_code == 302
    return browser.get(acs["Location"])


def test_a_signed_response_signs_in_and_provisions_an_employee(browser, bank_saml):
    response = post_to_acs(browser, idp_response(start(browser)))
    assert response.status_code == 302, response.content.decode()[:2000]
    dana = User.objects.get(email="dana@bank.example")
    assert (dana.kind, dana.function, dana.display_name) == ("staff", "service", "Dana Diaz")
    assert dana.has_perm("accounts.view_dashboards")
    assert browser.get("/").context["user"] == dana


def test_a_response_altered_after_signing_is_refused(browser, bank_saml):
    forged = tamper(idp_response(start(browser)), "dana@bank.example", "mallory@bank.example")
    response = post_to_acs(browser, forged)
    assert response.status_code == 401
    assert not User.objects.exists()
    assert not browser.get("/").context["user"].is_authenticated


def test_an_unsolicited_response_is_refused(browser, bank_saml):
    # IdP-initiated sign-in (no request of ours to answer) is refused by default.
    response = post_to_acs(browser, idp_response("_not-our-request"))
    assert response.status_code in (401, 403)
    assert not User.objects.exists()

"""SAML 2.0 sign-in: a Response signed by the identity provider's key is accepted and
provisions an employee with the mapped function and role; the same Response altered after
signing, signed by another key, or answering no request of ours is refused. The identity
provider is played twice: by a Response signed with python3-saml's helper, and by pysaml2."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.pysaml2_idp import XMLSEC1, PySaml2IdP
from tests.accounts.saml_idp import (
    IDP_ENTITY_ID,
    IDP_SSO_URL,
    SAML_TEST_CERT,
    authn_request_id,
    key_and_cert,
    signed_response,
    tamper,
)
from tests.services import require

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


# The same sign-in, answered by pysaml2: a second, independent SAML implementation on the
# identity provider's side.


def require_xmlsec1() -> None:
    require(
        "xmlsec1", bool(XMLSEC1), "pysaml2 signs with the xmlsec1 binary (apt-get install xmlsec1)"
    )


@pytest.fixture
def pysaml2_idp(browser, bank_saml):
    require(
        "xmlsec1", bool(XMLSEC1), "pysaml2 signs with the xmlsec1 binary (apt-get install xmlsec1)"
    )
    # pysaml2 names the standard attributes by their URNs (as Shibboleth-style IdPs do):
    # the provider's attribute mapping is configured for them, as an admin would.
    mace = "urn:mace:dir:attribute-def:"
    bank_saml.settings["attribute_mapping"] = {
        field: mace + claim
        for field, claim in (
            ("uid", "uid"),
            ("email", "email"),
            ("first_name", "givenName"),
            ("last_name", "sn"),
        )
    }
    bank_saml.save()
    metadata = browser.get(reverse("saml_metadata", args=[ORG])).content.decode()
    idp = PySaml2IdP(metadata)
    yield idp
    idp.close()


DANA = {
    "uid": ["dana-42"],
    "email": ["dana@bank.example"],
    "givenName": ["Dana"],
    "sn": ["Diaz"],
    "department": ["Customer Service"],
    "groups": ["Everyone", "Juncture Executives"],
}


def sp_redirect(browser) -> str:
    response = browser.post(reverse("saml_login", args=[ORG]))
    assert response.status_code == 302
    return response["Location"]


def test_a_response_signed_by_pysaml2_signs_in(browser, pysaml2_idp):
    answer = pysaml2_idp.answer(sp_redirect(browser), email="dana@bank.example", attributes=DANA)
    response = post_to_acs(browser, answer)
    assert response.status_code == 302
    dana = User.objects.get(email="dana@bank.example")
    assert (dana.kind, dana.function, dana.display_name) == ("staff", "service", "Dana Diaz")
    assert dana.has_perm("accounts.view_dashboards")
    assert browser.get("/").context["user"] == dana


def test_a_pysaml2_response_altered_after_signing_is_refused(browser, pysaml2_idp):
    answer = pysaml2_idp.answer(sp_redirect(browser), email="dana@bank.example", attributes=DANA)
    forged = tamper(answer, "Juncture Executives", "Juncture Admins!!!")
    response = post_to_acs(browser, forged)
    assert response.status_code == 401
    assert not User.objects.exists()


def test_a_response_signed_by_another_key_is_refused(browser, bank_saml):
    require(
        "xmlsec1", bool(XMLSEC1), "pysaml2 signs with the xmlsec1 binary (apt-get install xmlsec1)"
    )
    metadata = browser.get(reverse("saml_metadata", args=[ORG])).content.decode()
    key, cert = key_and_cert()  # not the certificate the service provider trusts
    impostor = PySaml2IdP(metadata, key=key, cert=cert)
    try:
        answer = impostor.answer(sp_redirect(browser), email="dana@bank.example", attributes=DANA)
    finally:
        impostor.close()
    assert post_to_acs(browser, answer).status_code == 401
    assert not User.objects.exists()

"""A minimal SAML 2.0 identity provider for tests: a fresh RSA key and self-signed
certificate, and Responses signed with xmlsec (python3-saml's signing helper, the same
library the service provider verifies with, but a real XML-DSig signature all the same)."""

from __future__ import annotations

import base64
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils


def key_and_cert() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


SAML_TEST_KEY, SAML_TEST_CERT = key_and_cert()
IDP_ENTITY_ID = "https://idp.bank.example/saml"
IDP_SSO_URL = "https://idp.bank.example/saml/sso"


def authn_request_id(redirect_url: str) -> str:
    """The ID of the AuthnRequest the service provider put in its redirect to us."""
    from urllib.parse import parse_qs, urlparse

    encoded = parse_qs(urlparse(redirect_url).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(encoded), -15)
    return etree.fromstring(xml).get("ID")


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_response(
    *,
    acs_url: str,
    audience: str,
    in_response_to: str,
    name_id: str,
    attributes: dict[str, list[str]],
) -> str:
    """A base64 SAMLResponse (as the browser would post it), signed by the IdP's key."""
    now = datetime.now(UTC)
    attrs = "".join(
        f'<saml:Attribute Name="{escape(name)}">'
        + "".join(f"<saml:AttributeValue>{escape(v)}</saml:AttributeValue>" for v in values)
        + "</saml:Attribute>"
        for name, values in attributes.items()
    )
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{uuid.uuid4().hex}" Version="2.0"
 IssueInstant="{_ts(now)}" Destination="{acs_url}" InResponseTo="{in_response_to}">
 <saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{_ts(now)}">
  <saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>
  <saml:Subject>
   <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{escape(name_id)}</saml:NameID>
   <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
    <saml:SubjectConfirmationData NotOnOrAfter="{_ts(now + timedelta(minutes=5))}"
      Recipient="{acs_url}" InResponseTo="{in_response_to}"/>
   </saml:SubjectConfirmation>
  </saml:Subject>
  <saml:Conditions NotBefore="{_ts(now - timedelta(minutes=1))}" NotOnOrAfter="{_ts(now + timedelta(minutes=5))}">
   <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
  </saml:Conditions>
  <saml:AuthnStatement AuthnInstant="{_ts(now)}" SessionIndex="_{uuid.uuid4().hex}">
   <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
  </saml:AuthnStatement>
  <saml:AttributeStatement>{attrs}</saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>"""
    signed = OneLogin_Saml2_Utils.add_sign(xml, SAML_TEST_KEY, SAML_TEST_CERT)
    if isinstance(signed, str):
        signed = signed.encode()
    return base64.b64encode(signed).decode()


def tamper(saml_response: str, old: str, new: str) -> str:
    """The same signed response with one value changed after signing."""
    xml = base64.b64decode(saml_response).decode()
    assert old in xml
    return base64.b64encode(xml.replace(old, new).encode()).decode()

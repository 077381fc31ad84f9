"""A SAML 2.0 identity provider built on pysaml2, an IdP library independent of the
service provider's (python3-saml): it reads the service provider's real metadata and
AuthnRequest, and answers with a Response and Assertion signed through the xmlsec1 binary.
If the two libraries disagree about canonicalisation, signatures or the protocol, the
sign-in test fails, which a Response signed by the service provider's own library could hide.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tests.accounts.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, SAML_TEST_CERT, SAML_TEST_KEY

XMLSEC1 = shutil.which("xmlsec1")


class PySaml2IdP:
    """One identity provider for one service provider (given by its metadata XML)."""

    def __init__(
        self, sp_metadata: str, *, key: str = SAML_TEST_KEY, cert: str = SAML_TEST_CERT
    ) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="juncture-pysaml2-"))
        (self._dir / "idp.key").write_text(key)
        (self._dir / "idp.crt").write_text(cert)
        config = IdPConfig()
        config.load(
            {
                "entityid": IDP_ENTITY_ID,
                "xmlsec_binary": XMLSEC1,
                "key_file": str(self._dir / "idp.key"),
                "cert_file": str(self._dir / "idp.crt"),
                "metadata": {"inline": [sp_metadata]},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(IDP_SSO_URL, BINDING_HTTP_REDIRECT)]
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        # Attribute names go out as given (no OID mapping), as most
                        # enterprise IdPs are configured for "basic" attribute names.
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "name_form": NAME_FORMAT_BASIC,
                            }
                        },
                    }
                },
            }
        )
        self.server = Server(config=config)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def answer(self, redirect_url: str, *, email: str, attributes: dict[str, list[str]]) -> str:
        """Read the AuthnRequest the service provider redirected the browser with, and
        return the base64 SAMLResponse the browser would post back, signed by the IdP."""
        saml_request = parse_qs(urlparse(redirect_url).query)["SAMLRequest"][0]
        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        sp_entity_id = request.issuer.text
        _binding, acs_url = self.server.pick_binding(
            "assertion_consumer_service", bindings=[BINDING_HTTP_POST], entity_id=sp_entity_id
        )
        response = self.server.create_authn_response(
            attributes,
            in_response_to=request.id,
            destination=acs_url,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            },
            sign_response=True,
            sign_assertion=True,
            # SHA-1 signatures are refused by the service provider, as they should be.
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        return base64.b64encode(str(response).encode()).decode()

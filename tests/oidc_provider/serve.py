"""A real OpenID Connect provider for tests: django-oauth-toolkit in its own tiny Django
project, in its own process, on an in-memory database, with an RSA signing key generated
at start.

    python tests/oidc_provider/serve.py     (configured by two environment variables)

OIDC_TEST_CLIENT: {"client_id", "client_secret", "redirect_uris": [...]}
OIDC_TEST_USERS:  [{"username", "password", "email", "name", "claims": {...}}, ...]
                  (``claims`` go into the ID token and userinfo as they are: groups, department)

Prints ``port <n>`` once it listens on 127.0.0.1 (a free port), then serves until killed.
wsgiref serves one request at a time in this one thread, which keeps the in-memory
SQLite database in a single connection.
"""

import json
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings


def _rsa_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def configure() -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="oidc-test-provider-only",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF="idp_urls",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LOGIN_URL="/login/",
        USE_TZ=True,
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": _rsa_key_pem(),
            "PKCE_REQUIRED": True,
            "SCOPES": {"openid": "OpenID", "profile": "Profile", "email": "E-mail"},
            "OAUTH2_VALIDATOR_CLASS": "idp_urls.Validator",
        },
    )
    django.setup()


def seed() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    client = json.loads(os.environ["OIDC_TEST_CLIENT"])
    Application.objects.create(
        name="Juncture",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(client["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for person in json.loads(os.environ["OIDC_TEST_USERS"]):
        user = User.objects.create_user(
            username=person["username"], password=person["password"], email=person["email"]
        )
        user.first_name = person.get("name", "")
        user.save()


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("oidc-provider: " + (format % args) + "\n")


def main() -> None:
    configure()
    seed()
    from django.core.wsgi import get_wsgi_application

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
    print(f"port {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

from datetime import timedelta

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken, AuditEvent, token_digest
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def _token(api, user, password=PASSWORD, **extra):
    return api.post(URL, {"email": user.email, "password": password}, format="json", **extra)


def test_it_returns_a_token_that_authenticates(api, employee):
    response = _token(api, employee)
    assert response.status_code == 200
    key = response.json()["token"]
    token = ApiToken.objects.get(user=employee)
    # Only the digest is stored; the key is shown once.
    assert token.digest == token_digest(key) and key not in {token.digest, token.prefix}
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/ideas/").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used is not None


def test_each_exchange_makes_a_new_token(api, employee):
    first = _token(api, employee).json()
    second = _token(api, employee).json()
    assert first["token"] != second["token"] and first["id"] != second["id"]
    assert ApiToken.objects.filter(user=employee).count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": "KNOWN", "password": "wrong"},
    ],
)
def test_it_refuses_bad_credentials_with_400_and_creates_nothing(api, employee, body):
    body = {**body, "email": employee.email if body["email"] == "KNOWN" else body["email"]}
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["That e-mail and password do not match an account."]
    }
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action="login.failed").count() == 1


def test_it_gives_field_errors_for_malformed_input(api):
    response = api.post(URL, {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_it_locks_the_account_after_the_login_failure_limit_with_429(api, employee):
    # RATE_LOGIN_FAILURES (5 per 15 minutes) counts failures of both doors.
    statuses = [_token(api, employee, "wrong").status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    body = _token(api, employee).json()
    assert body["code"] == "throttled"


def test_a_lockout_from_the_html_login_holds_at_the_api_and_back(api, client, employee, manager):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": employee.email, "password": "x"})
    # Locked by HTML failures: the API refuses even the right password, from any address.
    assert _token(api, employee, REMOTE_ADDR="10.9.9.9").status_code == 429
    for _ in range(5):
        _token(api, manager, "wrong", REMOTE_ADDR=f"10.1.1.{_}")
    blocked = client.post(reverse("account_login"), {"login": manager.email, "password": PASSWORD})
    assert blocked.status_code == 429


def test_fifteen_guesses_with_fifteen_spoofed_forwarded_addresses_are_throttled(api, db):
    # No trusted proxy (the default): X-Forwarded-For is the client's own invention.
    statuses = [
        api.post(
            URL,
            {"email": f"guess{n}@example.com", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(15)
    ]
    assert statuses[:5] == [400] * 5
    assert set(statuses[5:]) == {429}


def test_one_trusted_proxy_means_the_address_it_saw(api, db, settings):
    from core.web import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", REMOTE_ADDR="10.0.0.1"
    )
    assert client_ip(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"


def test_tokens_expire_after_the_configured_days(api, employee, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    key = _token(api, employee).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/ideas/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = api.get("/api/v1/ideas/")
    assert response.status_code in (401, 403)


def test_a_password_change_or_deactivation_deletes_the_tokens(api, client, employee):
    key = _token(api, employee).json()["token"]
    client.force_login(employee)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-pass-42",
            "password2": "a-new-long-pass-42",
        },
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=employee).exists()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/ideas/").status_code in (401, 403)
    # A password set by any other path (a command, the admin) also ends older tokens.
    token, key = services.token_create(user=employee)
    employee.set_password("another-long-pass-43")
    employee.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/ideas/").status_code in (401, 403)
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_a_user_lists_and_revokes_their_own_tokens_in_the_api(employee, customer):
    from tests.conftest import api_as

    mine, _ = services.token_create(user=employee)
    theirs, _ = services.token_create(user=customer)
    api = api_as(employee)
    listed = api.get("/api/v1/auth/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [mine.pk]
    assert set(listed[0]) == {"id", "prefix", "created", "expires", "last_used"}
    assert api.delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/auth/tokens/{mine.pk}/").status_code == 204
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


def test_tokens_made_before_the_token_model_keep_working_after_the_migration(api, employee):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("accounts.migrations.0006_migrate_drf_tokens")

    class Editor:
        # The two things the migration uses of a schema editor (a real one cannot open
        # inside the test's transaction on SQLite).
        def __init__(self):
            self.connection = connection

        def quote_name(self, name):
            return connection.ops.quote_name(name)

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, created timestamp '
            "with time zone NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
            [old_key, timezone.now() - timedelta(days=400), employee.pk],
        )
    migration.forwards(apps, Editor())
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=employee)
    assert token.digest == token_digest(old_key) and not token.is_expired()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert api.get("/api/v1/ideas/").status_code == 200


def test_the_account_page_lists_and_revokes_my_tokens(client, employee, customer):
    mine, _ = services.token_create(user=employee)
    theirs, _ = services.token_create(user=customer)
    client.force_login(employee)
    html = client.get(reverse("accounts:account")).content.decode()
    assert mine.prefix in html and theirs.prefix not in html
    revoke = reverse("accounts:token_revoke", args=[theirs.pk])
    assert client.post(revoke).status_code == 404
    response = client.post(reverse("accounts:token_revoke", args=[mine.pk]))
    assert response.status_code == 302
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_the_account_page_query_count(client, employee, django_assert_num_queries):
    for _ in range(3):
        services.token_create(user=employee)
    client.force_login(employee)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 e-mail addresses
    # (confirmed?), 4 roles shown on the page, 5 the user's tokens
    with django_assert_num_queries(5):
        assert client.get(reverse("accounts:account")).status_code == 200


def test_the_token_list_query_count(employee, django_assert_num_queries):
    from tests.conftest import api_as

    for _ in range(3):
        services.token_create(user=employee)
    api = api_as(employee)
    # 1 count of my tokens, 2 the page of them
    with django_assert_num_queries(2):
        assert len(api.get("/api/v1/auth/tokens/").json()["results"]) == 3

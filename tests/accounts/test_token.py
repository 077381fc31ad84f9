import pytest
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_it_returns_a_token_that_authenticates(api, employee):
    response = api.post(URL, {"email": employee.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=employee).key == token
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/schema/").status_code == 200


def test_it_answers_the_same_token_twice(api, employee):
    first = api.post(URL, {"email": employee.email, "password": PASSWORD}, format="json").json()
    second = api.post(URL, {"email": employee.email, "password": PASSWORD}, format="json").json()
    assert first == second


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
    assert not Token.objects.exists()


def test_it_gives_field_errors_for_malformed_input(api):
    response = api.post(URL, {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_it_throttles_repeated_attempts_with_429(api, employee):
    statuses = [
        api.post(URL, {"email": employee.email, "password": "wrong"}, format="json").status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    body = api.post(URL, {"email": employee.email, "password": PASSWORD}, format="json").json()
    assert body["code"] == "throttled" and body["retry_after_seconds"] > 0

"""The cache (CACHE_URL, a Redis with nothing listening) is down: pages and the API keep
working; rate limits fail open for ordinary requests and closed for sign-in and sign-up."""

import time

import pytest
from django.urls import reverse

from ideas.models import Idea
from tests import factories
from tests.reliability.processes import free_port

pytestmark = pytest.mark.django_db

NEW_IDEA = {
    "title": "Show the card PIN in the app",
    "customer_need": "Customers who forget their PIN wait 5 days for a letter (312 calls in May).",
    "proposal": "Reveal the PIN after biometric login.",
    "innovation_type": "new_experience",
}


@pytest.fixture
def dead_cache(settings):
    before = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    yield
    # Before the autouse fixture that clears the cache after each test.
    settings.CACHES = before


def _timed(call):
    started = time.monotonic()
    response = call()
    took = time.monotonic() - started
    # Generous for a loaded machine's first request; a cache that blocked would take longer.
    assert took < 5, (response.request["PATH_INFO"], took)
    return response


def test_pages_the_api_and_writes_keep_working(client, api, employee, dead_cache):
    client.force_login(employee)
    for path in ["/", "/ideas/", "/campaigns/", "/notifications/"]:
        assert _timed(lambda path=path: client.get(path)).status_code == 200, path
    # Rate-limited writes fail open: they go through, uncounted.
    response = _timed(lambda: client.post(reverse("ideas:new"), factories.guided_idea_post()))
    assert response.status_code == 302
    api.force_authenticate(employee)
    assert _timed(lambda: api.get("/api/v1/ideas/")).status_code == 200
    response = _timed(
        lambda: api.post("/api/v1/ideas/", {**NEW_IDEA, "title": "Another"}, format="json")
    )
    assert response.status_code == 201
    assert Idea.objects.filter(title="Another").exists()
    idea = factories.IdeaFactory(status="submitted")
    assert _timed(lambda: api.post(f"/api/v1/ideas/{idea.pk}/support/")).status_code in (
        200,
        201,
    )


def test_sign_in_and_sign_up_fail_closed(client, api, dead_cache):
    user = factories.EmployeeFactory(email="erin@example.com")
    user.set_password("a-long-password-1")
    user.save()
    # Reading the forms still works.
    assert _timed(lambda: client.get(reverse("account_login"))).status_code == 200
    assert _timed(lambda: client.get(reverse("account_signup"))).status_code == 200
    # Without the counters no password is checked and no account is created.
    response = _timed(
        lambda: client.post(
            reverse("account_login"),
            {"login": "erin@example.com", "password": "a-long-password-1"},
        )
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    response = _timed(
        lambda: client.post(
            reverse("account_signup"),
            {
                "email": "new@example.com",
                "display_name": "New",
                "password1": "a-long-password-2",
                "password2": "a-long-password-2",
            },
        )
    )
    assert response.status_code == 429
    assert not type(user).objects.filter(email="new@example.com").exists()
    response = _timed(
        lambda: api.post(
            "/api/v1/auth/token/",
            {"email": "erin@example.com", "password": "a-long-password-1"},
            format="json",
        )
    )
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"

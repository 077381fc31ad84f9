"""Errors reach people as pages inside the layout, with a way back; the API keeps JSON."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from config import views

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_branded_404_with_a_way_back(client, customer):
    client.force_login(customer)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We cannot find that page" in html
    assert 'class="site-header"' in html and "Chloe Customer" in html  # inside the layout
    assert f'href="{reverse("home")}"' in html


def test_a_forbidden_page_says_why_in_words(client, employee):
    client.force_login(employee)
    response = client.get(reverse("accounts:audit"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot do that here" in html
    assert "403 Forbidden" not in html


def test_a_forbidden_page_offers_a_log_in_to_anonymous_visitors():
    request = RequestFactory().get("/somewhere/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = views.permission_denied(request, PermissionDenied("Not for you."))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Not for you." in html and reverse("account_login") in html


def test_a_bad_request_and_a_server_error_render_inside_the_layout(rf, employee):
    for view, status, words in (
        (views.bad_request, 400, "We could not read that request"),
        (views.server_error, 500, "Something went wrong on our side"),
    ):
        request = rf.get("/ideas/")
        request.user = employee
        response = view(request) if status == 500 else view(request, ValueError())
        assert response.status_code == status
        html = response.content.decode()
        assert words in html and "Erin Employee" in html


def test_the_api_keeps_json_errors(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_the_429_page_is_branded(rf):
    request = rf.get("/accounts/login/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = views.ratelimited(request)
    assert response.status_code == 429
    assert "Slow down a little" in response.content.decode()
    assert response["Retry-After"] == "60"


def test_the_styleguide_shows_every_component_to_staff(client, employee):
    client.force_login(employee)
    html = client.get(reverse("styleguide")).content.decode()
    for part in (
        "page-header",
        "card--link",
        "status--positive",
        'class="field has-error"',
        "table-wrap",
        "kpi",
        'class="empty"',
        "alert--error",
        'class="stepper"',
        "<dialog",
        'class="pagination"',
        'class="tabs"',
    ):
        assert part in html, part


def test_the_styleguide_is_not_for_customers(customer):
    client = Client()
    client.force_login(customer)
    assert client.get(reverse("styleguide")).status_code == 403

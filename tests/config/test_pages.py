import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_invites_anonymous_visitors_to_sign_up_or_log_in(client):
    html = client.get(reverse("home")).content.decode()
    assert reverse("account_signup") in html
    assert reverse("account_login") in html


def test_every_page_has_a_nonce_csp_without_unsafe_inline(client):
    response = client.get(reverse("home"))
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "unsafe-inline" not in csp
    # htmx's own script tag carries the nonce, so it is allowed to run.
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_api_docs_and_schema_are_served_locally(client, employee):
    client.force_login(employee)
    docs = client.get(reverse("api-docs")).content.decode()
    assert "//cdn" not in docs and "unpkg" not in docs and "jsdelivr" not in docs
    schema = client.get(reverse("schema"))
    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content


def test_the_manager_sees_manager_navigation_and_the_customer_does_not(client, manager, customer):
    client.force_login(manager)
    assert "innovation manager" in client.get(reverse("home")).content.decode()
    client.force_login(customer)
    html = client.get(reverse("home")).content.decode()
    assert "innovation manager" not in html and "(customer)" in html


def test_the_home_page_shows_the_fiscal_years_own_target(client, executive):
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from tests import factories

    today = timezone.localdate()
    factories.FiscalYearFactory(
        label="FY now",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        innovation_target_pct=Decimal("7.50"),
    )
    client.force_login(executive)
    html = client.get("/").content.decode()
    assert "FY now target of 7.5%" in html and "10%" not in html

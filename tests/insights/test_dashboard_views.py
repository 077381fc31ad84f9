"""The executive dashboard page (``/budgets/``) and its CSV export."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_dashboard_has_an_empty_state(client, executive):
    client.force_login(executive)
    response = client.get(reverse("insights:dashboard"))
    assert response.status_code == 200
    assert "No fiscal year yet" in response.content.decode()


def test_the_dashboard_shows_the_chosen_year_with_charts_and_tables(client, executive, fy):
    other = factories.FiscalYearFactory(
        label="FY2025", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("12345.67"))
    client.force_login(executive)
    html = client.get(reverse("insights:dashboard"), {"fiscal_year": fy.pk}).content.decode()
    assert 'data-kpi="committed">12345.67' in html
    assert 'id="budget-summary" type="application/json"' in html
    assert 'id="chart-target"' in html and "<table" in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "budgets-dashboard.js" in html
    assert "<script>" not in html  # CSP: no inline script
    html = client.get(reverse("insights:dashboard"), {"fiscal_year": other.pk}).content.decode()
    assert 'data-kpi="committed">0.00' in html


def test_the_csv_export_has_the_summary_numbers(client, executive, fy):
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("12345.67"))
    client.force_login(executive)
    response = client.get(reverse("insights:summary_csv", args=[fy.pk]))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert "totals,committed,committed,12345.67," in text
    assert "totals,committed_pct,committed pct,1.23," in text  # 12,345.67 / 1,000,000 → 1.23%

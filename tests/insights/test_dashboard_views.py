"""The executive dashboard page (``/budgets/``) and its CSV export."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
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
    assert 'data-kpi="committed" value="12345.67">€12,345.67' in html
    assert 'id="budget-summary" type="application/json"' in html
    assert 'id="chart-target"' in html and "<table" in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "budgets-dashboard.js" in html
    assert "<script>" not in html  # CSP: no inline script
    html = client.get(reverse("insights:dashboard"), {"fiscal_year": other.pk}).content.decode()
    assert 'data-kpi="committed" value="0.00">€0' in html


def test_the_csv_export_has_the_summary_numbers(client, executive, fy):
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("12345.67"))
    client.force_login(executive)
    response = client.get(reverse("insights:summary_csv", args=[fy.pk]))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert "totals,committed,committed,12345.67," in text
    assert "totals,committed_pct,committed pct,1.23," in text  # 12,345.67 / 1,000,000 → 1.23%


@time_machine.travel(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), tick=False)
def test_the_headline_says_how_far_to_the_target_and_whether_on_pace(client, executive, fy):
    # Innovation budget 100,000 (1,000,000 x 10%). 1 Jul is day 182 of 365: 182 / 365 =
    # 49.863…% → 49.86% elapsed; on pace needs ≥ 49.86 - 10 = 39.86% of 100,000 committed.
    # 45,000 optimization (type confirmed) + 15,000.50 new experience (confirmed) = 60,000.50
    # committed: 6.00005% of the marketing budget → 6.00 → "6.0%"; 60.0005% of the innovation
    # budget → on pace; 39,999.50 left. New only: 15,000.50 → 1.50% → "1.5%"; 84,999.50 left.
    for kind, amount in (("optimization", "45000"), ("new_experience", "15000.50")):
        idea = factories.IdeaFactory(innovation_type=kind, type_confirmed=True, status="funded")
        factories.AllocationFactory(fiscal_year=fy, idea=idea, amount=Decimal(amount))
    client.force_login(executive)
    html = client.get(reverse("insights:dashboard")).content.decode()
    headline = html[html.index('data-headline="all"') :]
    headline = headline[: headline.index("</p>")]
    assert '<data data-kpi="committed_pct" value="6.00">6.0%</data>' in headline
    assert "of the 10% target committed" in headline
    assert '<data data-kpi="remaining" value="39999.50">€39,999.50</data>' in headline
    assert 'data-pace="on_pace"' in headline and "on pace" in headline
    strict = html[html.index('data-headline="new_only"') :]
    strict = strict[: strict.index("</p>")]
    assert 'value="1.50">1.5%</data>' in strict and "€84,999.50 left" in strict
    # The bars: 6.00 / 10 → 60% of the way to the target; 1.50 / 10 → 15%; pace mark 49.86.
    assert 'class="bullet__bar" x="0" y="1" width="60.00"' in html
    assert 'class="bullet__bar" x="0" y="1" width="15.00"' in html
    assert 'x1="49.86"' in html


@time_machine.travel(datetime(2026, 10, 1, 12, 0, tzinfo=UTC), tick=False)
def test_the_headline_says_behind_when_committing_lags_the_year(client, executive, fy):
    # 1 Oct is day 274: 75.07% elapsed; 60,000 committed = 60% < 65.07% → behind.
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("60000"))
    client.force_login(executive)
    html = client.get(reverse("insights:dashboard")).content.decode()
    assert 'data-pace="behind"' in html and 'data-pace="on_pace"' not in html


def test_the_value_line_formats_money(client, executive, fy):
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("60000"))
    client.force_login(executive)
    html = client.get(reverse("insights:dashboard")).content.decode()
    line = html[html.index("data-value-line") :]
    line = line[: line.index("</p>")]
    assert '<data data-kpi="realised_total" value="0.00">€0</data>' in line
    assert " EUR" not in line


def test_the_nav_links_to_portfolio_and_accuracy_for_readers_only(client, executive, employee):
    client.force_login(executive)
    html = client.get(reverse("insights:dashboard")).content.decode()
    assert 'data-nav="portfolio"' in html and 'data-nav="accuracy"' in html
    client.force_login(employee)
    html = client.get(reverse("home")).content.decode()
    assert 'data-nav="portfolio"' not in html and 'data-nav="accuracy"' not in html


def test_the_cached_summary_is_never_stale(client, executive, fy):
    """The summary's HTML is cached under a digest of its figures: the same figures give the
    same page from the cache, and new money shows at once."""
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("100.00"))
    client.force_login(executive)
    url = reverse("insights:dashboard")
    first = client.get(url, {"fiscal_year": fy.pk}).content.decode()
    again = client.get(url, {"fiscal_year": fy.pk}).content.decode()
    assert 'data-kpi="committed" value="100.00">€100' in first
    assert again.count("€100") == first.count("€100")
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("23.45"))
    html = client.get(url, {"fiscal_year": fy.pk}).content.decode()
    assert 'data-kpi="committed" value="123.45">€123.45' in html


def test_a_cache_that_fails_costs_only_the_rendering(client, executive, fy, monkeypatch):
    from core import fragments

    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(fragments, "cache", Down())
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("100.00"))
    client.force_login(executive)
    html = client.get(reverse("insights:dashboard"), {"fiscal_year": fy.pk}).content.decode()
    assert 'data-kpi="committed" value="100.00">€100' in html

"""An executive opens the budget dashboard: charts drawn by Chart.js, numbers as in the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets.services import snapshot_take
from tests import factories
from tests.factories.accounts import PASSWORD

KPIS = [
    "marketing_budget",
    "target_pct",
    "innovation_budget",
    "committed",
    "committed_pct",
    "committed_new_only",
    "committed_new_only_pct",
    "spent",
    "spent_pct",
    "remaining",
]
CHARTS = [
    "chart-target",
    "chart-time",
    "chart-type",
    "chart-cycle",
    "chart-campaign",
    "chart-funnel",
]


@pytest.fixture
def budget_year(transactional_db):
    today = timezone.localdate()
    fy = factories.FiscalYearFactory(
        label=f"FY{today.year}",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
        marketing_budget=Decimal("4000000.00"),
    )
    manager = factories.ManagerFactory()
    journey = factories.JourneyFactory()
    campaign = factories.CampaignFactory(title="Onboarding")
    start = timezone.now() - timedelta(days=20)
    for i, (kind, cycle, amount) in enumerate(
        [
            ("optimization", "buy", "90000"),
            ("new_experience", "own", "60000"),
            ("new_technology", "advocate", "25000.50"),
        ]
    ):
        stage = factories.StageFactory(journey=journey, cycle=cycle)
        idea = factories.IdeaFactory(
            status="funded", owner=manager, innovation_type=kind, stage=stage, campaign=campaign
        )
        allocation = factories.AllocationFactory(
            fiscal_year=fy,
            idea=idea,
            amount=Decimal(amount),
            allocated_by=manager,
            created_at=max(
                start,
                timezone.make_aware(
                    timezone.datetime.combine(fy.starts_on, timezone.datetime.min.time())
                ),
            ),
        )
        factories.SpendFactory(
            allocation=allocation,
            amount=Decimal("1000") * (i + 1),
            spent_on=max(today - timedelta(days=10 - i), fy.starts_on),
            recorded_by=manager,
        )
    factories.IdeaFactory(status="approved", owner=None, title="Orphan idea")
    for back in range(15, -1, -1):
        day = today - timedelta(days=back)
        if day >= fy.starts_on:
            snapshot_take(fiscal_year=fy, date=day)
    return fy


def test_an_executive_sees_the_charts_and_the_api_numbers(
    budget_year, page, live_server, login, artifacts
):
    executive = factories.ExecutiveFactory(email="exec.dash@example.com")
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "favicon" not in msg.location.get("url", "")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    login(executive.email, PASSWORD)

    page.locator("header").get_by_role("link", name="Budget dashboard").click()
    expect(page.get_by_role("heading", name="Innovation budget")).to_be_visible()
    for chart_id in CHARTS:
        expect(page.locator(f"canvas#{chart_id}")).to_be_visible()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-funnel'))"
    )
    drawn = page.evaluate(
        "(ids) => ids.map(id => { const c = Chart.getChart(document.getElementById(id));"
        " return c ? c.data.datasets.length : 0; })",
        CHARTS,
    )
    assert all(n > 0 for n in drawn), dict(zip(CHARTS, drawn, strict=True))
    assert not problems, problems  # no CSP violation or script error

    page.screenshot(path=str(artifacts / "budgets-dashboard.png"), full_page=True)

    api = page.request.get(
        f"{live_server.url}/api/v1/budgets/fiscal-years/{budget_year.pk}/summary/"
    )
    assert api.ok
    summary = api.json()
    for key in KPIS:
        kpi = page.locator(f'[data-kpi="{key}"]').first
        # Money figures carry the raw amount in value= and show it formatted.
        assert (kpi.get_attribute("value") or kpi.inner_text()) == summary[key], key
    # 90,000 + 60,000 + 25,000.50 = 175,000.50 of 4,000,000 → 4.3750125% → 4.38
    assert summary["committed"] == "175000.50" and summary["committed_pct"] == "4.38"
    expect(page.locator('[data-alert="no_owner"]')).to_be_visible()
    expect(page.get_by_text("Orphan idea")).to_be_visible()
    # The funnel table next to its chart says the same as the API.
    funded = next(r for r in summary["funnel"] if r["status"] == "funded")
    expect(page.locator('tr[data-status="funded"] td')).to_have_text(str(funded["ideas"]))


def test_an_executive_reads_the_10_percent_headline(
    budget_year, page, live_server, login, artifacts
):
    """The headline's numbers, worked out by hand from the fixture: marketing budget
    4,000,000 at 10% → innovation budget 400,000. Committed 90,000 + 60,000 + 25,000.50 =
    175,000.50 → 4.3750125% of the marketing budget → "4.4%" of the 10% target; left to
    commit 400,000 - 175,000.50 = €224,999.50. New only (confirmed, not optimization):
    60,000 + 25,000.50 = 85,000.50 → 2.1250125% → "2.1%", €314,999.50 left. Committed is
    43.75% of the innovation budget: on pace while no more than 10 points behind the share
    of the year elapsed."""
    executive = factories.ExecutiveFactory(email="exec.headline@example.com")
    login(executive.email, PASSWORD)
    page.goto(f"{live_server.url}/budgets/")
    headline = page.get_by_test_id("headline")
    expect(headline).to_be_visible()
    main = headline.locator('[data-headline="all"]')
    expect(main).to_contain_text("4.4% of the 10% target committed")
    expect(main).to_contain_text("€224,999.50 left to commit")
    today = timezone.localdate()
    fy = budget_year
    elapsed = (
        Decimal((today - fy.starts_on).days + 1) * 100 / ((fy.ends_on - fy.starts_on).days + 1)
    )
    on_pace = Decimal("43.75") >= elapsed.quantize(Decimal("0.01")) - 10
    expect(main).to_contain_text("on pace" if on_pace else "behind")
    strict = headline.locator('[data-headline="new_only"]')
    expect(strict).to_contain_text("2.1% new only (strict)")
    expect(strict).to_contain_text("€314,999.50 left")
    # The bar is 4.38 / 10 = 43.8% of the way to the target.
    bar = headline.locator(".bullet__bar").first
    assert bar.get_attribute("width") == "43.80"

    # Printed for a board meeting: no navigation, the headline first, A4.
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(headline).to_be_visible()
    page.pdf(path=str(artifacts / "budgets-dashboard.pdf"), format="A4")

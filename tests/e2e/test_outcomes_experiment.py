"""An idea's owner records three measurements, sees the chart and decides to scale."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AuditEvent
from tests import factories
from tests.factories.accounts import PASSWORD


@pytest.fixture
def running(transactional_db):
    owner = factories.EmployeeFactory(email="owner.e2e@example.com", display_name="Olive Owner")
    idea = factories.IdeaFactory(
        title="Pre-filled income", status="in_experiment", owner=owner, author=owner
    )
    experiment = factories.ExperimentFactory(
        idea=idea,
        metric="Completion rate",
        baseline=Decimal("40"),
        target=Decimal("60"),
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    return owner, idea, experiment


def test_an_owner_measures_sees_the_chart_and_decides_to_scale(
    running, page, live_server, login, artifacts
):
    owner, idea, experiment = running
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
    login(owner.email, PASSWORD)

    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    page.get_by_role("link", name="Experiments", exact=True).click()
    page.get_by_role("link", name="Completion rate").click()
    expect(page.get_by_role("heading", name="Completion rate")).to_be_visible()

    today = timezone.localdate()
    for back, value in ((21, "46"), (14, "51"), (7, "55")):
        page.get_by_label("Measured on").fill((today - timedelta(days=back)).isoformat())
        page.get_by_label("Value").fill(value)
        page.get_by_role("button", name="Record", exact=True).click()
        expect(page.locator('[data-testid="measurements"] tbody tr')).to_have_count(
            {"46": 1, "51": 2, "55": 3}[value]
        )
    # (55 - 40) / (60 - 40) = 0.75
    expect(page.get_by_test_id("attainment")).to_have_text("0.75")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas.experiment-chart'))"
        " && Chart.getChart(document.querySelector('canvas.experiment-chart')).data.labels.length === 3"
    )
    datasets = page.evaluate(
        "() => Chart.getChart(document.querySelector('canvas.experiment-chart')).data.datasets"
        ".map(d => d.label)"
    )
    assert datasets == ["Completion rate", "Baseline", "Target"]
    page.screenshot(path=str(artifacts / "outcomes-experiment.png"), full_page=True)

    decide = page.locator("form[action$='/decide/']")
    decide.get_by_label("Scale").check()
    decide.get_by_label("Note").fill("Three weeks in a row above plan.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("decision")).to_have_text("Scale")
    assert not problems, problems  # no CSP violation or script error
    experiment.refresh_from_db()
    assert experiment.decision == "scale" and experiment.decided_by == owner
    assert AuditEvent.objects.filter(action="experiment.decide").count() == 1

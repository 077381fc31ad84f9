"""A panelist scores an idea in the browser; a manager closes the round and sees it ranked."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.celery import app as celery_app
from scoring import services
from scoring.models import Assignment
from tests.factories import (
    PASSWORD,
    EmployeeFactory,
    IdeaFactory,
    ManagerFactory,
    PanelFactory,
    default_scorecard,
)

KEYS = ["importance", "evidence", "uniqueness", "defensibility"]


@pytest.fixture
def eager(settings):
    # The live server runs in this process: close the round with the aggregation in process,
    # as the embedded default does, even when a broker is configured for the run.
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def setup(transactional_db, eager):
    manager = ManagerFactory(email="boss@example.com", function="marketing")
    panelist = EmployeeFactory(email="pat@example.com", function="product")
    others = [EmployeeFactory(function=f) for f in ["sales", "it"]]
    idea = IdeaFactory(status="screening", title="Pre-fill income from the salary account")
    round = services.round_create(
        panel=PanelFactory(members=[panelist, *others]),
        scorecard=default_scorecard(),
        ideas=[idea],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
        name="Browser round",
    )
    services.round_open(round=round, actor=manager)
    for a in Assignment.objects.filter(reviewer__in=others):
        services.scores_save(
            assignment=a,
            scores=[{"signal": k, "value": 4, "rationale": "ok"} for k in KEYS],
            actor=a.reviewer,
        )
        services.assignment_submit(assignment=a, actor=a.reviewer)
    return round


def test_a_panelist_scores_and_a_manager_closes_and_sees_the_ranking(
    setup, page, live_server, login, artifacts
):
    login("pat@example.com", PASSWORD)
    page.get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("heading", name="Browser round")).to_be_visible()
    page.get_by_role("link", name="Score").click()
    for key, value in zip(KEYS, ["5", "4", "4", "5"], strict=True):
        group = page.locator(f"#signal-{key}")
        # Keyboard: focus the radio for the value and select it with the space bar.
        group.get_by_role("radio").nth(int(value) - 1).focus()
        page.keyboard.press("Space")
        expect(page.locator(f"#signal-{key}")).to_contain_text("Saved")
    expect(page.locator("#score-progress")).to_contain_text("4 of 4 signals scored")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_role("status").first).to_contain_text("submitted")
    page.screenshot(path=str(artifacts / "scoring-queue.png"))
    page.context.clear_cookies()

    login("boss@example.com", PASSWORD)
    page.goto(f"{live_server.url}/rounds/{setup.pk}/")
    page.get_by_role("button", name="Close the round").click()
    results = page.locator("table.score-results")
    expect(results).to_contain_text("Pre-fill income from the salary account")
    expect(results.locator("tbody tr").first.locator("td").first).to_have_text("1")
    expect(results).to_contain_text("passes")
    page.screenshot(path=str(artifacts / "scoring-results.png"), full_page=True)

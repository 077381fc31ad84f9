"""A panelist scores a round in the browser with "save and next" (and with the keyboard
alone); a manager closes the round, sees it ranked and switches raw / calibrated."""

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
    add_evidence,
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
    ideas = [
        IdeaFactory(status="screening", title="Pre-fill income from the salary account"),
        IdeaFactory(status="screening", title="Show the payoff date on every loan"),
    ]
    for idea in ideas:
        add_evidence(idea)
    round = services.round_create(
        panel=PanelFactory(members=[panelist, *others]),
        scorecard=default_scorecard(),
        ideas=ideas,
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


def _score_with_the_mouse(page, values):
    for key, value in zip(KEYS, values, strict=True):
        group = page.locator(f"#signal-{key}")
        group.get_by_role("radio", name=value).check()
        expect(page.locator(f"#signal-{key}")).to_contain_text("Saved")
        group.get_by_role("textbox").fill(f"Because {key} is {value[0]}.")
        group.get_by_role("textbox").blur()
        expect(page.locator(f"#signal-{key} textarea")).to_have_value(
            f"Because {key} is {value[0]}."
        )


def test_a_panelist_scores_a_round_with_save_and_next_and_a_manager_sees_the_ranking(
    setup, page, live_server, login, artifacts
):
    login("pat@example.com", PASSWORD)
    page.get_by_role("link", name="My reviews", exact=True).click()
    expect(page.get_by_role("heading", name="Browser round")).to_be_visible()
    page.get_by_role("link", name="Score the next idea").click()
    first = page.get_by_role("heading", level=1).inner_text()
    # The rubric: each point is a radio labelled with its value, word and description.
    expect(page.locator("#signal-importance").get_by_role("radio")).to_have_count(5)
    _score_with_the_mouse(page, ["5 Extremely", "4 Very", "4 Very", "5 Extremely"])
    expect(page.locator("#score-progress")).to_contain_text("4 of 4 signals scored")
    page.get_by_role("button", name="Save and next").click()
    # The next idea of the queue opens, with the submission confirmed.
    expect(page.get_by_role("heading", level=1)).not_to_have_text(first)
    expect(page.locator("div.messages[role=status]")).to_contain_text("Submitted")
    _score_with_the_mouse(page, ["3 Moderately", "3 Moderately", "2 Slightly", "2 Slightly"])
    page.get_by_role("button", name="Save and next").click()
    expect(page).to_have_url(f"{live_server.url}/review/")
    expect(page.locator("div.messages[role=status]")).to_contain_text("last idea in your queue")
    expect(page.locator("main")).to_contain_text("2 of 2 submitted")
    page.screenshot(path=str(artifacts / "scoring-queue.png"))
    # A submitted scorecard reads as such: no inputs, a badge and why.
    page.get_by_role("link", name="View or change").first.click()
    expect(page.get_by_test_id("locked-badge")).to_contain_text("Submitted")
    expect(page.get_by_role("radio")).to_have_count(0)
    page.context.clear_cookies()

    login("boss@example.com", PASSWORD)
    page.goto(f"{live_server.url}/rounds/{setup.pk}/")
    page.get_by_role("button", name="Close the round").click()
    results = page.locator("#results")
    expect(results.locator(".result-card").first).to_contain_text(
        "Pre-fill income from the salary account"
    )
    expect(results.locator(".result-card").first).to_contain_text("Passes the gate")
    table = page.locator("table.score-results")
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("1")
    # The toggle swaps the results region in place (htmx) and updates the address.
    page.get_by_role("link", name="Raw").click()
    expect(page).to_have_url(f"{live_server.url}/rounds/{setup.pk}/?values=raw")
    expect(results.get_by_role("link", name="Raw")).to_have_attribute("aria-current", "page")
    expect(results).to_contain_text("plain average")
    page.screenshot(path=str(artifacts / "scoring-results.png"), full_page=True)


def test_the_scorecard_journey_with_the_keyboard_alone(setup, page, live_server, login):
    login("pat@example.com", PASSWORD)
    page.goto(f"{live_server.url}/review/")

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("a.button.primary")  # "Score the next idea"
    page.keyboard.press("Enter")
    expect(page.locator("#score-progress")).to_contain_text("0 of 4 signals scored")
    for n, key in enumerate(KEYS, start=1):
        # Tab reaches the radio group; the arrow keys pick a point (1 -> 2 -> 3 -> 4).
        tab_to(f"#signal-{key} input[type=radio]")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f"#signal-{key}")).to_contain_text("Saved")
        expect(page.locator(f"#{key}-point-4")).to_be_checked()
        expect(page.locator("#score-progress")).to_contain_text(f"{n} of 4 signals scored")
        # The swap gave the focus back to the radio, so Tab goes on to the rationale.
        tab_to(f"#{key}-rationale", limit=3)
        page.keyboard.type(f"Keyboard rationale for {key}.")
    tab_to("button[name=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("div.messages[role=status]")).to_contain_text("Submitted")
    assignment = Assignment.objects.filter(round=setup, reviewer__email="pat@example.com")
    done = assignment.filter(submitted_at__isnull=False).get()
    assert sorted(done.scores.values_list("value", flat=True)) == [4, 4, 4, 4]
    assert all(
        r.startswith("Keyboard rationale") for r in done.scores.values_list("rationale", flat=True)
    )

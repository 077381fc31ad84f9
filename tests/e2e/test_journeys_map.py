"""A manager opens the journey map, follows a gap, and lands on a pre-filled idea form."""

import pytest
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD
from journeys import demo as journeys_demo
from journeys.models import Moment


@pytest.fixture
def journey_demo(transactional_db):
    # Only the apps left of ideas: every value-destroying moment is then a gap.
    accounts_demo.seed()
    journeys_demo.seed()


def test_a_manager_follows_a_gap_to_a_prefilled_idea_form(
    journey_demo, page, live_server, login, artifacts
):
    gap = Moment.objects.select_related("stage").get(name="Renewal letter jargon")
    login("manager@example.com", DEMO_PASSWORD)
    page.locator("header summary", has_text="Insights").click()
    page.get_by_role("link", name="Journey map", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    grid = page.get_by_test_id("journey-map")
    expect(grid).to_contain_text("◆ Juncture")
    expect(grid).to_contain_text("Allocated")  # managers see money

    # The heat metric can be switched (htmx swaps the grid; the number stays as text).
    page.get_by_label("Heat shows").select_option("score")
    expect(page.locator("table.map")).to_have_attribute("data-metric", "score")
    page.screenshot(path=artifacts / "journeys-map-manager.png", full_page=True)

    page.locator(f'.map-gap[data-moment="{gap.pk}"] a').click()
    page.wait_for_url(f"**/ideas/new/?stage={gap.stage_id}&moment={gap.pk}")
    expect(page.locator("#id_stage")).to_have_value(str(gap.stage_id))
    expect(page.locator("#id_moment")).to_have_value(str(gap.pk))


def test_an_employee_lists_a_cells_ideas_in_the_side_panel(journey_demo, page, live_server, login):
    login("employee@example.com", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/journeys/")
    expect(page.get_by_test_id("journey-map")).not_to_contain_text("Allocated")
    page.locator("tr.map-total-row a").first.click()
    expect(page.locator("#cell-ideas")).to_contain_text("Discover: live ideas")

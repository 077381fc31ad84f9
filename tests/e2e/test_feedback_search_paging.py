"""A search of the feedback list pages with Next and Previous and says which matches it
shows, without a total (counting a common word at a million items costs most of a second)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD
from feedback.models import FeedbackItem
from journeys import demo as journeys_demo


@pytest.fixture
def world(transactional_db):
    accounts_demo.seed()
    journeys_demo.seed()
    FeedbackItem.objects.bulk_create(
        FeedbackItem(
            source="crm",
            external_id=str(n),
            channel="complaint",
            text=f"Locked out of the app after the update, case {n}",
            received_on=date.today() - timedelta(days=n),
            is_negative=True,
        )
        for n in range(30)
    )


@pytest.mark.parametrize("width", [390, 1366])
def test_a_search_pages_without_a_total(world, page, live_server, login, artifacts, width):
    page.set_viewport_size({"width": width, "height": 900})
    login("employee@example.com", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/feedback/?q=locked")
    list_ = page.locator("#feedback-list")
    expect(list_).to_contain_text("Matches 1\u201325, newest first")
    expect(list_.get_by_role("link", name="Previous")).to_have_count(0)
    page.screenshot(path=artifacts / f"feedback-search-page1-{width}.png", full_page=True)
    list_.get_by_role("link", name="Next").click()
    expect(list_).to_contain_text("Matches 26\u201330, newest first")
    expect(list_.get_by_role("link", name="Next")).to_have_count(0)
    expect(list_.get_by_role("link", name="Previous")).to_have_count(1)
    page.screenshot(path=artifacts / f"feedback-search-page2-{width}.png", full_page=True)

"""A curator imports a feedback file, watches the import, links two items to an idea, and
sees customers affected and the journey overlay change."""

from datetime import date

import pytest
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from journeys import demo as journeys_demo
from journeys.models import Journey, Moment
from tests.factories import IdeaFactory


@pytest.fixture
def world(transactional_db):
    accounts_demo.seed()
    journeys_demo.seed()
    moment = Moment.objects.get(name="App login lockout")
    idea = IdeaFactory(
        title="Unlock the app without calling us",
        status="submitted",
        stage=moment.stage,
        moment=moment,
        author=User.objects.get(email="employee@example.com"),
    )
    return {"moment": moment, "idea": idea}


def test_a_curator_imports_links_and_sees_the_overlay(
    world, page, live_server, login, artifacts, tmp_path
):
    today = date.today().isoformat()
    path = tmp_path / "complaints.csv"
    path.write_text(
        "source,external_id,channel,text,received_on,customer_id,moment\n"
        f"crm,1,complaint,Locked out of the app again call 0612345678,{today},C-1,App login lockout\n"
        f"crm,2,complaint,The app locked me out after the update,{today},C-2,App login lockout\n"
        f"crm,3,complaint,,{today},C-3,\n"
    )
    login("manager@example.com", DEMO_PASSWORD)
    journey = Journey.objects.default()
    page.goto(f"{live_server.url}/feedback/journey/{journey.pk}/?days=30")
    expect(page.get_by_test_id("pain")).to_have_count(0)

    page.locator("header summary", has_text="Insights").click()
    page.get_by_role("link", name="Customer feedback", exact=True).click()
    page.get_by_role("link", name="Import feedback").click()
    page.get_by_label("CSV or XLSX file").set_input_files(path)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.locator("#import-preview")).to_contain_text("[phone]")
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("Done")
    expect(page.get_by_test_id("imported")).to_have_text("2")
    expect(page.get_by_test_id("rejected")).to_have_text("1")
    page.screenshot(path=artifacts / "feedback-import.png", full_page=True)

    for text in ("Locked out of the app again", "The app locked me out"):
        page.goto(f"{live_server.url}/feedback/?q=locked")
        page.get_by_role("link", name=text).click()
        page.get_by_label("Search ideas").fill("unlock")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("button", name="Link").click()
        expect(page.get_by_text("Linked to")).to_be_visible()

    page.goto(f"{live_server.url}/feedback/ideas/{world['idea'].pk}/")
    expect(page.get_by_test_id("customers-affected")).to_have_text("2")
    # The idea page counts them as evidence: two customers, both items listed (masked).
    page.goto(f"{live_server.url}/ideas/{world['idea'].pk}/")
    expect(page.get_by_test_id("evidence-summary")).to_contain_text("speaking for 2 customers")
    expect(page.get_by_test_id("linked-feedback-item")).to_have_count(2)
    expect(page.get_by_test_id("linked-feedback")).to_contain_text("[phone]")
    page.locator("#evidence").screenshot(path=artifacts / "feedback-idea-evidence.png")

    # The moment has a live idea: it is on the overlay with its volume, but not a "pain".
    page.goto(f"{live_server.url}/feedback/journey/{journey.pk}/?days=30")
    expect(page.get_by_role("row", name="↳ App login lockout")).to_contain_text("100%")
    page.screenshot(path=artifacts / "feedback-overlay.png", full_page=True)

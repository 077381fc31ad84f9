"""Browser journeys of the redesigned idea pages: a customer submits through the guided steps
and supports a duplicate instead; a manager takes an idea from submitted to funded using only
what the side panel offers (and its links to fix what blocks a move); the submission done
with the keyboard alone."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ideas import services
from ideas.models import Idea
from tests.factories import (
    PASSWORD,
    CampaignFactory,
    CustomerFactory,
    EmployeeFactory,
    FiscalYearFactory,
    ManagerFactory,
    PanelFactory,
    add_evidence,
    default_scorecard,
)


@pytest.fixture
def campaign(transactional_db):
    return CampaignFactory(title="Everyday banking", slug="everyday", audience="everyone")


def test_a_customer_supports_a_duplicate_instead_and_then_submits_a_new_idea(
    campaign, page, live_server, login
):
    existing = services.idea_submit(
        author=EmployeeFactory(),
        title="Pause a lost card from the app",
        customer_need="Customers who lose a card call us to block it: 4,100 calls a month.",
        innovation_type="new_experience",
        campaign=campaign,
    )
    CustomerFactory(email="cara@example.com", display_name="Cara Customer")
    login("cara@example.com", PASSWORD)

    page.goto(f"{live_server.url}/ideas/new/")
    expect(page.get_by_role("group", name=re.compile("About you"))).to_be_visible()
    page.get_by_label("Tell us about yourself as our customer").fill(
        "I have a debit card and use the app"
    )
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Give it a short title").press_sequentially(
        "Pause my lost card in the app", delay=15
    )
    card = page.get_by_test_id("similar-idea").filter(has_text="Pause a lost card from the app")
    expect(card).to_be_visible()
    card.get_by_role("button", name=re.compile("Support this instead")).click()
    expect(page.get_by_role("status")).to_contain_text("your draft was discarded")
    expect(page).to_have_url(f"{live_server.url}/ideas/{existing.pk}/")
    expect(page.get_by_test_id("supports-customers")).to_have_text("1")
    assert Idea.objects.filter(author__email="cara@example.com").count() == 0

    page.goto(f"{live_server.url}/ideas/new/")
    page.get_by_label("Tell us about yourself as our customer").fill("I have a savings account")
    page.get_by_role("button", name="Next").click()
    # the minimum is checked on the field before the next step
    page.get_by_label("Give it a short title").fill("Goals")
    page.get_by_label("What do you need, or what went wrong?").fill("Too short")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text(re.compile("at least 10 characters, so others"))).to_be_visible()
    page.get_by_label("Give it a short title").fill("Savings goals I can share with family")
    page.get_by_label("What do you need, or what went wrong?").fill(
        "We save for a holiday together but each of us has a separate goal."
    )
    page.get_by_role("button", name="Next").click()
    page.get_by_label("When did this happen to you?").fill(
        "Every month since January, when we started saving."
    )
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_role("status")).to_contain_text("your idea is submitted")
    expect(page.get_by_test_id("evidence-summary")).to_contain_text("1 piece of evidence")


def test_a_manager_moves_an_idea_from_submitted_to_funded_with_the_offered_actions(
    campaign, page, live_server, login
):
    today = timezone.localdate()
    default_scorecard()  # a transactional test before this one flushed the migration's
    FiscalYearFactory(
        label="FY now", starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31)
    )
    PanelFactory(
        name="Cross-functional panel",
        members=[EmployeeFactory(function=f) for f in ("marketing", "sales", "it")],
    )
    idea = services.idea_submit(
        author=EmployeeFactory(),
        title="Book a branch slot instead of queueing",
        customer_need="Saturday queues average 27 minutes; 12% walk out.",
        innovation_type="new_interaction_model",
        campaign=campaign,
    )
    add_evidence(idea)
    ManagerFactory(email="maya@example.com", display_name="Maya Manager")
    login("maya@example.com", PASSWORD)
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    panel = page.get_by_test_id("next-moves")
    status = page.get_by_test_id("idea-status")

    panel.get_by_role("button", name="Move to screening").click()
    expect(status).to_have_text("Screening")

    # In review: not offered; the panel links to the round form with this idea ticked.
    expect(panel.get_by_role("button", name="Move to in review")).to_have_count(0)
    panel.get_by_role("link", name="Add to a review round").click()
    page.get_by_label("Panel").select_option(label="Cross-functional panel")
    page.get_by_label("Due").fill(f"{today.year + 1}-01-15T12:00")
    expect(page.get_by_role("checkbox", name=re.compile("Book a branch slot"))).to_be_checked()
    page.get_by_role("button", name="Create round").click()
    page.get_by_role("button", name="Open the round").click()
    # Opening the round puts its ideas in review.
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    expect(status).to_have_text("In review")

    # Shortlisted: no panel score yet; the panel offers the override with a reason.
    panel.get_by_text("Override the signal gate").click()
    panel.get_by_label("Reason for the override").fill("The board asked for it this quarter.")
    panel.get_by_role("button", name="Move to shortlisted by override").click()
    expect(status).to_have_text("Shortlisted")

    # Approved: the owner and the expected value, each a link to its field.
    panel.get_by_role("link", name="Set the owner").click()
    page.get_by_role("combobox", name="Accountable owner").fill("maya@example.com")
    page.get_by_role("button", name="Set owner").click()
    panel.get_by_role("link", name="Set the expected value").click()
    page.get_by_label("Revenue protected per year").fill("250000")
    page.get_by_role("button", name="Save expected value").click()
    panel.get_by_role("button", name="Move to approved").click()
    expect(status).to_have_text("Approved")

    # Funded: the allocation form, with the idea chosen; allocating funds it.
    panel.get_by_role("link", name="Allocate budget").click()
    expect(page.get_by_label("Idea", exact=True)).to_have_value(str(idea.pk))
    page.get_by_label("Amount", exact=True).fill("40000")
    page.get_by_role("button", name="Allocate").click()
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    expect(status).to_have_text("Funded")


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_the_submission_is_completed_with_the_keyboard_alone(campaign, page, live_server, login):
    EmployeeFactory(email="kim@example.com", display_name="Kim Keys")
    login("kim@example.com", PASSWORD)
    page.goto(f"{live_server.url}/ideas/new/")
    _tab_to(page, "#id_who")
    page.keyboard.type("Customers who phone us about a lost card")
    _tab_to(page, "[data-step=who] [data-step-next]")
    page.keyboard.press("Enter")
    _tab_to(page, "#id_title")
    page.keyboard.type("Freeze a card with one tap")
    page.keyboard.press("Tab")
    page.keyboard.type("They cannot stop a lost card without calling us, often at night.")
    _tab_to(page, "[data-step=need] [data-step-next]")
    page.keyboard.press("Space")
    _tab_to(page, "#id_evidence_summary")
    page.keyboard.type("3,200 calls a month to block cards (contact centre, May).")
    _tab_to(page, "[data-step=evidence] [data-step-next]")
    page.keyboard.press("Enter")
    _tab_to(page, "#id_proposal")
    page.keyboard.type("A freeze switch on the card screen, undone with the same switch.")
    _tab_to(page, "button[name=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("your idea is submitted")
    idea = Idea.objects.get(author__email="kim@example.com")
    assert idea.title == "Freeze a card with one tap" and idea.evidence_count == 1

"""Browser journeys of the ideas app: submit with duplicate suggestions, a customer's first
idea and support, a manager's move that the author hears about."""

import re

import pytest
from playwright.sync_api import expect

from ideas import engagement, services
from tests.e2e.submission import fill_guided
from tests.factories import PASSWORD, CampaignFactory, EmployeeFactory, ManagerFactory


@pytest.fixture
def campaign(transactional_db):
    return CampaignFactory(title="Everyday banking", slug="everyday", audience="everyone")


def test_an_employee_submits_an_idea_and_sees_a_duplicate_on_the_way(
    campaign, page, live_server, login
):
    other = EmployeeFactory()
    services.idea_submit(
        author=other,
        title="Activate the card in the app on arrival",
        customer_need="PIN letters arrive three days after the card: 2,300 calls a month.",
        innovation_type="new_technology",
    )
    EmployeeFactory(email="erin@example.com", display_name="Erin Employee")
    login("erin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/ideas/new/")
    page.locator("#id_who").fill("New customers waiting for their first card")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Title").press_sequentially("Activate card in the app", delay=20)
    suggestions = page.get_by_test_id("similar-ideas")
    expect(suggestions).to_contain_text("Activate the card in the app on arrival")
    page.get_by_label("What do they need?").fill(
        "New customers cannot use their card for a week (complaints log, March)."
    )
    page.get_by_role("button", name="Next").click()
    page.get_by_label("What did you see or hear?").fill("The complaints log of March, 212 calls.")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Your proposal").fill("Activate the card in the app as soon as it arrives.")
    page.get_by_label("Innovation type").select_option("optimization")
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_role("status")).to_contain_text("your idea is submitted")
    expect(page.get_by_test_id("idea-status")).to_have_text("Submitted")


def test_a_customer_signs_up_submits_supports_and_never_sees_internal_comments(
    campaign, page, live_server, mailoutbox
):
    staff = EmployeeFactory()
    other = services.idea_submit(
        author=staff,
        title="Warn before an overdraft fee hits",
        customer_need="Fee complaints doubled after the tariff change.",
        innovation_type="optimization",
        campaign=campaign,
    )
    engagement.comment_add(
        idea=other, author=staff, body="Legal must review the wording.", is_internal=True
    )
    engagement.comment_add(idea=other, author=staff, body="Customers ask for this weekly.")

    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("E-mail").fill("nora@example.com")
    page.get_by_label("Your name").fill("Nora New")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-pass")
    page.get_by_label("Password again").fill("a-long-unusual-pass")
    page.get_by_role("button", name="Create account").click()
    # Sign-up answers the same for a new and a known address: confirm, then log in.
    expect(page.get_by_role("status")).to_contain_text("your customer account is ready")
    # Customers take part once they have confirmed their address.
    link = re.search(r"https?://\S+/confirm-email/\S+", mailoutbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("nora@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-pass")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/ideas/new/")
    fill_guided(
        page,
        who="I have a current account and a debit card",
        title="Let me pause my card from the app",
        need="I lost my card twice this year and waited on the phone to block it.",
        campaign="everyday",
        innovation_type="new_experience",
    )
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_role("status")).to_contain_text("your idea is submitted")
    expect(page.get_by_test_id("idea-author")).to_have_text("Nora New")

    page.goto(f"{live_server.url}/ideas/{other.pk}/")
    expect(page.get_by_text("Customers ask for this weekly.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Legal must review")
    page.get_by_role("button", name="Support this idea").click()
    expect(page.get_by_test_id("supports-customers")).to_have_text("1")
    expect(page.get_by_role("button", name=re.compile("withdraw"))).to_be_visible()


def test_a_manager_moves_an_idea_and_the_author_sees_the_notification(
    campaign, page, live_server, login
):
    author = EmployeeFactory(email="ann@example.com", display_name="Ann Author")
    idea = services.idea_submit(
        author=author,
        title="Book a branch slot instead of queueing",
        customer_need="Saturday queues average 27 minutes; 12% walk out.",
        innovation_type="new_interaction_model",
    )
    ManagerFactory(email="maya@example.com", display_name="Maya Manager")
    login("maya@example.com", PASSWORD)
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    page.get_by_role("button", name="Move to screening").click()
    expect(page.get_by_test_id("idea-status")).to_have_text("Screening")
    page.get_by_role("button", name="Log out").click()

    login("ann@example.com", PASSWORD)
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("notification")).to_contain_text("moved from submitted to screening")

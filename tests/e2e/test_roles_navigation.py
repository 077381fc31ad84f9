import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD

# (demo login, a nav item this role must see, a nav item it must not see, the home block
# made for this role): each role's navigation differs from the next one's by at least these
# items, and home opens on what that role came to do.
ROLES = [
    ("customer@example.com", "Log out", "Journey map", "home-mine"),
    ("employee@example.com", "Journey map", "My reviews", "home-mine"),
    ("panelist@example.com", "My reviews", "Panels & rounds", "home-reviews"),
    ("manager@example.com", "Panels & rounds", "executive)", "home-triage"),
    ("executive@example.com", "Budget dashboard", "Panels & rounds", "home-kpis"),
]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--quiet-logins")


@pytest.mark.parametrize(("email", "sees", "hidden", "home_block"), ROLES)
def test_each_demo_role_logs_in_and_sees_its_navigation(
    demo, page, live_server, login, email, sees, hidden, home_block
):
    login(email, DEMO_PASSWORD)
    header = page.locator("header")
    expect(header).to_contain_text(sees)
    expect(header).not_to_contain_text(hidden)
    expect(page.get_by_test_id(home_block).first).to_be_visible()


def test_a_wrong_password_shows_a_clear_message(demo, page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("customer@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")


def test_a_customer_signs_up_in_the_browser(transactional_db, page, live_server):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("E-mail").fill("new.customer@example.com")
    page.get_by_label("Your name").fill("Nora New")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-pass")
    page.get_by_label("Password again").fill("a-long-unusual-pass")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("your customer account is ready")
    page.get_by_label("E-mail").fill("new.customer@example.com")
    page.get_by_label("Password").fill("a-long-unusual-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header")).to_contain_text("(customer)")

"""A manager allocates money to an approved idea with the keyboard alone: every control of
the allocation journey is reachable with Tab, operable with the keys, and the result is
announced on the page."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ideas.models import Idea
from tests import factories
from tests.factories.accounts import PASSWORD


@pytest.fixture
def allocation_world(transactional_db):
    today = timezone.localdate()
    fy = factories.FiscalYearFactory(
        label=f"FY{today.year}",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
        marketing_budget=Decimal("1000000.00"),
    )
    manager = factories.ManagerFactory(email="keys.manager@example.com")
    idea = factories.IdeaFactory(status="approved", owner=manager, title="Instant card freeze")
    return fy, idea


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until ``selector`` has the focus (fails if it is not in the tab order)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received the focus with Tab")


def test_a_manager_allocates_with_the_keyboard_alone(allocation_world, page, live_server, login):
    fy, idea = allocation_world
    login("keys.manager@example.com", PASSWORD)
    page.goto(f"{live_server.url}/budgets/")

    # From the dashboard to the allocation page.
    tab_to(page, f'a[href$="/budgets/{fy.pk}/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/budgets/{fy.pk}/")

    # The header's Allocate link jumps to the form; then the idea, the amount, the button.
    tab_to(page, 'a[href="#allocate-h"]')
    page.keyboard.press("Enter")
    tab_to(page, "#id_idea")
    page.keyboard.press("ArrowDown")  # the first (and only) fundable idea
    assert page.eval_on_selector("#id_idea", "el => el.value") == str(idea.pk)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_amount"
    page.keyboard.type("5000")
    tab_to(page, 'form[action$="/allocate/"] button[type="submit"]')
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/budgets/{fy.pk}/")
    expect(page.get_by_text("Allocated €5,000 to “Instant card freeze”.")).to_be_visible()
    expect(page.locator('[data-budget="committed"]')).to_have_text("€5,000")
    idea.refresh_from_db()
    assert idea.status == "funded"
    assert Idea.objects.get(pk=idea.pk).allocations.get().amount == Decimal("5000.00")

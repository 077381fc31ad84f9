"""Browser journeys of evidence and horizon: an employee adds evidence to their idea (htmx,
no reload); a manager confirms the type and horizon at screening."""

from playwright.sync_api import expect

from ideas.models import Idea
from tests.factories import PASSWORD, EmployeeFactory, IdeaFactory, ManagerFactory


def test_an_employee_adds_evidence_to_their_idea(transactional_db, page, live_server, login):
    erin = EmployeeFactory(email="erin@example.com", display_name="Erin Employee")
    idea = IdeaFactory(author=erin, title="Pre-fill income", status="submitted")
    login("erin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    expect(page.get_by_test_id("evidence-summary")).to_contain_text("0 pieces of evidence")
    page.get_by_text("Add a piece of evidence").click()
    page.get_by_label("Kind of evidence").select_option("complaint")
    page.get_by_label("Summary").fill("340 calls about the income step in March.")
    page.get_by_label("Customers affected").fill("340")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_test_id("evidence-item")).to_contain_text("340 calls about the income")
    expect(page.get_by_test_id("evidence-summary")).to_contain_text("speaking for 340 customers")
    idea.refresh_from_db()
    assert (idea.evidence_count, idea.customers_affected) == (1, 340)


def test_a_manager_confirms_type_and_horizon_at_screening(
    transactional_db, page, live_server, login
):
    ManagerFactory(email="maya@example.com", display_name="Maya Manager")
    idea = IdeaFactory(
        title="Video advice", status="screening", innovation_type="optimization", horizon="core"
    )
    login("maya@example.com", PASSWORD)
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    expect(page.get_by_test_id("type-confirmed")).to_contain_text("not confirmed")
    form = page.get_by_role("form", name="Confirm type and horizon")
    form.get_by_label("Innovation type").select_option("new_interaction_model")
    form.get_by_label("Horizon").select_option("adjacent")
    form.get_by_role("button", name="Confirm type and horizon").click()
    expect(page.get_by_role("status")).to_contain_text("Type and horizon confirmed")
    expect(page.get_by_test_id("type-confirmed")).to_have_text("confirmed")
    expect(page.get_by_test_id("idea-horizon")).to_contain_text("Adjacent")
    idea = Idea.objects.get(pk=idea.pk)
    assert (idea.innovation_type, idea.horizon, idea.type_confirmed, idea.horizon_confirmed) == (
        "new_interaction_model",
        "adjacent",
        True,
        True,
    )

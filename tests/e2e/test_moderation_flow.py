"""Browser journey of moderation: a customer's comment with profanity is held (only they
see it, marked as held), a manager approves it in the moderation queue (an htmx row
action), and the comment appears for other readers."""

from playwright.sync_api import expect

from ideas.models import Comment
from tests.factories import (
    PASSWORD,
    CampaignFactory,
    CustomerFactory,
    EmployeeFactory,
    IdeaFactory,
    ManagerFactory,
)

PROFANE = "This damn form logged me out twice while I typed my income."


def test_moderation_of_a_held_comment(transactional_db, page, live_server, login, artifacts):
    CustomerFactory(email="chloe@example.com", display_name="Chloe Customer")
    CustomerFactory(email="otto@example.com", display_name="Otto Outsider")
    ManagerFactory(email="maya@example.com", display_name="Maya Manager")
    idea = IdeaFactory(
        title="Pre-fill the income step",
        author=EmployeeFactory(display_name="Erin Employee"),
        campaign=CampaignFactory(audience="everyone"),
        status="submitted",
    )
    idea_url = f"{live_server.url}/ideas/{idea.pk}/"

    # The customer comments; the comment is held and marked so, for them only.
    login("chloe@example.com", PASSWORD)
    page.goto(idea_url)
    page.get_by_label("Your comment").fill(PROFANE)
    page.get_by_role("button", name="Post comment").click()
    held = page.get_by_test_id("comment").filter(has_text="logged me out twice")
    expect(held.get_by_test_id("comment-held")).to_have_text("Held for review")
    expect(held).to_contain_text("Only you and the moderators see this comment")
    assert Comment.objects.get(body=PROFANE).moderation == "held"
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=artifacts / f"moderation-held-comment-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Another reader does not see it.
    page.context.clear_cookies()
    login("otto@example.com", PASSWORD)
    page.goto(idea_url)
    expect(page.locator("#comments")).to_contain_text("No comments yet.")
    expect(page.locator("#comments")).not_to_contain_text("logged me out twice")

    # A manager approves it from the queue; the row swaps in place.
    page.context.clear_cookies()
    login("maya@example.com", PASSWORD)
    expect(page.get_by_test_id("moderation-waiting")).to_contain_text("1")
    page.locator("header summary", has_text="Manage").click()
    page.get_by_role("link", name="Moderation").click()
    row = page.get_by_test_id("moderation-case").filter(has_text="logged me out twice")
    expect(row).to_contain_text("Profanity")
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=artifacts / f"moderation-queue-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    row.get_by_role("button", name="Approve").click()
    expect(row.get_by_test_id("moderation-done")).to_contain_text("Approved")
    assert Comment.objects.get(body=PROFANE).moderation == "published"

    # Now everyone reads it.
    page.context.clear_cookies()
    login("otto@example.com", PASSWORD)
    page.goto(idea_url)
    comment = page.get_by_test_id("comment").filter(has_text="logged me out twice")
    expect(comment).to_be_visible()
    expect(comment.get_by_test_id("comment-held")).to_have_count(0)

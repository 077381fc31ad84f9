"""Filling in the guided new-idea form in the browser (its four steps, one at a time)."""

from playwright.sync_api import Page


def fill_guided(
    page: Page,
    *,
    who: str = "Customers who bank with us on their phone",
    title: str,
    need: str,
    evidence: str = "Twelve complaints in March said exactly this.",
    proposal: str = "Let customers do it in the app, in two taps, with a clear confirmation.",
    campaign: str | None = None,
    innovation_type: str | None = None,
) -> None:
    """Fill every step and stop on the last one (the caller submits). Fields by id, so the
    same helper serves customers and employees."""
    page.locator("#id_who").fill(who)
    if campaign:
        page.locator("#id_campaign").select_option(campaign)
    page.get_by_role("button", name="Next").click()
    page.locator("#id_title").fill(title)
    page.locator("#id_customer_need").fill(need)
    page.get_by_role("button", name="Next").click()
    page.locator("#id_evidence_summary").fill(evidence)
    page.get_by_role("button", name="Next").click()
    page.locator("#id_proposal").fill(proposal)
    if innovation_type:
        types = page.locator("#id_innovation_type")
        if types.evaluate("el => el.tagName") == "SELECT":
            types.select_option(innovation_type)
        else:
            page.locator(f"input[name=innovation_type][value={innovation_type}]").check()

"""Gate checks the budgets app registers with ideas.workflow (see BudgetsConfig.ready)."""

from django.urls import reverse

from budgets.models import Allocation, FiscalYear
from budgets.selectors import default_fiscal_year
from ideas.workflow import Fix


def funded_gate(ctx) -> str | None:
    """``funded`` needs a committed allocation. budgets.services.allocation_create creates
    it inside the same transaction, just before it asks for the move."""
    if Allocation.objects.filter(idea_id=ctx.idea.pk).committed().exists():
        return None
    return "Funding needs a committed budget allocation: allocate from the budget page."


def allocate_fix(idea) -> Fix:
    """Funding: the allocation form of the current fiscal year, with the idea chosen (the
    allocation itself moves the idea to funded)."""
    years = list(FiscalYear.objects.order_by("-starts_on").only("id", "starts_on", "ends_on"))
    fy = default_fiscal_year(years)
    if fy is None:
        return Fix("Set up a fiscal year", reverse("budgets:fiscal_year_new"))
    url = reverse("budgets:fiscal_year", args=[fy.pk])
    return Fix("Allocate budget", f"{url}?idea={idea.pk}#allocate")

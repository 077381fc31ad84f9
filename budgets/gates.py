"""Gate checks the budgets app registers with ideas.workflow (see BudgetsConfig.ready)."""

from budgets.models import Allocation


def funded_gate(ctx) -> str | None:
    """``funded`` needs a committed allocation. budgets.services.allocation_create creates
    it inside the same transaction, just before it asks for the move."""
    if Allocation.objects.filter(idea_id=ctx.idea.pk).committed().exists():
        return None
    return "Funding needs a committed budget allocation: allocate from the budget page."

"""HTML views of the budgets app: the manager's fiscal-year pages. The executive dashboard
(``/budgets/``), which adds ideas and scores to the money, is ``insights.views.dashboard``.

Every write goes through budgets.services; rules are checked by name (budgets.rules).
Bad input re-renders the page with status 400 and saves nothing; a budget conflict
(overrun, idea not fundable, workflow refusal) re-renders it with 409 and the message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budgets import services
from budgets.forms import AllocationForm, FiscalYearForm, SpendForm
from budgets.models import Allocation, FiscalYear
from core.templatetags.juncture import money
from core.web import HtmxHttpRequest, add_service_errors, require_perm
from ideas.workflow import TransitionError


def _fiscal_year_for(request: HtmxHttpRequest, pk: int, perm: str) -> FiscalYear:
    """The one access helper for a fiscal year: permission first (403), then 404."""
    require_perm(request.user, perm)
    return get_object_or_404(FiscalYear, pk=pk)


def _fiscal_year_page(
    request: HtmxHttpRequest, fy: FiscalYear, *, allocate_form=None, spend_form=None, status=200
):
    allocations = (
        Allocation.objects.filter(fiscal_year=fy)
        .select_related("idea", "allocated_by")
        .order_by("-created_at", "-id")
    )
    committed = services.committed_total(fy)
    return render(
        request,
        "budgets/fiscal_year.html",
        {
            "fiscal_year": fy,
            "allocations": allocations,
            "committed": committed,
            "remaining": fy.innovation_budget - committed,
            # ?idea=<id>: the idea page's "Allocate budget" link chooses the idea.
            "allocate_form": allocate_form
            or AllocationForm(initial={"idea": request.GET.get("idea", "")}),
            "spend_form": spend_form or SpendForm(fiscal_year=fy),
        },
        status=status,
    )


@login_required
@require_GET
def fiscal_year(request: HtmxHttpRequest, pk: int):
    fy = _fiscal_year_for(request, pk, "budgets.manage_fiscalyear")
    return _fiscal_year_page(request, fy)


@login_required
@require_POST
def allocate(request: HtmxHttpRequest, pk: int):
    fy = _fiscal_year_for(request, pk, "budgets.add_allocation")
    form = AllocationForm(request.POST)
    if not form.is_valid():
        return _fiscal_year_page(request, fy, allocate_form=form, status=400)
    data = form.cleaned_data
    try:
        allocation = services.allocation_create(
            fiscal_year=fy,
            idea=data["idea"],
            amount=data["amount"],
            actor=request.user,
            note=data["note"],
            override=data["override"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _fiscal_year_page(request, fy, allocate_form=form, status=400)
    except (services.BudgetConflict, TransitionError) as exc:
        form.add_error(None, exc.message)
        return _fiscal_year_page(request, fy, allocate_form=form, status=409)
    suffix = " (override recorded)" if allocation.override else ""
    messages.success(
        request,
        f"Allocated {money(allocation.amount, fy.currency)} to “{data['idea'].title}”{suffix}.",
    )
    return redirect("budgets:fiscal_year", pk=fy.pk)


@login_required
@require_POST
def release(request: HtmxHttpRequest, pk: int):
    require_perm(request.user, "budgets.release_allocation")
    allocation = get_object_or_404(Allocation.objects.select_related("fiscal_year"), pk=pk)
    try:
        services.allocation_release(allocation=allocation, actor=request.user)
    except services.BudgetConflict as exc:
        messages.error(request, exc.message)
    else:
        amount = money(allocation.amount, allocation.fiscal_year.currency)
        messages.success(request, f"Released {amount} back to the budget.")
    return redirect("budgets:fiscal_year", pk=allocation.fiscal_year_id)


@login_required
@require_POST
def spend(request: HtmxHttpRequest, pk: int):
    fy = _fiscal_year_for(request, pk, "budgets.add_spend")
    form = SpendForm(request.POST, fiscal_year=fy)
    if not form.is_valid():
        return _fiscal_year_page(request, fy, spend_form=form, status=400)
    data = form.cleaned_data
    try:
        spend = services.spend_record(
            allocation=data["allocation"],
            amount=data["amount"],
            spent_on=data["spent_on"],
            description=data["description"],
            actor=request.user,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _fiscal_year_page(request, fy, spend_form=form, status=400)
    except services.BudgetConflict as exc:
        form.add_error(None, exc.message)
        return _fiscal_year_page(request, fy, spend_form=form, status=409)
    messages.success(request, f"Recorded {money(spend.amount, fy.currency)} of spend.")
    return redirect("budgets:fiscal_year", pk=fy.pk)


@login_required
@require_http_methods(["GET", "POST"])
def fiscal_year_edit(request: HtmxHttpRequest, pk: int | None = None):
    fy = _fiscal_year_for(request, pk, "budgets.manage_fiscalyear") if pk else None
    if fy is None:
        require_perm(request.user, "budgets.manage_fiscalyear")
    form = FiscalYearForm(request.POST or None, instance=fy)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = form.service_fields()
            try:
                if fy is None:
                    fy = services.fiscal_year_create(actor=request.user, **fields)
                else:
                    services.fiscal_year_update(fiscal_year=fy, actor=request.user, **fields)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            except services.BudgetConflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, f"Saved {fy.label}.")
                return redirect("budgets:fiscal_year", pk=fy.pk)
        else:
            status = 400
    return render(
        request, "budgets/fiscal_year_form.html", {"form": form, "fiscal_year": fy}, status=status
    )

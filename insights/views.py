"""HTML views of the insights pages: the journey map (with its htmx cell panel) and the
executive dashboard with its CSV export. Their URLs are the historical ones (``/journeys/``,
``/budgets/``), routed here by config.urls."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from budgets.models import FiscalYear
from budgets.selectors import default_fiscal_year, jsonable
from core.web import HtmxHttpRequest, csv_response, require_perm, vary_on_htmx
from insights import dashboard as dash
from insights import selectors
from insights.forms import MapFilterForm
from journeys.models import Journey, Stage
from journeys.selectors import default_journey

# --- The journey map -----------------------------------------------------------------------


def _journey_for(request: HtmxHttpRequest, pk: int) -> Journey:
    """The journey ``pk`` if the user may see the map (403), or 404."""
    require_perm(request.user, "insights.view_journey_map")
    return get_object_or_404(Journey, pk=pk)


@login_required
@require_GET
def default_map(request: HtmxHttpRequest) -> HttpResponse:
    """``/journeys/``: the map of the default journey (filters carried over)."""
    require_perm(request.user, "insights.view_journey_map")
    journey = default_journey()
    if journey is None:
        raise Http404("There is no default journey yet.")
    url = reverse("insights:journey_map", args=[journey.pk])
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _map_context(request: HtmxHttpRequest, journey: Journey) -> tuple[dict, int]:
    """The one builder of the map page's context (the page, its grid partial and the page
    with a cell panel open)."""
    can_see_money = request.user.has_perm("insights.view_funding")
    options = selectors.filter_options(journey, can_see_money=can_see_money)
    form = MapFilterForm(request.GET, options=options, can_see_money=can_see_money)
    if form.is_valid():
        filters, status = form.cleaned_data, 200
    else:
        # Bad filters: say so and show the unfiltered map rather than nothing.
        filters, status = {}, 400
    data = selectors.journey_map(
        journey=journey,
        viewer=request.user,
        campaign=filters.get("campaign"),
        fiscal_year=filters.get("fiscal_year"),
        metric=filters.get("metric") or "ideas",
    )
    return {
        "journey": journey,
        "map": data,
        "form": form,
        "campaign": filters.get("campaign"),
        "can_manage": request.user.has_perm("journeys.manage_journey"),
        "board_url": reverse("ideas:board"),
        "new_idea_url": reverse("ideas:new"),
    }, status


@login_required
@require_GET
def journey_map(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = _journey_for(request, pk)
    context, status = _map_context(request, journey)
    template = "insights/journey_map.html"
    if request.htmx and not request.htmx.boosted:
        template += "#map-grid"
    return vary_on_htmx(render(request, template, context, status=status))


@login_required
@require_GET
def stage_ideas(request: HtmxHttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    """The live ideas of one map cell: the panel for htmx, the whole map with the panel
    filled in otherwise."""
    journey = _journey_for(request, pk)
    stage = get_object_or_404(Stage, pk=stage_pk, journey=journey)
    campaign = request.GET.get("campaign")
    campaign = int(campaign) if campaign and campaign.isdigit() else None
    panel = {
        "stage": stage,
        "ideas": list(selectors.stage_ideas(stage=stage, campaign=campaign)),
        "board_url": reverse("ideas:board"),
    }
    if request.htmx:
        response = render(request, "insights/journey_map.html#cell-ideas", {"panel": panel})
    else:
        context, status = _map_context(request, journey)
        response = render(
            request, "insights/journey_map.html", {**context, "panel": panel}, status=status
        )
    return vary_on_htmx(response)


# --- The executive dashboard ---------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """``/budgets/``: the chosen fiscal year (``?fiscal_year=``), else the one containing
    today, else the latest."""
    require_perm(request.user, "insights.view_dashboard")
    years = list(FiscalYear.objects.order_by("-starts_on"))
    chosen = None
    wanted = request.GET.get("fiscal_year")
    if wanted and wanted.isdigit():
        chosen = next((fy for fy in years if fy.pk == int(wanted)), None)
    if chosen is None:
        chosen = default_fiscal_year(years)
    summary = dash.executive_summary(chosen).as_dict() if chosen else None
    return render(
        request,
        "insights/dashboard.html",
        {
            "years": years,
            "fiscal_year": chosen,
            "summary": summary,
            "summary_json": jsonable(summary) if summary else None,
        },
    )


@login_required
@require_GET
def summary_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "insights.view_dashboard")
    fy = get_object_or_404(FiscalYear, pk=pk)
    return csv_response(
        f"budget-summary-{fy.pk}.csv",
        dash.SUMMARY_CSV_HEADER,
        dash.summary_csv_rows(dash.executive_summary(fy)),
    )

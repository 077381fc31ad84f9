"""HTML views of the insights pages: the journey map (with its htmx cell panel), the
executive dashboard with its CSV export (at their historical URLs ``/journeys/`` and
``/budgets/``, routed here by config.urls), the portfolio and panel accuracy.

Every page and export here is a report: ``core.db.report_read`` sends its reads to the
replica when one is configured, and each page says how current its data is (``as_of``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from budgets.models import FiscalYear
from budgets.selectors import default_fiscal_year, jsonable, money
from core.db import as_of, report_read
from core.fragments import cached_fragments
from core.web import (
    HtmxHttpRequest,
    csv_response,
    is_partial,
    require_perm,
    vary_on_htmx,
)
from insights import accuracy as acc
from insights import dashboard as dash
from insights import portfolio as port
from insights import selectors, services
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
    context = {
        "journey": journey,
        "map": data,
        "form": form,
        "campaign": filters.get("campaign"),
        "can_manage": request.user.has_perm("journeys.manage_journey"),
        "board_url": reverse("ideas:board"),
        "new_idea_url": reverse("ideas:new"),
        "as_of": as_of(),
    }
    # The grid shows only the map's figures and these links: rendered once per set of them.
    grid = {k: context[k] for k in ("journey", "map", "board_url", "new_idea_url")}
    context["map_grid_html"] = cached_html(
        "journey-map",
        [journey.pk, data, grid["board_url"], grid["new_idea_url"]],
        lambda: render_to_string("insights/journey_map.html#map-grid", grid, request),
        template="templates/insights/journey_map.html",
    )
    return context, status


@login_required
@require_GET
@report_read
def journey_map(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = _journey_for(request, pk)
    context, status = _map_context(request, journey)
    if request.htmx and not request.htmx.boosted:
        return vary_on_htmx(HttpResponse(context["map_grid_html"], status=status))
    return vary_on_htmx(render(request, "insights/journey_map.html", context, status=status))


@login_required
@require_GET
@report_read
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
@report_read
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
    value = None
    if chosen:
        # The one line on what the year's money bought (the portfolio has the detail).
        realised = port.realised_total(chosen)
        value = {"realised": realised, "roi": port.roi(realised, summary["spent"])}
    context = {
        "years": years,
        "fiscal_year": chosen,
        "summary": summary,
        "summary_json": jsonable(summary) if summary else None,
        "value": jsonable(value) if value else None,
        "headline": dash.headline(summary) if summary else None,
        "as_of": as_of(),
    }
    if summary:
        context["summary_html"] = _summary_html(request, context)
    return render(request, "insights/dashboard.html", context)


def _summary_html(request: HtmxHttpRequest, context: dict) -> str:
    """The dashboard's summary (``dashboard.html#summary-body``: ~2,000 localized figures,
    most of them the daily snapshot series), rendered once per set of figures."""
    return cached_html(
        "dashboard",
        [context["summary_json"], context["value"], jsonable(context["headline"])],
        lambda: render_to_string("insights/dashboard.html#summary-body", context, request),
        template="templates/insights/dashboard.html",
    )


def cached_html(name: str, figures: list, render_html, *, template: str) -> str:
    """A report's fragment rendered by ``render_html`` from ``template``, cached under a
    digest of every value it shows (``core.fragments``)."""
    return cached_fragments(name, figures, lambda: [render_html()], sources=(template,))[0]


@login_required
@require_GET
@report_read
def summary_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "insights.view_dashboard")
    fy = get_object_or_404(FiscalYear, pk=pk)
    return csv_response(
        f"budget-summary-{fy.pk}.csv",
        dash.SUMMARY_CSV_HEADER,
        dash.summary_csv_rows(dash.executive_summary(fy)),
    )


# --- The portfolio -------------------------------------------------------------------------

PORTFOLIO_PAGE_SIZE = 25
PORTFOLIO_CSV_HEADER = [
    "rank",
    "idea",
    "title",
    "status",
    "innovation_type",
    "horizon",
    "spent",
    "expected_per_year",
    "realised_generated",
    "realised_protected",
    "realised_total",
]


@login_required
@require_GET
@report_read
def portfolio(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "insights.view_portfolio")
    try:
        years, fy = port.chosen_year(request.GET.get("fiscal_year"))
    except port.NoSuchYear:
        raise Http404("No such fiscal year.") from None
    if fy and is_partial(request, "ranked-ideas"):
        # Another page of the ranking: the figures above it stay as they are.
        page = port.ranked_page(request, fy, PORTFOLIO_PAGE_SIZE)
        response = render(request, "insights/portfolio.html#ranked-ideas", {"page": page})
        return vary_on_htmx(response)
    data, page = None, None
    if fy:
        # The money cells count the year's ideas: the ranking's paginator needs no COUNT.
        cells = port.money_cells(fy)
        data = port.portfolio(fy, cells=cells)
        count = sum(c.ideas for c in cells)
        page = port.ranked_page(request, fy, PORTFOLIO_PAGE_SIZE, count=count)
    context = {
        "years": years,
        "fiscal_year": fy,
        "p": jsonable(data) if data else None,
        "page": page,
        "as_of": as_of(),
    }
    return vary_on_htmx(render(request, "insights/portfolio.html", context))


@login_required
@require_GET
@report_read
def portfolio_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "insights.view_portfolio")
    fy = get_object_or_404(FiscalYear, pk=pk)
    rows = (
        [
            rank,
            entry.idea_id,
            entry.idea.title,
            entry.idea.status,
            entry.innovation_type,
            entry.horizon,
            # Money with two places whatever the database returns (SQLite drops them).
            *(
                money(v)
                for v in (
                    entry.spent,
                    entry.expected,
                    entry.realised_generated,
                    entry.realised_protected,
                    entry.realised_total,
                )
            ),
        ]
        for rank, entry in enumerate(port.ranked_ideas(fy).iterator(chunk_size=2000), start=1)
    )
    return csv_response(f"portfolio-{fy.pk}.csv", PORTFOLIO_CSV_HEADER, rows)


# --- Panel accuracy ------------------------------------------------------------------------


@login_required
@require_GET
@report_read
def accuracy(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "insights.view_accuracy")
    figures = acc.latest_figures()
    can_apply = request.user.has_perm("scoring.manage_scorecards")
    return render(
        request,
        "insights/accuracy.html",
        {
            "a": figures,
            "can_apply": can_apply and bool(figures["suggested_weights"]),
            "as_of": as_of(),
        },
    )


@login_required
@require_POST
def accuracy_apply(request: HtmxHttpRequest) -> HttpResponse:
    """Create a scorecard version with the weights the stored figures suggest (the figures
    the manager was shown, not weights sent by the browser)."""
    require_perm(request.user, "scoring.manage_scorecards")
    try:
        version = services.accuracy_suggestion_apply(actor=request.user)
    except services.NoSuggestion as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Scorecard “{version.name}” created and made the default for new "
            "rounds; rounds already held keep their scorecard.",
        )
    return HttpResponseRedirect(reverse("insights:accuracy"))

"""HTML views of the outcomes app: an idea's experiments, the experiment page (chart, data
table, measurements one by one or from CSV, the decision) and the idea's realised value.

Every write goes through outcomes.services; rules are checked by name (outcomes.rules).
Bad input re-renders the page with status 400 and saves nothing; a state conflict (a decided
experiment, an overlapping period) re-renders it with 409 and the message. The measurements
region is an htmx partial; every form also works as a plain POST.
"""

import json
from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.web import HtmxHttpRequest, add_service_errors, is_partial, require_perm, vary_on_htmx
from ideas.models import Idea, Status
from outcomes import services
from outcomes.forms import (
    DecideForm,
    ExperimentForm,
    ImportForm,
    MeasurementForm,
    ValueRecordForm,
)
from outcomes.models import Experiment
from outcomes.services import OutcomeConflict


def _idea_for(request: HtmxHttpRequest, pk: int, read_perm: str) -> Idea:
    """The one access helper for an idea's outcome pages: 404 unless the user may see the
    idea and read ``read_perm`` on it (so nothing confirms what they may not read)."""
    idea = get_object_or_404(
        Idea.objects.visible_to(request.user).select_related("campaign", "owner"), pk=pk
    )
    if not request.user.has_perm(read_perm, idea):
        raise Http404
    return idea


def _experiment_for(request: HtmxHttpRequest, pk: int) -> Experiment:
    """The experiment with its attainment and idea, or 404 if the user may not read it."""
    experiment = get_object_or_404(
        Experiment.objects.with_attainment().select_related(
            "idea__campaign", "idea__owner", "decided_by", "created_by"
        ),
        pk=pk,
    )
    if not request.user.has_perm("outcomes.view_experiment", experiment):
        raise Http404
    return experiment


# --- An idea's experiments --------------------------------------------------------------


@login_required
@require_GET
def idea_experiments(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_for(request, pk, "outcomes.view_experiment")
    experiments = (
        Experiment.objects.filter(idea=idea).with_attainment().order_by("-created_at", "-id")
    )
    return render(
        request,
        "outcomes/idea_experiments.html",
        {
            "idea": idea,
            "experiments": experiments,
            "experimentable": idea.status in services.EXPERIMENTABLE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_for(request, pk, "outcomes.view_experiment")
    require_perm(request.user, "outcomes.add_experiment", idea)
    form = ExperimentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                experiment = services.experiment_create(
                    idea=idea, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except OutcomeConflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, "Experiment created.")
                return redirect("outcomes:experiment", pk=experiment.pk)
    return render(
        request, "outcomes/experiment_form.html", {"idea": idea, "form": form}, status=status
    )


# --- The experiment page ----------------------------------------------------------------


def _chart_data(experiment: Experiment, measurements: list) -> dict:
    return {
        "metric": experiment.metric,
        "unit": experiment.unit,
        "baseline": None if experiment.baseline is None else str(experiment.baseline),
        "target": None if experiment.target is None else str(experiment.target),
        "points": [
            {"date": m.measured_on.isoformat(), "value": str(m.value)} for m in measurements
        ],
    }


def _experiment_page(
    request: HtmxHttpRequest,
    experiment: Experiment,
    *,
    template: str = "outcomes/experiment.html",
    status: int = 200,
    **forms,
) -> HttpResponse:
    """The one place the experiment page's context is built (first view, error re-renders,
    the htmx partial)."""
    measurements = list(
        experiment.measurements.select_related("recorded_by").order_by("measured_on", "id")
    )
    context = {
        "experiment": experiment,
        "idea": experiment.idea,
        "measurements": measurements,
        # On the canvas as a data attribute: it travels with the htmx region (htmx drops
        # script elements, json_script's included).
        "chart_json": json.dumps(_chart_data(experiment, measurements)),
        "measurement_form": forms.get("measurement_form") or MeasurementForm(auto_id="m_%s"),
        "import_form": forms.get("import_form") or ImportForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "report": forms.get("report"),
    }
    return vary_on_htmx(render(request, template, context, status=status))


@login_required
@require_GET
def experiment_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment_for(request, pk)
    if is_partial(request, "measurements"):
        return _experiment_page(
            request, experiment, template="outcomes/experiment.html#measurements"
        )
    return _experiment_page(request, experiment)


@login_required
@require_http_methods(["GET", "POST"])
def experiment_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment_for(request, pk)
    require_perm(request.user, "outcomes.change_experiment", experiment)
    form = ExperimentForm(request.POST or None, instance=experiment)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.experiment_update(
                    experiment=Experiment.objects.get(pk=experiment.pk),
                    actor=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except OutcomeConflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, "Experiment saved.")
                return redirect("outcomes:experiment", pk=experiment.pk)
    return render(
        request,
        "outcomes/experiment_form.html",
        {"idea": experiment.idea, "experiment": experiment, "form": form},
        status=status,
    )


def _after_measurements(request: HtmxHttpRequest, pk: int, **page) -> HttpResponse:
    """htmx gets the refreshed measurements region (chart data, table, report); a plain
    form post is redirected to the page, unless there is something to show."""
    experiment = _experiment_for(request, pk)
    if is_partial(request, "measurements"):
        return _experiment_page(
            request, experiment, template="outcomes/experiment.html#measurements", **page
        )
    if page:
        return _experiment_page(request, experiment, **page)
    return redirect("outcomes:experiment", pk=pk)


@login_required
@require_POST
def measurement_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment_for(request, pk)
    require_perm(request.user, "outcomes.add_measurement", experiment)
    form = MeasurementForm(request.POST, auto_id="m_%s")
    if not form.is_valid():
        return _after_measurements(request, pk, measurement_form=form, status=400)
    try:
        services.measurement_add(experiment=experiment, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _after_measurements(request, pk, measurement_form=form, status=400)
    except OutcomeConflict as exc:
        form.add_error(None, exc.message)
        return _after_measurements(request, pk, measurement_form=form, status=409)
    if not is_partial(request, "measurements"):
        # htmx shows the new row in place; a message would surface on the next page instead.
        messages.success(request, "Measurement recorded.")
    return _after_measurements(request, pk)


@login_required
@require_POST
def measurement_import(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment_for(request, pk)
    require_perm(request.user, "outcomes.add_measurement", experiment)
    return _csv_import(
        request,
        run=lambda content: services.measurements_import(
            experiment=experiment, content=content, actor=request.user
        ),
        page=partial(_after_measurements, request, pk),
    )


def _csv_import(
    request: HtmxHttpRequest,
    *,
    run: Callable[[bytes], object],
    page: Callable[..., HttpResponse],
) -> HttpResponse:
    """The one flow of a CSV import form (measurements, value records): check the upload,
    ``run`` the service on its bytes, then ``page`` with the service's report, or with the
    form and its errors (400; 409 when the service refuses the state)."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return page(import_form=form, status=400)
    try:
        report = run(form.cleaned_data["file"].read())
    except ValidationError as exc:
        add_service_errors(form, exc)
        return page(import_form=form, status=400)
    except OutcomeConflict as exc:
        form.add_error(None, exc.message)
        return page(import_form=form, status=409)
    return page(report=report)


@login_required
@require_POST
def decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment_for(request, pk)
    require_perm(request.user, "outcomes.decide_experiment", experiment)
    form = DecideForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.experiment_decide(
                experiment=experiment,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except OutcomeConflict as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            messages.success(
                request,
                f"Decision recorded: {experiment.get_decision_display().lower()}. "
                "Move the idea on from its page.",
            )
            return redirect("outcomes:experiment", pk=pk)
    return _experiment_page(request, experiment, decide_form=form, status=status)


# --- Realised value ---------------------------------------------------------------------


def _value_page(
    request: HtmxHttpRequest, idea: Idea, *, form=None, import_form=None, report=None, status=200
) -> HttpResponse:
    records = list(idea.value_records.select_related("recorded_by").order_by("period_start", "id"))
    totals = {
        "generated": sum((r.revenue_generated for r in records), start=0),
        "protected": sum((r.revenue_protected for r in records), start=0),
    }
    totals["total"] = totals["generated"] + totals["protected"]
    return render(
        request,
        "outcomes/value.html",
        {
            "idea": idea,
            "records": records,
            "totals": totals,
            "form": form or ValueRecordForm(),
            "import_form": import_form or ImportForm(),
            "report": report,
            "launched": idea.status == Status.LAUNCHED,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def value(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_for(request, pk, "outcomes.view_value")
    if request.method == "GET":
        return _value_page(request, idea)
    require_perm(request.user, "outcomes.add_value", idea)
    form = ValueRecordForm(request.POST)
    if not form.is_valid():
        return _value_page(request, idea, form=form, status=400)
    try:
        services.value_record_create(idea=idea, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _value_page(request, idea, form=form, status=400)
    except OutcomeConflict as exc:
        form.add_error(None, exc.message)
        return _value_page(request, idea, form=form, status=409)
    messages.success(request, "Value recorded.")
    return redirect("outcomes:value", pk=idea.pk)


@login_required
@require_POST
def value_import(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_for(request, pk, "outcomes.view_value")
    require_perm(request.user, "outcomes.add_value", idea)
    return _csv_import(
        request,
        run=lambda content: services.value_records_import(
            idea=idea, content=content, actor=request.user
        ),
        page=partial(_value_page, request, idea),
    )

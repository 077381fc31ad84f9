"""HTML views of the journeys app: the moment options the idea form loads and the managers'
journey editor. The journey map, which shows ideas, scores and money on the stages, is
``insights.views.journey_map``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.web import add_service_errors, require_perm
from journeys import selectors, services
from journeys.forms import JourneyForm, MomentForm, StageForm
from journeys.models import Journey, Moment, Stage


def _journey_for(request, pk: int, perm: str) -> Journey:
    """The journey ``pk`` if the user holds ``perm`` (403), or 404."""
    require_perm(request.user, perm)
    return get_object_or_404(Journey, pk=pk)


def _stage_for(request, pk: int, perm: str) -> Stage:
    require_perm(request.user, perm)
    return get_object_or_404(Stage.objects.select_related("journey"), pk=pk)


def _moment_for(request, pk: int, perm: str) -> Moment:
    require_perm(request.user, perm)
    return get_object_or_404(Moment.objects.select_related("stage__journey"), pk=pk)


@login_required
@require_GET
def moment_options(request) -> HttpResponse:
    """``<option>``s of one stage's moments for the idea form (``?stage=<id>``; an optional
    ``moment=<id>`` is marked selected). A blank stage gives only the empty option."""
    require_perm(request.user, "journeys.choose_moment")
    raw = request.GET.get("stage", "").strip()
    selected = request.GET.get("moment", "").strip()
    moments: list = []
    status = 200
    if raw:
        if raw.isdigit() and Stage.objects.filter(pk=int(raw)).exists():
            moments = list(selectors.moments_of_stage(int(raw)))
        else:
            status = 400
    return render(
        request,
        "journeys/moment_options.html",
        {"moments": moments, "selected": selected},
        status=status,
    )


# --- The managers' editor ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def journey_edit(request, pk: int) -> HttpResponse:
    journey = _journey_for(request, pk, "journeys.manage_journey")
    form = JourneyForm(
        request.POST or None, initial={"name": journey.name, "description": journey.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.journey_update(journey=journey, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Journey saved.")
            return redirect("journeys:edit", pk=journey.pk)
    return _render_editor(request, journey, journey_form=form)


def _render_editor(request, journey: Journey, *, journey_form=None, stage_form=None):
    # Queries: stages, then all their moments in one prefetch.
    stages = list(Stage.objects.of_journey(journey).prefetch_related("moments"))
    context = {
        "journey": journey,
        "journey_form": journey_form
        or JourneyForm(initial={"name": journey.name, "description": journey.description}),
        "stage_form": stage_form or StageForm(prefix="new"),
        "stages": stages,
    }
    bad = (journey_form is not None and journey_form.errors) or (
        stage_form is not None and stage_form.errors
    )
    return render(request, "journeys/journey_edit.html", context, status=400 if bad else 200)


@login_required
@require_POST
def stage_add(request, pk: int) -> HttpResponse:
    journey = _journey_for(request, pk, "journeys.manage_journey")
    form = StageForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            stage = services.stage_create(journey=journey, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Stage “{stage.name}” added at the end of the journey.")
            return redirect("journeys:edit", pk=journey.pk)
    return _render_editor(request, journey, stage_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def stage_edit(request, pk: int) -> HttpResponse:
    stage = _stage_for(request, pk, "journeys.manage_journey")
    form = StageForm(
        request.POST or None,
        initial={"name": stage.name, "cycle": stage.cycle, "kind": stage.kind},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(stage=stage, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Stage “{stage.name}” saved.")
            return redirect("journeys:edit", pk=stage.journey_id)
    return render(
        request,
        "journeys/stage_form.html",
        {"stage": stage, "journey": stage.journey, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def stage_move(request, pk: int) -> HttpResponse:
    stage = _stage_for(request, pk, "journeys.manage_journey")
    try:
        services.stage_move(
            stage=stage, actor=request.user, direction=request.POST.get("direction")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("journeys:edit", pk=stage.journey_id)
    messages.success(request, f"Moved “{stage.name}” {request.POST['direction']}.")
    return redirect("journeys:edit", pk=stage.journey_id)


@login_required
@require_http_methods(["GET", "POST"])
def moment_add(request, pk: int) -> HttpResponse:
    stage = _stage_for(request, pk, "journeys.manage_journey")
    form = MomentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moment = services.moment_create(stage=stage, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Moment “{moment.name}” added to {stage.name}.")
            return redirect("journeys:edit", pk=stage.journey_id)
    return render(
        request,
        "journeys/moment_form.html",
        {"stage": stage, "journey": stage.journey, "form": form, "moment": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def moment_edit(request, pk: int) -> HttpResponse:
    moment = _moment_for(request, pk, "journeys.manage_journey")
    initial = {
        field: getattr(moment, field)
        for field in ("name", "effect", "severity", "description", "evidence")
    }
    form = MomentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.moment_update(moment=moment, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Moment “{moment.name}” saved.")
            return redirect("journeys:edit", pk=moment.stage.journey_id)
    return render(
        request,
        "journeys/moment_form.html",
        {"stage": moment.stage, "journey": moment.stage.journey, "form": form, "moment": moment},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def moment_delete(request, pk: int) -> HttpResponse:
    moment = _moment_for(request, pk, "journeys.manage_journey")
    journey_id, name = moment.stage.journey_id, moment.name
    services.moment_delete(moment=moment, actor=request.user)
    messages.success(request, f"Moment “{name}” deleted.")
    return redirect("journeys:edit", pk=journey_id)

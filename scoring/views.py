"""HTML views of the scoring app: the reviewer's queue and scorecard, managers' panels and
rounds, round progress and results (with CSV export) and the recompute progress."""

import contextlib
from collections import defaultdict

from celery.result import AsyncResult
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from accounts.models import Function, Kind, User
from core.db import report_read
from core.exceptions import Conflict
from core.web import (
    HtmxHttpRequest,
    add_service_errors,
    csv_response,
    require_perm,
    vary_on_htmx,
)
from ideas.evidence import evidence_visible
from scoring import services
from scoring.forms import PanelForm, RoundForm
from scoring.models import (
    Assignment,
    IdeaScore,
    Panel,
    ReviewRound,
    RoundStatus,
    Scorecard,
    Signal,
    SignalResult,
)

# Rows per page of the round's progress per idea and of its results.
PAGE_SIZE = 50


# --- the reviewer's side -----------------------------------------------------------------


def _get_assignment_for_user(request, pk: int) -> Assignment:
    """The caller's own assignment (with round, scorecard and idea), else 404."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("round__scorecard", "idea"), pk=pk
    )
    if not request.user.has_perm("scoring.score_assignment", assignment):
        raise Http404  # someone else's: do not even confirm it exists
    return assignment


@login_required
def queue(request: HtmxHttpRequest) -> HttpResponse:
    """My assignments, grouped by round, with a progress bar per round."""
    require_perm(request.user, "scoring.review")
    assignments = list(
        Assignment.objects.for_reviewer(request.user)
        .select_related("round", "idea")
        .with_score_count()
        .order_by("round__status", "round__due_at", "round_id", "idea__title")
    )
    rounds: dict[int, dict] = {}
    for a in assignments:
        group = rounds.setdefault(
            a.round_id, {"round": a.round, "items": [], "submitted": 0, "late": False}
        )
        group["items"].append(a)
        group["submitted"] += a.submitted_at is not None
    for group in rounds.values():
        group["late"] = group["round"].is_late() and group["submitted"] < len(group["items"])
    return render(request, "scoring/queue.html", {"rounds": list(rounds.values())})


def _scorecard_context(assignment: Assignment, viewer) -> dict:
    signals = list(Signal.objects.for_round(assignment.round))
    scores = {s.signal_id: s for s in assignment.scores.all()}
    # Each signal offers its own configured scale.
    rows = [{"signal": s, "score": scores.get(s.pk), "scale": s.scale()} for s in signals]
    return {
        "assignment": assignment,
        # What the "evidence of need" signal is scored on (no query when there is none).
        "evidence": evidence_visible(idea=assignment.idea, user=viewer),
        "round": assignment.round,
        "rows": rows,
        "scored": len(scores),
        "total": len(signals),
        "editable": assignment.round.status == RoundStatus.OPEN,
    }


@login_required
def scorecard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The scorecard: GET shows it; POST (no JavaScript) saves every signal, and submits when
    the "Submit" button was used."""
    assignment = _get_assignment_for_user(request, pk)
    status = 200
    if request.method == "POST":
        payload = [
            {
                "signal": key,
                "value": request.POST.get(f"{key}-value"),
                "rationale": request.POST.get(f"{key}-rationale", ""),
            }
            for key in Signal.objects.for_round(assignment.round).values_list("key", flat=True)
            if request.POST.get(f"{key}-value")
        ]
        try:
            services.scores_save(assignment=assignment, scores=payload, actor=request.user)
            if "submit" in request.POST:
                services.assignment_submit(assignment=assignment, actor=request.user)
                messages.success(request, "Thank you: your scorecard is submitted.")
                return redirect("scoring:queue")
            messages.success(request, "Your scores are saved.")
            return redirect("scoring:scorecard", pk=assignment.pk)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 400
        except Conflict as exc:
            messages.error(request, exc.message)
            status = 409
    return render(
        request,
        "scoring/scorecard.html",
        _scorecard_context(assignment, request.user),
        status=status,
    )


@login_required
@require_POST
def score_signal(request: HtmxHttpRequest, pk: int, key: str) -> HttpResponse:
    """htmx: save one signal as it is set; answers the signal's fieldset and, out of band,
    the progress line and the submit button."""
    assignment = _get_assignment_for_user(request, pk)
    error = ""
    value = request.POST.get(f"{key}-value")
    if not value:
        error = "Pick a value on the scale first; the rationale is saved with it."
    else:
        try:
            services.scores_save(
                assignment=assignment,
                scores=[
                    {
                        "signal": key,
                        "value": value,
                        "rationale": request.POST.get(f"{key}-rationale", ""),
                    }
                ],
                actor=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except Conflict as exc:
            error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("scoring:scorecard", pk=assignment.pk)
    ctx = _scorecard_context(assignment, request.user)
    row = next((r for r in ctx["rows"] if r["signal"].key == key), None)
    if row is None:
        raise Http404
    ctx.update(row=row, error=error, saved=not error, oob=True)
    # htmx swaps 2xx only; errors are shown inline, so answer 200 with the message.
    return vary_on_htmx(render(request, "scoring/scorecard.html#signal-row", ctx))


# --- managers: panels and rounds --------------------------------------------------------


@login_required
def rounds(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "scoring.manage_rounds")
    default = Scorecard.objects.filter(is_default=True).first()
    panels = Panel.objects.with_coverage().order_by("name")
    round_list = (
        ReviewRound.objects.select_related("panel", "scorecard")
        .with_progress()
        .annotate(idea_count=Count("ideas", distinct=True))
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "scoring/rounds.html",
        {
            "panels": panels,
            "rounds": round_list,
            "min_functions": default.min_functions if default else 3,
        },
    )


def _coverage(members, scorecard=None) -> dict:
    scorecard = scorecard or Scorecard.objects.filter(is_default=True).first()
    functions = services.panel_functions(members)
    minimum = scorecard.min_functions if scorecard else 3
    labels = dict(Function.choices)
    short = len(functions) < minimum
    return {
        "functions": functions,
        "labels": [labels.get(f, f) for f in functions],
        "minimum": minimum,
        "short": short,
        "message": (
            f"Below the minimum of {minimum} functions: this panel cannot open a review round."
            if short
            else "Enough functions to open a round."
        ),
    }


@login_required
def panel_edit(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a panel; function coverage is recomputed live (htmx) as members change."""
    require_perm(request.user, "scoring.manage_panels")
    panel = get_object_or_404(Panel, pk=pk) if pk else None
    initial = {"name": panel.name, "members": panel.members.all()} if panel else None
    form = PanelForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if panel:
                services.panel_update(
                    panel=panel, name=data["name"], members=data["members"], actor=request.user
                )
            else:
                panel = services.panel_create(
                    name=data["name"], members=data["members"], actor=request.user
                )
            messages.success(request, f"Panel “{panel.name}” saved.")
            return redirect("scoring:rounds")
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
    if request.method == "POST":
        status = 400
    members = (
        form.cleaned_data.get("members", [])
        if form.is_bound and hasattr(form, "cleaned_data")
        else (panel.members.all() if panel else [])
    )
    ctx = {"form": form, "panel": panel, "coverage": _coverage(list(members))}
    return render(request, "scoring/panel_form.html", ctx, status=status)


@login_required
@require_POST
def panel_coverage(request: HtmxHttpRequest) -> HttpResponse:
    """htmx: the coverage of the members ticked so far (nothing is saved)."""
    require_perm(request.user, "scoring.manage_panels")
    ids = [int(x) for x in request.POST.getlist("members") if x.isdigit()]
    members = list(User.objects.filter(pk__in=ids, kind=Kind.STAFF).only("function"))
    response = render(request, "scoring/panel_form.html#coverage", {"coverage": _coverage(members)})
    return vary_on_htmx(response)


@login_required
def round_new(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "scoring.manage_rounds")
    form = RoundForm(
        request.POST or None,
        initial={"scorecard": Scorecard.objects.filter(is_default=True).first()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                round = services.round_create(
                    panel=data["panel"],
                    scorecard=data["scorecard"],
                    ideas=data["ideas"],
                    due_at=data["due_at"],
                    name=data["name"],
                    actor=request.user,
                )
                messages.success(request, "Round created as a draft: open it when ready.")
                return redirect("scoring:round", pk=round.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
    return render(request, "scoring/round_form.html", {"form": form}, status=status)


def _get_round(request, pk: int) -> ReviewRound:
    round = get_object_or_404(ReviewRound.objects.select_related("panel", "scorecard"), pk=pk)
    if not (
        request.user.has_perm("scoring.view_round", round)
        or request.user.has_perm("scoring.view_results", round)
    ):
        raise PermissionDenied
    return round


def _count(assignments) -> Subquery:
    counted = assignments.order_by().values("idea").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _reviewer_progress(round: ReviewRound):
    """The round's reviewers with ``total`` and ``done`` (submitted) assignments: counted
    first, from the (round, reviewer, submitted_at) index alone, then joined to the few users
    (not 70,000 assignment rows joined to users and then grouped)."""
    a, u = Assignment._meta.db_table, User._meta.db_table
    return User.objects.raw(
        f"""SELECT u.*, c.total, c.done
        FROM (SELECT reviewer_id, COUNT(*) AS total, COUNT(submitted_at) AS done
              FROM {a} WHERE round_id = %s GROUP BY reviewer_id) c
        JOIN {u} u ON u.id = c.reviewer_id
        ORDER BY u.display_name, u.id""",
        [round.pk],
    )


class _KnownCount(Paginator):
    """A paginator told its count (the caller has a cheaper way to it than COUNT(*))."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # count is a cached_property


def _results_page(request, round: ReviewRound):
    # Ranks are 1..N within a round (ROW_NUMBER in the aggregation): the last rank is the
    # count, one probe of the (round, rank) index instead of counting 10,000 rows.
    last = IdeaScore.objects.filter(round=round).order_by("-rank").values_list("rank", flat=True)
    count = last.first() or 0
    return _KnownCount(_results(round), PAGE_SIZE, count).get_page(request.GET.get("page"))


def _results(round: ReviewRound):
    """The round's results in rank order, with the idea's title and the signal results in
    the scorecard's signal order (the page and the CSV show values and ids only)."""
    return (
        IdeaScore.objects.filter(round=round)
        .select_related("idea")
        # function_means is shown by the API only: no JSON to decode per row here, and of
        # the idea only its title (not its text and search vector).
        .only(
            *[f.name for f in IdeaScore._meta.concrete_fields if f.name != "function_means"],
            "idea__title",
        )
        .prefetch_related(
            Prefetch(
                "signal_results",
                queryset=SignalResult.objects.order_by("signal__order", "signal_id"),
            )
        )
        .order_by("rank")
    )


def _hide_thin_functions(round: ReviewRound, rows) -> None:
    """For non-managers: no explanation names the mean of a function with one reviewer."""
    rows = list(rows)
    thin = Assignment.objects.thin_functions(round.pk, [r.idea_id for r in rows])
    for row in rows:
        row.contested_reason = row.contested_reason_without(thin.get(row.idea_id, set()))


@login_required
def round_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Progress per reviewer and per idea (who is late) and, once closed, the results."""
    round = _get_round(request, pk)
    can_manage = request.user.has_perm("scoring.view_round", round)
    ctx: dict = {"round": round, "can_manage": can_manage, "now": timezone.now()}
    if can_manage:
        ctx["reviewers"] = _reviewer_progress(round)
        # A page of ideas (a round may hold 10,000), counted per idea through the
        # (round, idea, reviewer) unique index: 50 small subqueries, not a GROUP BY of all.
        of_idea = Assignment.objects.filter(round=round, idea=OuterRef("pk"))
        ideas = round.ideas.only("id", "title").annotate(
            total=_count(of_idea),
            done=_count(of_idea.filter(submitted_at__isnull=False)),
        )
        # Counted in the M2M table alone (its unique index), not joined to the ideas.
        n_ideas = ReviewRound.ideas.through.objects.filter(reviewround=round).count()
        ctx["ideas"] = _KnownCount(ideas.order_by("title", "id"), PAGE_SIZE, n_ideas).get_page(
            request.GET.get("ideas_page")
        )
        ctx["late"] = round.is_late()
        ctx["coverage"] = services.coverage_problem(panel=round.panel, scorecard=round.scorecard)
    if round.status == RoundStatus.CLOSED or can_manage:
        ctx["results"] = _results_page(request, round) if round.is_closed else None
        if ctx["results"] and not request.user.has_perm("scoring.manage_rounds"):
            _hide_thin_functions(round, ctx["results"])
        ctx["signals"] = list(Signal.objects.for_round(round))
    return render(request, "scoring/round_detail.html", ctx)


@login_required
@require_POST
def round_open(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(ReviewRound, pk=pk)
    require_perm(request.user, "scoring.manage_rounds", round)
    try:
        services.round_open(round=round, actor=request.user)
        messages.success(request, "The round is open: reviewers see their assignments now.")
    except Conflict as exc:
        messages.error(request, f"The round cannot open. {exc.message}")
    return redirect("scoring:round", pk=round.pk)


@login_required
@require_POST
def round_close(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(ReviewRound, pk=pk)
    require_perm(request.user, "scoring.manage_rounds", round)
    try:
        services.round_close(round=round, actor=request.user)
        messages.success(request, "The round is closed: scores are locked and results computed.")
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("scoring:round", pk=round.pk)


@login_required
@require_POST
def round_recompute(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(ReviewRound, pk=pk)
    require_perm(request.user, "scoring.recompute", round)
    task_id = services.round_recompute(round=round, actor=request.user)
    if not request.htmx:
        messages.success(request, "Recomputing the results.")
        return redirect("scoring:round", pk=round.pk)
    return vary_on_htmx(_progress(request, round, task_id))


def _progress(request, round: ReviewRound, task_id: str) -> HttpResponse:
    round.refresh_from_db(fields=["aggregation_requested_at", "aggregated_at"])
    # Eager mode stores no result: the round's own bookkeeping says whether the run is done.
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    state = "PENDING"
    # A result backend (Redis) that is down leaves PENDING: the round's bookkeeping still tells.
    if task_id and not eager:
        with contextlib.suppress(RedisError, OSError):
            state = AsyncResult(task_id).state
    if state == "PENDING" and round.aggregation_requested_at is None and round.aggregated_at:
        state = "SUCCESS"
    done = state in {"SUCCESS", "FAILURE"}
    ctx = {"round": round, "task_id": task_id, "state": state, "done": done}
    return render(request, "scoring/round_detail.html#recompute", ctx)


@login_required
def recompute_status(request: HtmxHttpRequest, pk: int, task_id: str) -> HttpResponse:
    round = get_object_or_404(ReviewRound, pk=pk)
    require_perm(request.user, "scoring.recompute", round)
    return vary_on_htmx(_progress(request, round, task_id))


@login_required
@report_read
def results_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    round = _get_round(request, pk)
    require_perm(request.user, "scoring.view_results", round)
    signals = list(Signal.objects.for_round(round))
    header = ["rank", "idea_id", "idea", "overall", "passes_gate", "gate_reason", "contested"]
    header += ["contested_reason", "reviewers", "functions"]
    for s in signals:
        header += [f"{s.key}_raw", f"{s.key}_calibrated", f"{s.key}_sd"]

    # Non-managers: explanations never name the mean of a one-reviewer function.
    thin = (
        {}
        if request.user.has_perm("scoring.manage_rounds")
        else Assignment.objects.thin_functions(round.pk)
    )

    def lines():
        for row in _results(round):
            row.contested_reason = row.contested_reason_without(thin.get(row.idea_id, set()))
            by_signal = defaultdict(
                lambda: None, {r.signal_id: r for r in row.signal_results.all()}
            )
            line = [row.rank, row.idea_id, row.idea.title, f"{row.overall:.3f}", row.passes_gate]
            line += [row.gate_reason, row.contested, row.contested_reason, row.reviewers]
            line += [row.functions]
            for s in signals:
                r = by_signal[s.pk]
                line += (
                    [f"{r.raw:.3f}", f"{r.calibrated:.3f}", f"{r.sd:.3f}"] if r else ["", "", ""]
                )
            yield line

    return csv_response(f"round-{round.pk}-results.csv", header, lines())

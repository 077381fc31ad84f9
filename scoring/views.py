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
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from accounts.models import Function, Kind, User
from core.db import report_read
from core.exceptions import Conflict
from core.fragments import cached_fragments
from core.templatetags.juncture import icon
from core.web import (
    HtmxHttpRequest,
    add_service_errors,
    csv_response,
    is_partial,
    paginate,
    require_perm,
    vary_on_htmx,
)
from feedback import selectors as feedback_selectors
from ideas.evidence import evidence_visible
from scoring import services
from scoring.forms import PanelForm, RoundForm, ScorecardSettingsForm
from scoring.models import (
    Assignment,
    IdeaScore,
    Panel,
    ReviewerProgress,
    ReviewRound,
    RoundStatus,
    Scorecard,
    Signal,
    SignalResult,
)

# Rows per page of the round's progress per idea and of its results.
PAGE_SIZE = 50
# Review rounds per page of the panels-and-rounds list, newest first.
ROUNDS_PAGE_SIZE = 25


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
    """My assignments, grouped by round (open rounds first, soonest due first), with a
    progress bar per round."""
    require_perm(request.user, "scoring.review")
    assignments = list(
        Assignment.objects.for_reviewer(request.user)
        .select_related("round", "idea")
        .with_score_count()
        .in_queue_order()
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
    # The same one "save and next" would open: the first still to score in an open round.
    next_up = next((a for a in assignments if a.round.is_open and a.submitted_at is None), None)
    ctx = {"rounds": list(rounds.values()), "next_up": next_up}
    return render(request, "scoring/queue.html", ctx)


def _scorecard_context(
    request, assignment: Assignment, *, edit: bool = False, posted=None, errors=None
) -> dict:
    """The scorecard page's context (GET, a form re-shown with errors, an htmx row).

    ``edit``: a submitted scorecard is shown read-only until its reviewer asks to change it
    (while the round is open). ``posted`` overlays the values just sent, so a refused form
    keeps what the reviewer typed; ``errors`` maps a signal key to its messages."""
    viewer = request.user
    round = assignment.round
    idea = assignment.idea
    signals = list(Signal.objects.for_round(round))
    scores = {s.signal_id: s for s in assignment.scores.all()}
    posted = posted or {}
    errors = errors or {}
    rows = []
    for s in signals:
        score = scores.get(s.pk)
        value = posted.get(f"{s.key}-value", score.value if score else None)
        rationale = posted.get(f"{s.key}-rationale", score.rationale if score else "")
        with contextlib.suppress(TypeError, ValueError):
            value = int(value) if value not in (None, "") else None
        chosen = next((p for p in s.scale() if p[0] == value), None)
        rows.append(
            {
                "signal": s,
                "score": score,
                "value": value,
                "rationale": rationale,
                "chosen": chosen,
                "scale": s.scale(),
                "errors": errors.get(s.key, []),
            }
        )
    if round.status != RoundStatus.OPEN:
        locked = "closed"
    elif assignment.submitted_at is not None and not edit:
        locked = "submitted"
    else:
        locked = ""
    can_read_feedback = viewer.has_perm("feedback.view_feedback")
    return {
        "assignment": assignment,
        "idea": idea,
        # What the "evidence of need" signal is scored on (no query when there is none).
        "evidence": evidence_visible(idea=idea, user=viewer),
        # The customers' own words behind the need (masked at import), for staff only.
        "verbatims": list(feedback_selectors.top_verbatims(idea)) if can_read_feedback else [],
        "attachments": list(idea.attachments.all()),
        "round": round,
        "rows": rows,
        "scored": len(scores),
        "total": len(signals),
        "editable": not locked,
        "locked": locked,
        "rationale_required": round.scorecard.rationale_required,
    }


def _field_errors(exc: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """Split a service error into messages per signal (a missing rationale names its
    signal) and the rest."""
    per_signal: dict[str, list[str]] = defaultdict(list)
    rest: list[str] = []
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    for field, errors in by_field.items():
        for error in errors:
            key = (error.params or {}).get("signal") if field == "rationale" else None
            message = next(iter(error))
            if key:
                per_signal[key].append(message)
            else:
                rest.append(message)
    return dict(per_signal), rest


@login_required
def scorecard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The scorecard: GET shows it (read-only once submitted, unless ``?edit=1``, and once
    the round closed); POST (no JavaScript needed) saves every signal, and with "Save and
    next" submits the scorecard and opens the next idea of the queue still to score."""
    assignment = _get_assignment_for_user(request, pk)
    status = 200
    edit = request.GET.get("edit") == "1"
    posted, errors = None, None
    if request.method == "POST":
        edit = True
        keys = Signal.objects.for_round(assignment.round).values_list("key", flat=True)
        payload = [
            {
                "signal": key,
                "value": request.POST.get(f"{key}-value"),
                "rationale": request.POST.get(f"{key}-rationale", ""),
            }
            for key in keys
            if request.POST.get(f"{key}-value")
        ]
        try:
            services.scores_save(assignment=assignment, scores=payload, actor=request.user)
            if "submit" in request.POST:
                services.assignment_submit(assignment=assignment, actor=request.user)
                return _to_next(request, assignment)
            messages.success(request, "Your scores are saved as a draft.")
            return redirect("scoring:scorecard", pk=assignment.pk)
        except ValidationError as exc:
            errors, rest = _field_errors(exc)
            for message in rest:
                messages.error(request, message)
            if errors:
                messages.error(request, "Some signals need a rationale: see below.")
            posted = request.POST
            status = 400
        except Conflict as exc:
            messages.error(request, exc.message)
            status = 409
    ctx = _scorecard_context(request, assignment, edit=edit, posted=posted, errors=errors)
    return render(request, "scoring/scorecard.html", ctx, status=status)


def _to_next(request, assignment: Assignment) -> HttpResponse:
    """After a submission: the next idea of the queue still to score, else the queue."""
    following = Assignment.objects.next_to_score(request.user, after=assignment)
    if following is None:
        messages.success(request, "Submitted. That was the last idea in your queue: thank you.")
        return redirect("scoring:queue")
    messages.success(request, f"Submitted “{assignment.idea.title}”. Next idea to score:")
    return redirect("scoring:scorecard", pk=following.pk)


@login_required
@require_POST
def score_signal(request: HtmxHttpRequest, pk: int, key: str) -> HttpResponse:
    """htmx: save one signal as it is set; answers the signal's status line ("Saved" or
    the error) and, out of band, the progress line."""
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
    if not Signal.objects.for_round(assignment.round).filter(key=key).exists():
        raise Http404
    ctx = {
        "assignment": assignment,
        "error": error,
        "saved": not error,
        "oob": True,
        "scored": assignment.scores.count(),
        "total": Signal.objects.for_round(assignment.round).count(),
    }
    # htmx swaps 2xx only; errors are shown inline, so answer 200 with the message.
    return vary_on_htmx(render(request, "scoring/scorecard.html#signal-status", ctx))


# --- managers: panels and rounds --------------------------------------------------------


@login_required
def scorecard_settings(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A scorecard's rubric (a description per point of each signal's scale) and whether a
    rationale is required. Wording only: no new scorecard version (see docs/scoring.md)."""
    require_perm(request.user, "scoring.manage_scorecards")
    card = get_object_or_404(Scorecard, pk=pk)
    form = ScorecardSettingsForm(request.POST or None, scorecard=card)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.scorecard_settings_update(
                    scorecard=card,
                    actor=request.user,
                    rationale_required=form.cleaned_data["rationale_required"],
                    rubrics=form.rubrics(),
                )
                messages.success(request, f"Scorecard “{card.name}” saved.")
                return redirect("scoring:rounds")
            except ValidationError as exc:
                add_service_errors(form, exc)
    ctx = {"form": form, "scorecard": card}
    return render(request, "scoring/scorecard_settings.html", ctx, status=status)


@login_required
def rounds(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "scoring.manage_rounds")
    default = Scorecard.objects.filter(is_default=True).first()
    panels = Panel.objects.with_coverage().order_by("name")
    round_list = (
        ReviewRound.objects.select_related("panel", "scorecard")
        .with_progress()
        .order_by("-created_at", "-id")
    )
    # Paged: a long-running programme has hundreds of rounds (the page counts them once).
    page = paginate(request, round_list, ROUNDS_PAGE_SIZE)
    return render(
        request,
        "scoring/rounds.html",
        {
            "scorecards": Scorecard.objects.annotate(signal_count=Count("weights", distinct=True)),
            "panels": panels,
            "rounds": page.object_list,
            "page": page,
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
        initial={
            "scorecard": Scorecard.objects.filter(is_default=True).first(),
            # ?ideas=<id>: the idea page's "Add to a review round" link ticks the idea.
            "ideas": [i for i in request.GET.getlist("ideas") if i.isdigit()],
        },
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


def _get_round(request, pk: int, *, counts: bool = False) -> ReviewRound:
    """The round with its panel and scorecard, 404/403 as the viewer may see it. ``counts``
    (the round page) brings, in the same query, ``last_rank`` (ranks are 1..N within a
    round: ROW_NUMBER in the aggregation, so the last rank is the number of results; one
    probe of the (round, rank) index), which the results' paginator needs; the ideas'
    paginator reads the round's maintained ``idea_count``."""
    rounds = ReviewRound.objects.select_related("panel", "scorecard")
    if counts:
        ranks = IdeaScore.objects.filter(round=OuterRef("pk")).order_by("-rank")
        rounds = rounds.annotate(last_rank=Coalesce(Subquery(ranks.values("rank")[:1]), 0))
    round = get_object_or_404(rounds, pk=pk)
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
    """The round's reviewers with ``total`` and ``done`` (submitted) assignments: the
    round's maintained progress, a row per reviewer, joined to those users."""
    p, u = ReviewerProgress._meta.db_table, User._meta.db_table
    return User.objects.raw(
        f"""SELECT u.*, p.assigned AS total, p.submitted AS done
        FROM {p} p JOIN {u} u ON u.id = p.reviewer_id
        WHERE p.round_id = %s AND p.assigned > 0
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
    # count, one probe of the (round, rank) index instead of counting 10,000 rows; loaded
    # with the round where the page asked for it (``_get_round(counts=True)``).
    count = getattr(round, "last_rank", None)
    if count is None:
        last = IdeaScore.objects.filter(round=round).order_by("-rank")
        count = last.values_list("rank", flat=True).first() or 0
    results = _results(round, function_means=True, signal_results=False)
    return _KnownCount(results, PAGE_SIZE, count).get_page(request.GET.get("page"))


def _results(round: ReviewRound, *, function_means: bool = False, signal_results: bool = True):
    """The round's results in rank order, with the idea's title and (``signal_results``)
    the signal results in the scorecard's signal order. ``function_means`` for the page's
    split by function (a page of rows); the CSV of every row leaves that JSON undecoded. The
    page reads its signal results as plain values (_signal_values)."""
    fields = [f.name for f in IdeaScore._meta.concrete_fields]
    if not function_means:
        fields.remove("function_means")
    results = (
        IdeaScore.objects.filter(round=round)
        .select_related("idea")
        # Of the idea only its title (not its text and search vector).
        .only(*fields, "idea__title")
        .order_by("rank")
    )
    if signal_results:
        ordered = SignalResult.objects.order_by("signal__order", "signal_id")
        results = results.prefetch_related(Prefetch("signal_results", queryset=ordered))
    return results


def _hide_thin_functions(round: ReviewRound, rows) -> dict[int, set[str]]:
    """For non-managers: no explanation names the mean of a function with one reviewer.
    Returns the thin functions per idea, which the split by function leaves out too."""
    rows = list(rows)
    thin = Assignment.objects.thin_functions(round.pk, [r.idea_id for r in rows])
    for row in rows:
        row.contested_reason = row.contested_reason_without(thin.get(row.idea_id, set()))
    return thin


RESULT_VALUES = {"calibrated": "Calibrated", "raw": "Raw"}


def _position(value: float, signal: Signal) -> float:
    """Where ``value`` sits on ``signal``'s scale, in percent of the bar (clamped)."""
    span = (signal.scale_max - signal.scale_min) or 1
    return round(max(0.0, min(100.0, (value - signal.scale_min) / span * 100)), 2)


# A result card's bars and its data-table cells, written here rather than in the template:
# 50 cards x 4 signals (and the split of the contested ones) were ~3,000 template nodes, most
# of the page's time. The markup is the template's, to the whitespace.
_BAR = (
    '\n        <li class="signal-bar">\n          <span class="signal-bar__name">{name}</span>'
    '\n          <svg class="signal-bar__svg" viewBox="0 0 100 12" preserveAspectRatio="none"'
    ' aria-hidden="true" focusable="false">'
    '\n            <rect class="signal-bar__track" x="0" y="2" width="100" height="8"/>'
    '\n            <rect class="signal-bar__fill{below}" x="0" y="2" width="{pct}" height="8"/>'
    '\n            <line class="signal-bar__gate" x1="{gate}" x2="{gate}" y1="0" y2="12"'
    ' vector-effect="non-scaling-stroke"/>'
    '\n          </svg>\n          <span class="signal-bar__value">{value}{icon}</span>'
    "\n        </li>\n        "
)
_FUNCTION_BAR = (
    '\n          <li class="signal-bar">\n            <span class="signal-bar__name">{name}</span>'
    '\n            <svg class="signal-bar__svg" viewBox="0 0 100 12" preserveAspectRatio="none"'
    ' aria-hidden="true" focusable="false">'
    '\n              <rect class="signal-bar__track" x="0" y="2" width="100" height="8"/>'
    '\n              <rect class="signal-bar__fill signal-bar__fill--function" x="0" y="2"'
    ' width="{pct}" height="8"/>'
    '\n            </svg>\n            <span class="signal-bar__value">{value}</span>'
    "\n          </li>\n          "
)
_CELLS = '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
# The whole card and data-table row of a result, for the same reason: 50 rows x ~25
# variables (each resolved, localised and escaped by the template engine) were still most
# of the page's rendering. Each piece is the template's markup, to the whitespace, so the
# page reads the same; a test compares them.
_CARD = (
    '\n    <li class="card result-card" data-idea="{idea_id}">'
    '\n      <div class="result-card__head">'
    '\n        <p class="result-card__rank"><span class="sr-only">Rank </span>#{rank}</p>'
    '\n        <h3 class="result-card__title">{title}</h3>'
    '\n        <p class="result-card__overall">Overall <strong>{overall}</strong></p>'
    "\n      </div>"
    '\n      <p class="result-card__badges">{gate}\n        {contested}'
    '\n        <span class="muted">{reviewers} reviewer{reviewers_s} · {functions} function'
    "{functions_s}</span></p>"
    '\n      <ul class="signal-bars" aria-label="{mode_label} signal means of {title}">'
    "\n        {bars}\n      </ul>"
    "\n      {gate_reason}\n      {split}\n    </li>\n    "
)
_SPLIT = (
    '\n      <div class="result-split" data-testid="contested-split">'
    '\n        <h4>Split by function on {name} <span class="muted">(calibrated, {spread} apart)'
    "</span></h4>"
    '\n        <ul class="signal-bars signal-bars--split" aria-label="{name}: mean per function">'
    "\n          {bars}\n        </ul>"
    "\n        {reason}\n      </div>\n      "
)
_ROW = (
    '\n        <tr data-idea="{idea_id}">'
    '\n          <td class="num">{rank}</td><th scope="row">{title}</th><td class="num">'
    "<strong>{overall}</strong></td>"
    "\n          {cells}"
    '\n          <td class="num">{reviewers}</td><td class="num">{functions}</td>'
    "\n          <td>{gate}</td>"
    "\n          <td>{contested}</td>"
    "\n        </tr>\n      "
)
_ROW_GATE = {
    True: '<span class="badge ok">✓ passes</span>',
    False: '<span class="badge bad">✗ fails</span>',
}
_ROW_CONTESTED = {
    True: '<span class="badge warn">⚠ contested</span>',
    False: '<span class="muted">no</span>',
}


def _small(text: str) -> str:
    return f"<p><small>{escape(text)}</small></p>" if text else ""


def _card_html(row, mode_label: str) -> str:
    """One result's card (the template's markup; ``row`` decorated by _decorate_results)."""
    title = escape(row.idea.title)
    if row.passes_gate:
        gate = f'<span class="badge ok">{icon("circle-check")}Passes the gate</span>'
    else:
        gate = f'<span class="badge bad">{icon("circle-x")}Fails the gate</span>'
    contested = (
        f'<span class="badge warn">{icon("triangle-alert")}Contested</span>'
        if row.contested
        else ""
    )
    if row.split:
        split = _SPLIT.format(
            name=escape(row.split["signal"].name),
            spread=row.split["spread_1f"],
            bars=row.split["bars_html"],
            reason=_small(row.contested_reason),
        )
    else:
        split = _small(row.contested_reason) if row.contested else ""
    gate_reason = (
        f'<p class="result-card__reason"><small>{escape(row.gate_reason)}</small></p>'
        if row.gate_reason
        else ""
    )
    return _CARD.format(
        idea_id=row.idea_id,
        rank=row.rank,
        title=title,
        overall=row.overall_2f,
        gate=gate,
        contested=contested,
        reviewers=row.reviewers,
        reviewers_s="" if row.reviewers == 1 else "s",
        functions=row.functions,
        functions_s="" if row.functions == 1 else "s",
        mode_label=escape(mode_label),
        bars=row.bars_html,
        gate_reason=gate_reason,
        split=split,
    )


def _row_html(row) -> str:
    """One result's row of the data table (the template's markup)."""
    return _ROW.format(
        idea_id=row.idea_id,
        rank=row.rank,
        title=escape(row.idea.title),
        overall=row.overall_2f,
        cells=row.cells_html,
        reviewers=row.reviewers,
        functions=row.functions,
        gate=_ROW_GATE[bool(row.passes_gate)],
        contested=_ROW_CONTESTED[bool(row.contested)],
    )


# A row of the progress per idea (the template's markup, written here with the result cards:
# 50 rows a page).
_IDEA_PROGRESS_ROW = "\n        <tr><td>{title}</td><td>{done}/{total}{late}</td></tr>\n      "
_IDEA_PROGRESS_LATE = ' <span class="badge bad">late</span>'
_IDEA_PROGRESS_EMPTY = '<tr><td colspan="2" class="empty">No ideas in this round.</td></tr>\n      '


def _idea_progress_html(ideas, late: bool) -> SafeString:
    """The progress table's rows for a page of ``ideas`` (annotated ``done`` and ``total``):
    late is shown on an idea still missing scorecards once the round is past due."""
    rows = "".join(
        _IDEA_PROGRESS_ROW.format(
            title=escape(i.title),
            done=i.done,
            total=i.total,
            late=_IDEA_PROGRESS_LATE if late and i.done < i.total else "",
        )
        for i in ideas
    )
    return mark_safe(rows or _IDEA_PROGRESS_EMPTY)


# The files that write a result card's and row's markup and their labels (the fragment
# cache's key).
RESULTS_SOURCES = ("scoring/views.py", "core/templatetags/juncture.py", "accounts/models.py")


def _signal_figures(signals: list[Signal]) -> list:
    return [(s.pk, s.key, s.name, s.scale_min, s.scale_max) for s in signals]


def _result_figures(row) -> list:
    """Everything of a result that its card and row show (with its signal values)."""
    return [
        row.pk,
        row.idea_id,
        row.rank,
        row.idea.title,
        row.overall,
        row.passes_gate,
        row.gate_reason,
        row.contested,
        row.contested_reason,
        row.reviewers,
        row.functions,
        row.function_means,
    ]


def _results_html(rows, mode_label: str) -> tuple[SafeString, SafeString]:
    """The result cards and the data table's rows of a page of decorated results."""
    rows = list(rows)
    cards = "".join(_card_html(row, mode_label) for row in rows)
    return mark_safe(cards), mark_safe("".join(_row_html(row) for row in rows))


def _bars_html(bars: list[dict]) -> SafeString:
    below = icon("circle-x", label="below the gate")
    return mark_safe(
        "".join(
            _BAR.format(
                name=escape(b["signal"].name),
                below=" is-below" if b["below"] else "",
                pct=b["pct_2f"],
                gate=b["gate_pct_2f"],
                value=b["value_2f"],
                icon=below if b["below"] else "",
            )
            for b in bars
        )
    )


def _function_bars_html(functions: list[dict]) -> SafeString:
    return mark_safe(
        "".join(
            _FUNCTION_BAR.format(name=escape(f["name"]), pct=f["pct_2f"], value=f["value_2f"])
            for f in functions
        )
    )


def _signal_values(rows) -> dict[int, list[tuple[int, float, float, float]]]:
    """Per result of ``rows`` (by its id), its signal results as plain ``(signal id, raw,
    calibrated, sd)`` in the scorecard's signal order: one query, and 200 tuples a page
    rather than 200 model instances through a prefetch."""
    values: dict[int, list[tuple[int, float, float, float]]] = defaultdict(list)
    results = (
        SignalResult.objects.filter(idea_score__in=[row.pk for row in rows])
        .order_by("signal__order", "signal_id")
        .values_list("idea_score_id", "signal_id", "raw", "calibrated", "sd")
    )
    for score_id, *result in results:
        values[score_id].append(tuple(result))
    return values


def _decorate_results(
    rows, signals: list[Signal], threshold: float, mode: str, thin, signal_values
) -> None:
    """Per row: ``bars`` (one per signal of ``signal_values``, see _signal_values: the
    shown mean, raw or calibrated, against the gate) and, for a contested idea, ``split``:
    the function means on the signal where the functions disagree most (calibrated, as the
    contested test reads them)."""
    by_id = {s.pk: s for s in signals}
    by_key = {s.key: s for s in signals}
    names = dict(Function.choices)
    gate_2f = {s.pk: f"{_position(threshold, s):.2f}" for s in signals}
    for row in rows:
        row.overall_2f = f"{row.overall:.2f}"
        row.bars = []
        for signal_id, raw, calibrated, sd in signal_values.get(row.pk, ()):
            signal = by_id.get(signal_id)
            if signal is None:
                continue
            value = raw if mode == "raw" else calibrated
            row.bars.append(
                {
                    "signal": signal,
                    "below": calibrated < threshold,
                    # As the template's ``stringformat:".2f"`` wrote them: ~650 numbers a
                    # page, each a filter call in the template.
                    "value_2f": f"{value:.2f}",
                    "pct_2f": f"{_position(value, signal):.2f}",
                    "gate_pct_2f": gate_2f[signal_id],
                    "calibrated_2f": f"{calibrated:.2f}",
                    "raw_2f": f"{raw:.2f}",
                    "sd_2f": f"{sd:.2f}",
                }
            )
        row.bars_html = _bars_html(row.bars)
        row.cells_html = mark_safe(
            "".join(_CELLS.format(b["calibrated_2f"], b["raw_2f"], b["sd_2f"]) for b in row.bars)
        )
        row.split = None
        if not row.contested:
            continue
        means = row.function_means_without(thin.get(row.idea_id, set()) if thin else set())
        widest = None
        for key, signal in by_key.items():
            values = {f: m[key] for f, m in means.items() if key in m}
            if len(values) >= 2:
                spread = max(values.values()) - min(values.values())
                if widest is None or spread > widest[0]:
                    widest = (spread, signal, values)
        if widest:
            spread, signal, values = widest
            row.split = {
                "signal": signal,
                "spread": spread,
                "spread_1f": f"{spread:.1f}",
                "functions": [
                    {
                        "name": names.get(f, f.title()),
                        "value": v,
                        "pct": _position(v, signal),
                        "value_2f": f"{v:.2f}",
                        "pct_2f": f"{_position(v, signal):.2f}",
                    }
                    for f, v in sorted(values.items(), key=lambda fv: -fv[1])
                ],
            }
            row.split["bars_html"] = _function_bars_html(row.split["functions"])


def _round_context(request, round: ReviewRound, *, results_only: bool = False) -> dict:
    """The round page's context; ``results_only`` for the htmx swap of the results region
    (no progress tables)."""
    can_manage = request.user.has_perm("scoring.view_round", round)
    mode = "raw" if request.GET.get("values") == "raw" else "calibrated"
    ctx: dict = {
        "round": round,
        "can_manage": can_manage,
        "now": timezone.now(),
        "mode": mode,
        "mode_label": RESULT_VALUES[mode],
        "modes": RESULT_VALUES,
    }
    if can_manage and not results_only:
        ctx["reviewers"] = _reviewer_progress(round)
        # A page of ideas (a round may hold 10,000), counted per idea through the
        # (round, idea, reviewer) unique index: 50 small subqueries, not a GROUP BY of all.
        of_idea = Assignment.objects.filter(round=round, idea=OuterRef("pk"))
        ideas = round.ideas.only("id", "title").annotate(
            total=_count(of_idea),
            done=_count(of_idea.filter(submitted_at__isnull=False)),
        )
        # The round's maintained count of its ideas, not a count of 10,000 links.
        ctx["ideas"] = _KnownCount(
            ideas.order_by("title", "id"), PAGE_SIZE, round.idea_count
        ).get_page(request.GET.get("ideas_page"))
        ctx["late"] = round.is_late()
        ctx["ideas_rows"] = _idea_progress_html(ctx["ideas"], ctx["late"])
        # Shown only while the round is a draft (why it cannot open yet): read only then.
        ctx["coverage"] = (
            services.coverage_problem(panel=round.panel, scorecard=round.scorecard)
            if round.status == RoundStatus.DRAFT
            else None
        )
    if round.status == RoundStatus.CLOSED or can_manage:
        ctx["signals"] = signals = list(Signal.objects.for_round(round))
        ctx["results"] = _results_page(request, round) if round.is_closed else None
        if ctx["results"]:
            thin = None
            if not request.user.has_perm("scoring.manage_rounds"):
                thin = _hide_thin_functions(round, ctx["results"])
            threshold = float(round.scorecard.gate_threshold)
            values = _signal_values(ctx["results"])
            rows = list(ctx["results"])

            def render():
                _decorate_results(rows, signals, threshold, mode, thin, values)
                return _results_html(rows, ctx["mode_label"])

            # A closed round's results change only when it is recomputed: the cards and
            # rows (most of the page's time) are built once per set of the figures they show.
            ctx["results_cards"], ctx["results_rows"] = cached_fragments(
                "round-results",
                [mode, ctx["mode_label"], threshold, _signal_figures(signals)]
                + [_result_figures(row) for row in rows]
                + [sorted(values.items()), sorted((k, sorted(v)) for k, v in (thin or {}).items())],
                render,
                sources=RESULTS_SOURCES,
            )
    return ctx


@login_required
def round_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Progress per reviewer and per idea (who is late) and, once closed, the results: a
    ranked list with each idea's signal means against the gate, raw or calibrated
    (``?values=raw``; htmx swaps only the results region)."""
    round = _get_round(request, pk, counts=True)
    if is_partial(request, "results"):
        ctx = _round_context(request, round, results_only=True)
        return vary_on_htmx(render(request, "scoring/round_detail.html#results", ctx))
    response = render(request, "scoring/round_detail.html", _round_context(request, round))
    return vary_on_htmx(response)


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

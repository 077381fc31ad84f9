"""Demo data for scoring: a cross-functional panel, a marketing-only panel (whose draft round
cannot open), a closed round with results (a contested idea, a harsh reviewer corrected by
calibration) and an open round half done for panelist@example.com.

Runs after the ideas demo (which leaves ideas in screening). Idempotent: rounds are found
by name and only created when missing.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from ideas.models import Idea, Status
from scoring import services
from scoring.defaults import ensure_defaults
from scoring.models import Assignment, Panel, ReviewRound, Signal

CROSS = ["panelist", "sales", "it", "service", "marketing", "operations"]
MARKETING_ONLY = ["marketing", "manager"]
CLOSED_ROUND = "Spring review (closed)"
OPEN_ROUND = "Summer review (open)"
DRAFT_ROUND = "Marketing-only review (cannot open)"
# Habits of the demo reviewers: Ivy (IT) scores everything low, Sam (sales) high.
BIAS = {"it": -1.5, "sales": 1.0}
SIGNAL_TILT = {"importance": 0.4, "evidence": 0.0, "uniqueness": -0.3, "defensibility": -0.6}


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _people(names: list[str]) -> list[User]:
    emails = [f"{n}@example.com" for n in names]
    return list(User.objects.filter(email__in=emails))


def _panel(name: str, names: list[str]) -> Panel:
    panel = Panel.objects.filter(name=name).first()
    if panel is None:
        panel = Panel.objects.create(name=name)
        panel.members.set(_people(names))
    return panel


def _value(base: float, function: str, key: str) -> int:
    return max(1, min(5, round(base + BIAS.get(function, 0) + SIGNAL_TILT[key])))


def _score_all(round: ReviewRound, bases: dict[int, float], contested_idea: int | None, only=None):
    keys = list(Signal.objects.filter(scorecards=round.scorecard).values_list("key", flat=True))
    for a in Assignment.objects.filter(round=round).select_related("reviewer"):
        if only is not None and not only(a):
            continue
        function = a.reviewer.function
        scores = []
        for key in keys:
            value = _value(bases[a.idea_id], function, key)
            if a.idea_id == contested_idea and key == "uniqueness":
                # Product and IT see a unique service; service and operations have seen it
                # at two competitors already: a split the panel should discuss.
                value = {"product": 5, "it": 4, "service": 1, "operations": 1}.get(function, value)
            scores.append(
                {"signal": key, "value": value, "rationale": f"{function} view on {key}."}
            )
        yield a, scores


def seed(stdout=None) -> None:
    manager = User.objects.filter(email="manager@example.com").first()
    scorecard = ensure_defaults()
    if manager is None:
        _say(stdout, "scoring demo: skipped (no demo manager)")
        return
    cross = _panel("Cross-functional CX panel", CROSS)
    marketing = _panel("Marketing only", MARKETING_ONLY)
    now = timezone.now()
    if ReviewRound.objects.filter(name=CLOSED_ROUND).exists():
        _say(stdout, "scoring demo: rounds already present")
        return
    ideas = list(Idea.objects.filter(status=Status.SCREENING).order_by("created_at", "pk"))
    if len(ideas) < 12:
        _say(stdout, f"scoring demo: skipped rounds (only {len(ideas)} ideas in screening)")
        return

    # A closed round with results.
    closed_ideas = ideas[:6]
    round = services.round_create(
        panel=cross,
        scorecard=scorecard,
        ideas=closed_ideas,
        due_at=now + timedelta(days=1),
        actor=manager,
        name=CLOSED_ROUND,
    )
    services.round_open(round=round, actor=manager)
    bases = {
        idea.pk: b for idea, b in zip(closed_ideas, [4.6, 4.2, 3.8, 3.2, 2.6, 2.0], strict=True)
    }
    for a, scores in _score_all(round, bases, contested_idea=closed_ideas[1].pk):
        services.scores_save(assignment=a, scores=scores, actor=a.reviewer)
        services.assignment_submit(assignment=a, actor=a.reviewer)
    services.round_close(round=round, actor=manager)
    services.aggregation_run(round_id=round.pk)

    # An open round, half done: panelist@ scored some ideas, left one half scored.
    open_ideas = ideas[6:12]
    round = services.round_create(
        panel=cross,
        scorecard=scorecard,
        ideas=open_ideas,
        due_at=now + timedelta(days=10),
        actor=manager,
        name=OPEN_ROUND,
    )
    services.round_open(round=round, actor=manager)
    bases = {idea.pk: b for idea, b in zip(open_ideas, [4.0, 3.5, 3.0, 2.5, 4.4, 3.3], strict=True)}
    first_half = {i.pk for i in open_ideas[:3]}
    for a, scores in _score_all(round, bases, None, only=lambda a: a.idea_id in first_half):
        if a.reviewer.email == "panelist@example.com" and a.idea_id == open_ideas[2].pk:
            services.scores_save(assignment=a, scores=scores[:2], actor=a.reviewer)
            continue
        services.scores_save(assignment=a, scores=scores, actor=a.reviewer)
        services.assignment_submit(assignment=a, actor=a.reviewer)
    services.aggregation_run(round_id=round.pk)

    # A draft round for the marketing-only panel: opening it is refused (one function).
    if len(ideas) > 12:
        services.round_create(
            panel=marketing,
            scorecard=scorecard,
            ideas=ideas[12:14],
            due_at=now + timedelta(days=14),
            actor=manager,
            name=DRAFT_ROUND,
        )
    problem = services.coverage_problem(panel=marketing, scorecard=scorecard)
    _say(stdout, f"scoring demo: the marketing-only panel cannot open a round: {problem}")

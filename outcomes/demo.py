"""Demo data for outcomes: experiments that tell the story, and a cohort for accuracy.

The story, on ideas of the ideas demo:
- a launched idea whose experiment was decided *scale*, with weekly measurements and three
  months of realised value;
- an idea in experiment whose experiment is decided *stop* (through the service, so it is
  audited) and which is then parked through the workflow (the gate reads the decision);
- an idea in experiment with a *running* experiment and five measurements, waiting for a
  decision; the other ideas in experiment get a complete pending experiment each.

The pilot cohort: 14 ideas reviewed last year by the cross-functional panel (a real closed
round, aggregated by scoring), then tested, each with a decided experiment whose attainment
follows the panel's view loosely — so a report relating panel scores to outcomes has real,
non-trivial correlations to show. Scaled ones are launched with value records; stopped and
iterated ones are parked. Their history is written directly (demo data is not the
workflow) but is a consistent chain of statuses.

Idempotent: nothing is written when any experiment exists. Missing people or ideas are
skipped with a note.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from ideas import services as idea_services
from ideas.models import (
    Evidence,
    EvidenceKind,
    Horizon,
    Idea,
    IdeaTransition,
    Status,
    ValueConfidence,
)
from outcomes import services
from outcomes.models import Decision, Direction, Experiment, Measurement, ValueRecord
from scoring import services as scoring_services
from scoring.defaults import ensure_defaults
from scoring.models import Assignment, Panel, Score, Signal
from scoring.progress import progress_refresh

COHORT_ROUND = "Pilot cohort review (closed)"
PANEL = "Cross-functional CX panel"
# (metric, unit, direction, baseline, target)
METRICS = [
    ("Online account opening completion", "%", Direction.INCREASE, "38", "55"),
    ("Average wait in the contact centre", "minutes", Direction.DECREASE, "9.5", "6.0"),
    ("Repeat calls within 7 days", "%", Direction.DECREASE, "22", "15"),
    ("App store rating", "stars", Direction.INCREASE, "3.6", "4.3"),
    ("Mortgage offer turnaround", "days", Direction.DECREASE, "12", "7"),
    ("NPS after onboarding", "NPS points", Direction.INCREASE, "18", "30"),
    ("Card activation within 3 days", "%", Direction.INCREASE, "61", "80"),
]
COHORT = [
    ("Explain fees before the customer signs", "new_experience"),
    ("Call-back slots instead of hold music", "optimization"),
    ("One case number across every channel", "new_interaction_model"),
    ("Photo upload for disputed payments", "new_technology"),
    ("Mortgage progress tracker", "new_experience"),
    ("Onboarding buddy for small businesses", "new_product_or_service"),
    ("Activate the card in the app", "new_technology"),
    ("Plain-language letters", "optimization"),
    ("Proactive alert before an overdraft", "new_experience"),
    ("Video identification for new customers", "new_technology"),
    ("Same-day replacement cards in branches", "new_product_or_service"),
    ("Self-service address change", "optimization"),
    ("Chat hand-over with the full history", "new_interaction_model"),
    ("Savings goals shared with family", "new_product_or_service"),
]
# The panel's view of each cohort idea (1-5) and how far its experiment got (attainment):
# related, not identical — the panel was often right, sometimes not.
QUALITY = [4.6, 4.3, 4.1, 3.9, 3.8, 3.6, 3.5, 3.3, 3.1, 2.9, 2.7, 2.5, 2.3, 2.0]
ATTAINMENT = [1.15, 0.62, 1.02, 0.91, 0.35, 0.88, 1.05, 0.48, 0.72, -0.10, 0.55, 0.18, 0.30, 0.05]
# Habits of the demo reviewers (as in the scoring demo) and how each signal leans.
BIAS = {"it": -1.0, "sales": 0.8}
TILT = {"importance": 0.3, "evidence": 0.0, "uniqueness": -0.2, "defensibility": -0.5}


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(f"  outcomes: {text}")


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _decision_for(reached: float) -> str:
    if reached >= 0.8:
        return Decision.SCALE
    if reached >= 0.45:
        return Decision.ITERATE
    return Decision.STOP


def _experiment(idea: Idea, k: int, *, starts_on: date, **extra) -> Experiment:
    metric, unit, direction, baseline, target = METRICS[k % len(METRICS)]
    return Experiment(
        idea=idea,
        hypothesis=f"If we do “{idea.title[:80]}”, {metric.lower()} moves from {baseline} "
        f"to {target} {unit} for the customers in the pilot.",
        segment=["12 pilot branches", "New customers in March", "App users, 10% sample"][k % 3],
        metric=metric,
        unit=unit,
        direction=direction,
        baseline=Decimal(baseline),
        target=Decimal(target),
        starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=8),
        created_at=_at(starts_on - timedelta(days=7)),
        created_by=idea.owner,
        **extra,
    )


def _series(experiment: Experiment, reached: float, weeks: int, rng) -> list[Measurement]:
    """Weekly values from near the baseline to ``baseline + reached * distance`` (the last
    one exactly, to 2 places), with a little noise on the way."""
    distance = experiment.target - experiment.baseline
    rows = []
    for week in range(1, weeks + 1):
        share = Decimal(str(reached)) * week / weeks
        wobble = Decimal(0) if week == weeks else Decimal(str(rng.uniform(-0.08, 0.08)))
        value = (experiment.baseline + (share + wobble) * distance).quantize(Decimal("0.01"))
        rows.append(
            Measurement(
                experiment=experiment,
                measured_on=experiment.starts_on + timedelta(weeks=week),
                value=value,
                note="weekly figure" if week < weeks else "final week",
                recorded_by=experiment.idea.owner,
            )
        )
    return rows


def _value(idea: Idea, months: list[tuple[date, date]], per_month: Decimal, by) -> list:
    return [
        ValueRecord(
            idea=idea,
            period_start=start,
            period_end=end,
            revenue_generated=(per_month * Decimal("0.7")).quantize(Decimal("0.01")),
            revenue_protected=(per_month * Decimal("0.3")).quantize(Decimal("0.01")),
            note="From the finance month-end report.",
            recorded_by=by,
        )
        for start, end in months
    ]


def _save_value(records: list[ValueRecord]) -> None:
    """Save value records with their ideas' maintained totals, as the service does."""
    ValueRecord.objects.bulk_create(records)
    by_idea: dict[int, list[ValueRecord]] = {}
    for record in records:
        by_idea.setdefault(record.idea_id, []).append(record)
    for idea_id, rows in by_idea.items():
        services.value_totals_add(idea_id, rows)


def _last_months(today: date, n: int) -> list[tuple[date, date]]:
    """The ``n`` full calendar months before the current one, oldest first."""
    months = []
    end = today.replace(day=1) - timedelta(days=1)
    for _ in range(n):
        start = end.replace(day=1)
        months.append((start, end))
        end = start - timedelta(days=1)
    return months[::-1]


def _story(manager: User, today: date, rng, stdout) -> None:
    launched = Idea.objects.filter(status=Status.LAUNCHED, owner__isnull=False).order_by("pk")
    running = list(
        Idea.objects.filter(status=Status.IN_EXPERIMENT, owner__isnull=False).order_by("pk")
    )
    if not launched or len(running) < 2:
        _say(stdout, "story skipped (needs launched ideas and two in experiment)")
        return
    experiments, measurements, records = [], [], []
    for k, idea in enumerate(launched):
        decided = today - timedelta(days=60 + 10 * k)
        e = _experiment(
            idea,
            k,
            starts_on=decided - timedelta(weeks=9),
            decision=Decision.SCALE,
            decision_note="Met the target in the pilot: scale to every branch.",
            decided_by=idea.owner,
            decided_at=_at(decided),
        )
        experiments.append(e)
        measurements.extend(_series(e, 1.05 - 0.05 * k, 8, rng))
        if k == 0:
            records += _value(idea, _last_months(today, 3), Decimal("18500.00"), idea.owner)
    Experiment.objects.bulk_create(experiments)
    Measurement.objects.bulk_create(measurements)
    _save_value(records)

    # Stopped: decided through the service (audited), then parked through the workflow.
    stopped = running[0]
    e = _experiment(stopped, 1, starts_on=today - timedelta(weeks=10))
    e.save()
    Measurement.objects.bulk_create(_series(e, 0.1, 6, rng))
    services.experiment_decide(
        experiment=e,
        decision=Decision.STOP,
        note="Wait times did not move in six weeks; the queue is not where customers lose time.",
        actor=stopped.owner,
    )
    idea_services.idea_transition(
        idea=stopped,
        to=Status.PARKED,
        actor=manager,
        reason="Experiment stopped: no effect on the wait. Parked until the routing rework.",
    )

    # Running: five weekly measurements so far, no decision; the rest have a complete plan.
    e = _experiment(running[1], 0, starts_on=today - timedelta(weeks=6))
    e.save()
    Measurement.objects.bulk_create(_series(e, 0.6, 5, rng))
    for k, idea in enumerate(running[2:], start=2):
        _experiment(idea, k, starts_on=today - timedelta(days=10 * k)).save()
    _say(
        stdout,
        f"story: {len(experiments)} scaled (launched), 1 stopped (parked), 1 running with "
        f"measurements, {max(len(running) - 2, 0)} planned",
    )


def _cohort(manager: User, today: date, rng, stdout) -> None:
    panel = Panel.objects.filter(name=PANEL).prefetch_related("members").first()
    staff = {u.email: u for u in User.objects.filter(email__endswith="@example.com")}
    authors = [staff.get("employee@example.com"), manager]
    owners = [staff.get(e) for e in ("employee@example.com", "panelist@example.com")]
    if panel is None or None in authors or None in owners:
        _say(stdout, "pilot cohort skipped (needs the demo panel and people)")
        return
    scorecard = ensure_defaults()
    created = today - timedelta(days=420)
    ideas = Idea.objects.bulk_create(
        [
            Idea(
                title=title,
                customer_need="Customers told us in the complaint logs and the 2025 survey.",
                proposal="Pilot it for eight weeks, measure one metric, then decide.",
                innovation_type=kind,
                author=authors[i % 2],
                origin="employee",
                status=Status.SCREENING,
                owner=owners[i % 2],
                estimated_cost=Decimal(20000 + 5000 * (i % 5)),
                expected_value=Decimal(60000 + 10000 * (i % 7)),
                # Confirmed at screening, valued before approval (the ideas' own gates).
                horizon=Horizon.CORE if kind == "optimization" else Horizon.ADJACENT,
                type_confirmed=True,
                horizon_confirmed=True,
                expected_revenue_protected=Decimal(60000 + 10000 * (i % 7)),
                value_confidence=ValueConfidence.MEDIUM,
                created_at=_at(created + timedelta(days=i)),
            )
            for i, (title, kind) in enumerate(COHORT)
        ]
    )
    # Each needs evidence to enter review: one complaint log each, counted on the idea.
    Evidence.objects.bulk_create(
        [
            Evidence(
                idea=idea,
                kind=EvidenceKind.COMPLAINT,
                summary="Complaint logs and the 2025 survey name this moment.",
                customers_affected=120 + 10 * i,
                added_by=idea.author,
                created_at=idea.created_at,
            )
            for i, idea in enumerate(ideas)
        ]
    )
    idea_services.idea_recount(ids=[idea.pk for idea in ideas])
    history = []
    for idea in ideas:
        for k, (frm, to) in enumerate(
            [("", "draft"), ("draft", "submitted"), ("submitted", "screening")]
        ):
            history.append(
                IdeaTransition(
                    idea=idea,
                    from_status=frm,
                    to_status=to,
                    actor=idea.author if k < 2 else manager,
                    at=idea.created_at + timedelta(days=2 * k),
                )
            )
    IdeaTransition.objects.bulk_create(history)

    # A real review: the round opens (ideas go to in review through the workflow), every
    # member scores every signal, the round closes and scoring aggregates it.
    review = scoring_services.round_create(
        panel=panel,
        scorecard=scorecard,
        ideas=ideas,
        due_at=timezone.now() + timedelta(days=1),
        actor=manager,
        name=COHORT_ROUND,
    )
    scoring_services.round_open(round=review, actor=manager)
    quality = {idea.pk: q for idea, q in zip(ideas, QUALITY, strict=True)}
    signals = list(Signal.objects.filter(scorecards=scorecard))
    scores = []
    assignments = list(Assignment.objects.filter(round=review).select_related("reviewer"))
    for a in assignments:
        for s in signals:
            base = quality[a.idea_id] + TILT.get(s.key, 0) + BIAS.get(a.reviewer.function, 0)
            value = max(1, min(5, round(base + rng.uniform(-0.7, 0.7))))
            scores.append(
                Score(assignment=a, signal=s, value=value, rationale=f"{s.name}: seen in the data.")
            )
    Score.objects.bulk_create(scores)
    Assignment.objects.filter(round=review).update(submitted_at=timezone.now())
    progress_refresh(review.pk)  # submitted in bulk, around the service
    scoring_services.round_close(round=review, actor=manager)
    scoring_services.aggregation_run(round_id=review.pk)

    # Then the tests: shortlisted, approved, funded, in experiment, decided; launched or
    # parked. Written directly, in order, dated in the past.
    experiments, measurements, records, history = [], [], [], []
    reviewed = today - timedelta(days=380)
    for k, (idea, reached) in enumerate(zip(ideas, ATTAINMENT, strict=True)):
        decision = _decision_for(reached)
        starts = reviewed + timedelta(days=40 + 7 * k)
        decided = starts + timedelta(weeks=9)
        final = Status.LAUNCHED if decision == Decision.SCALE else Status.PARKED
        e = _experiment(
            idea,
            k,
            starts_on=starts,
            decision=decision,
            decision_note={
                Decision.SCALE: "The pilot met its target: scale it.",
                Decision.ITERATE: "Promising, but short of the target: rework and test again.",
                Decision.STOP: "No real effect: stop here.",
            }[decision],
            decided_by=idea.owner,
            decided_at=_at(decided),
        )
        experiments.append(e)
        measurements.extend(_series(e, reached, 8, rng))
        steps = [
            Status.SHORTLISTED,
            Status.APPROVED,
            Status.FUNDED,
            Status.IN_EXPERIMENT,
            final,
        ]
        days = [reviewed + timedelta(days=d) for d in (5, 15, 30)] + [
            starts,
            decided + timedelta(days=3),
        ]
        previous = Status.IN_REVIEW
        for to, day in zip(steps, days, strict=True):
            history.append(
                IdeaTransition(
                    idea=idea,
                    from_status=previous,
                    to_status=to,
                    actor=manager,
                    reason={
                        Status.SHORTLISTED: "Passed the panel's signal gate (or a manager's call).",
                        Status.LAUNCHED: "Scaled after the pilot.",
                        Status.PARKED: f"Experiment decided {decision}.",
                    }.get(to, ""),
                    at=_at(day),
                )
            )
            previous = to
        idea.status = final
        if final == Status.LAUNCHED:
            idea.outcome_note = "Scaled after the pilot."
            per_month = Decimal(9000 + int(reached * 8000))
            records += _value(idea, _last_months(today, 4), per_month, idea.owner)
    Experiment.objects.bulk_create(experiments)
    Measurement.objects.bulk_create(measurements)
    IdeaTransition.objects.bulk_create(history)
    Idea.objects.bulk_update(ideas, ["status", "outcome_note"])
    _save_value(records)
    scaled = sum(e.decision == Decision.SCALE for e in experiments)
    _say(
        stdout,
        f"pilot cohort: {len(ideas)} reviewed ideas, {len(experiments)} decided experiments "
        f"({scaled} scaled), {len(records)} value records",
    )


def seed(stdout=None) -> None:
    if Experiment.objects.exists():
        _say(stdout, "experiments already present")
        return
    manager = User.objects.filter(email="manager@example.com").first()
    if manager is None:
        _say(stdout, "skipped (no demo manager)")
        return
    today = timezone.localdate()
    rng = random.Random(20261130)
    _story(manager, today, rng, stdout)
    _cohort(manager, today, rng, stdout)

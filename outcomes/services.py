"""Writes of the outcomes app: experiments, measurements, decisions and value records.

Rules (each also has a test that fails without it):
- an experiment is created for an idea that is approved, funded or in experiment, by the
  idea's owner or a manager; an idea has at most one pending experiment (the idea row is
  locked while this is checked, and a partial unique constraint backs it up);
- the direction names which way is better, so the target lies above the baseline for an
  increase and below it for a decrease (never equal: attainment would divide by zero);
- baseline, target and direction are frozen once a measurement exists (no moving the
  goalposts), and nothing changes once the experiment is decided;
- one measurement per day, never in the future nor before the experiment starts;
- a decision (scale, iterate or stop) is taken once, by the owner or a manager, audited;
- value records belong to launched ideas; the periods of one idea never overlap. The idea
  row is locked (``SELECT ... FOR UPDATE``) while the overlap is checked, so two records
  entered at once are serialised and the second one sees the first;
- every write of value records adds them to the idea's maintained totals (``IdeaValue``) in
  the same transaction, under the same lock (:func:`value_totals_add`);
  :func:`idea_values_rebuild` recomputes the totals from the records.

CSV imports run every row through the same checks as one-by-one entry, save the rows that
pass in one transaction and report the others with their line number and reason.
"""

import contextlib
import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.audit import audit_record
from budgets.services import money
from core.exceptions import Conflict
from core.web import require_perm
from ideas.models import Idea, Status
from outcomes.models import (
    METRIC,
    Decision,
    Direction,
    Experiment,
    IdeaValue,
    Measurement,
    ValueRecord,
)

EXPERIMENTABLE = {Status.APPROVED, Status.FUNDED, Status.IN_EXPERIMENT}
EXPERIMENT_FIELDS = {
    "hypothesis",
    "segment",
    "metric",
    "unit",
    "direction",
    "baseline",
    "target",
    "starts_on",
    "ends_on",
}
FROZEN_ONCE_MEASURED = {"baseline", "target", "direction"}
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 1_000_000
METRIC_STEP = Decimal(1).scaleb(-METRIC["decimal_places"])


class OutcomeConflict(Conflict):
    """Valid request, wrong state (API 409). ``code``: ``not_experimentable`` |
    ``pending_exists`` | ``decided`` | ``measured`` | ``not_launched`` | ``overlap``."""


# --- Listeners --------------------------------------------------------------------------

# Apps to the right (reports on experiments) register here to hear of a decision once it
# is committed; outcomes never imports them. A listener takes the experiment id.
_DECISION_LISTENERS: list[Callable[[int], None]] = []


def register_decision_listener(listener: Callable[[int], None]) -> None:
    """Call ``listener(experiment_id)`` after each decision commits (idempotent)."""
    if listener not in _DECISION_LISTENERS:
        _DECISION_LISTENERS.append(listener)


# --- Parsing helpers --------------------------------------------------------------------


def metric_value(value, *, field: str) -> Decimal:
    """``value`` as a Decimal with 4 places; floats and non-numbers are refused."""
    if isinstance(value, float):
        raise ValidationError({field: "Give the number as a decimal, not a float."})
    try:
        number = Decimal(str(value).strip()).quantize(METRIC_STEP, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: "Enter a number such as 42.5."}) from None
    limit = Decimal(10) ** (METRIC["max_digits"] - METRIC["decimal_places"])
    if not number.is_finite() or abs(number) >= limit:
        raise ValidationError({field: "Enter a number such as 42.5."})
    return number


def _day(value, *, field: str) -> date:
    if isinstance(value, date):
        return value
    parsed = None
    with contextlib.suppress(ValueError):  # a well-formed but impossible date (2026-02-30)
        parsed = parse_date(str(value or "").strip())
    if parsed is None:
        raise ValidationError({field: "Enter a date as YYYY-MM-DD."})
    return parsed


# --- Experiments ------------------------------------------------------------------------


def _check_experiment(experiment: Experiment) -> None:
    errors: dict[str, str] = {}
    for name in ("baseline", "target"):
        value = getattr(experiment, name)
        if value is not None:
            setattr(experiment, name, metric_value(value, field=name))
    baseline, target = experiment.baseline, experiment.target
    if baseline is not None and target is not None:
        if target == baseline:
            errors["target"] = "The target must differ from the baseline."
        elif experiment.direction == Direction.INCREASE and target < baseline:
            errors["target"] = "For an increase the target lies above the baseline."
        elif experiment.direction == Direction.DECREASE and target > baseline:
            errors["target"] = "For a decrease the target lies below the baseline."
    if experiment.starts_on and experiment.ends_on and experiment.ends_on < experiment.starts_on:
        errors["ends_on"] = "The experiment must end on or after its start."
    if errors:
        raise ValidationError(errors)
    experiment.full_clean(exclude=["idea", "decided_by", "created_by"], validate_unique=False)


@transaction.atomic
def experiment_create(*, idea: Idea, actor, **fields) -> Experiment:
    """Draft an experiment for ``idea``; blanks are allowed until the idea enters
    ``in_experiment`` (the gate names what is missing)."""
    require_perm(actor, "outcomes.add_experiment", idea)
    unknown = set(fields) - EXPERIMENT_FIELDS
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    # The idea lock serialises experiment creation per idea: two at once cannot both see
    # "no pending experiment".
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if locked.status not in EXPERIMENTABLE:
        raise OutcomeConflict(
            f"Experiments are for approved, funded or running ideas; "
            f"this one is {Status(locked.status).label.lower()}.",
            code="not_experimentable",
        )
    if Experiment.objects.filter(idea=locked).pending().exists():
        raise OutcomeConflict(
            "This idea already has an experiment waiting for a decision: decide it first.",
            code="pending_exists",
        )
    experiment = Experiment(idea=locked, created_by=actor, **_stripped(fields))
    _check_experiment(experiment)
    experiment.save()
    return experiment


def _stripped(fields: dict) -> dict:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}


@transaction.atomic
def experiment_update(*, experiment: Experiment, actor, **fields) -> Experiment:
    require_perm(actor, "outcomes.change_experiment", experiment)
    unknown = set(fields) - EXPERIMENT_FIELDS
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    locked = Experiment.objects.select_for_update().select_related("idea").get(pk=experiment.pk)
    if not locked.is_pending:
        raise OutcomeConflict("A decided experiment no longer changes.", code="decided")
    changed = {k: v for k, v in _stripped(fields).items() if getattr(locked, k) != v}
    frozen = sorted(FROZEN_ONCE_MEASURED & set(changed))
    if frozen and locked.measurements.exists():
        raise OutcomeConflict(
            f"Measurements exist, so the {' and '.join(frozen)} can no longer change "
            "(that would move the goalposts). Stop the experiment and start a new one instead.",
            code="measured",
        )
    for name, value in changed.items():
        setattr(locked, name, value)
    _check_experiment(locked)
    locked.save()
    for name in fields:
        setattr(experiment, name, getattr(locked, name))
    return locked


@transaction.atomic
def experiment_decide(
    *, experiment: Experiment, decision: str, actor, note: str = ""
) -> Experiment:
    """Take the experiment's decision (scale, iterate or stop), once; audited. The idea's
    move (launch or park) is a separate step through the workflow, whose gates read it."""
    require_perm(actor, "outcomes.decide_experiment", experiment)
    if decision not in {Decision.SCALE, Decision.ITERATE, Decision.STOP}:
        raise ValidationError({"decision": "Decide scale, iterate or stop."})
    locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if not locked.is_pending:
        raise OutcomeConflict(
            f"This experiment was already decided ({locked.get_decision_display().lower()}).",
            code="decided",
        )
    locked.decision = decision
    locked.decision_note = (note or "").strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    reached = Experiment.objects.with_attainment().values_list("attainment", flat=True)
    reached = reached.get(pk=locked.pk)
    audit_record(
        actor=actor,
        action="experiment.decide",
        target=locked,
        summary=f"Experiment #{locked.pk} on idea #{locked.idea_id}: {decision}",
        data={
            "decision": decision,
            "note": locked.decision_note,
            "idea": locked.idea_id,
            "attainment": None if reached is None else round(reached, 4),
        },
    )
    for listener in list(_DECISION_LISTENERS):
        transaction.on_commit(lambda listener=listener: listener(locked.pk))
    for name in ("decision", "decision_note", "decided_by", "decided_at"):
        setattr(experiment, name, getattr(locked, name))
    return locked


# --- Measurements -----------------------------------------------------------------------


def _clean_measurement(
    experiment: Experiment, *, measured_on, value, note: str, taken: set[date]
) -> Measurement:
    """One checked, unsaved measurement; ``taken`` holds the days already measured."""
    day = _day(measured_on, field="measured_on")
    number = metric_value(value, field="value")
    note = (note or "").strip()
    if day > timezone.localdate():
        raise ValidationError(
            {"measured_on": "A measurement is recorded once taken: not in the future."}
        )
    if experiment.starts_on and day < experiment.starts_on:
        raise ValidationError(
            {"measured_on": f"The experiment starts on {experiment.starts_on}; this is before."}
        )
    if day in taken:
        raise ValidationError({"measured_on": f"There is already a measurement on {day}."})
    if len(note) > 300:
        raise ValidationError({"note": "Keep the note under 300 characters."})
    return Measurement(experiment=experiment, measured_on=day, value=number, note=note)


def _lock_open_experiment(experiment: Experiment) -> Experiment:
    # The experiment lock serialises measurements of one experiment, so the one-per-day
    # check below cannot be raced (the unique constraint backs it up).
    locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if not locked.is_pending:
        raise OutcomeConflict(
            "The experiment is decided: it takes no more measurements.", code="decided"
        )
    return locked


@transaction.atomic
def measurement_add(
    *, experiment: Experiment, measured_on, value, actor, note: str = ""
) -> Measurement:
    require_perm(actor, "outcomes.add_measurement", experiment)
    locked = _lock_open_experiment(experiment)
    taken = set(locked.measurements.values_list("measured_on", flat=True))
    measurement = _clean_measurement(
        locked, measured_on=measured_on, value=value, note=note, taken=taken
    )
    measurement.recorded_by = actor
    measurement.save()
    return measurement


@dataclass
class RejectedRow:
    line: int
    text: str
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.imported + len(self.rejected)


def _csv_rows(content: bytes | str, header: tuple[str, ...]):
    """(line number, row, raw text) for each non-blank row; a first row naming the columns
    is skipped. Refuses files that are too large or not UTF-8 text."""
    if isinstance(content, bytes):
        if len(content) > MAX_IMPORT_BYTES:
            raise ValidationError({"file": f"The file is larger than {MAX_IMPORT_BYTES:,} bytes."})
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": "The file must be UTF-8 text (CSV)."}) from None
    lines = content.splitlines()
    if len(lines) > MAX_IMPORT_ROWS + 1:
        raise ValidationError({"file": f"Import at most {MAX_IMPORT_ROWS:,} rows at a time."})
    reader = csv.reader(lines)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ValidationError({"file": f"This is not a CSV file we can read ({exc})."}) from None
    for number, row in rows:
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() == header[0]:
            continue
        raw = lines[number - 1] if number <= len(lines) else ""
        yield number, cells + [""] * (len(header) - len(cells)), raw[:200]


def _reason(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@transaction.atomic
def measurements_import(*, experiment: Experiment, content: bytes | str, actor) -> ImportReport:
    """Import ``measured_on,value,note`` rows; returns how many were saved and which rows
    were rejected, and why."""
    require_perm(actor, "outcomes.add_measurement", experiment)
    locked = _lock_open_experiment(experiment)
    taken = set(locked.measurements.values_list("measured_on", flat=True))
    report = ImportReport()
    accepted: list[Measurement] = []
    for line, cells, raw in _csv_rows(content, ("measured_on", "value", "note")):
        if len(cells) > 3:
            report.rejected.append(
                RejectedRow(line, raw, "Expected 3 columns: measured_on,value,note.")
            )
            continue
        try:
            m = _clean_measurement(
                locked, measured_on=cells[0], value=cells[1], note=cells[2], taken=taken
            )
        except ValidationError as exc:
            report.rejected.append(RejectedRow(line, raw, _reason(exc)))
            continue
        m.recorded_by = actor
        taken.add(m.measured_on)
        accepted.append(m)
    Measurement.objects.bulk_create(accepted)
    report.imported = len(accepted)
    return report


# --- Value records ----------------------------------------------------------------------


def _clean_value_record(
    idea: Idea,
    *,
    period_start,
    period_end,
    revenue_generated,
    revenue_protected,
    note: str,
    periods: list[tuple[date, date]],
) -> ValueRecord:
    """One checked, unsaved record; ``periods`` are the idea's existing (start, end) pairs.
    Raises ValidationError for bad input and OutcomeConflict for an overlap."""
    start = _day(period_start, field="period_start")
    end = _day(period_end, field="period_end")
    generated = money(
        "0" if revenue_generated in (None, "") else revenue_generated, field="revenue_generated"
    )
    protected = money(
        "0" if revenue_protected in (None, "") else revenue_protected, field="revenue_protected"
    )
    note = (note or "").strip()
    errors = {}
    if end < start:
        errors["period_end"] = "The period must end on or after its start."
    elif end > timezone.localdate():
        errors["period_end"] = (
            "Value is recorded once realised: the period cannot end in the future."
        )
    if generated < 0:
        errors["revenue_generated"] = "Revenue cannot be negative."
    if protected < 0:
        errors["revenue_protected"] = "Revenue cannot be negative."
    limit = Decimal(10) ** 12
    for name, amount in (("revenue_generated", generated), ("revenue_protected", protected)):
        if amount >= limit:
            errors[name] = "The amount is too large."
    if len(note) > 300:
        errors["note"] = "Keep the note under 300 characters."
    if errors:
        raise ValidationError(errors)
    for other_start, other_end in periods:
        # Inclusive periods overlap when each starts on or before the other ends.
        if start <= other_end and other_start <= end:
            raise OutcomeConflict(
                f"The period {start} to {end} overlaps the recorded period {other_start} to "
                f"{other_end}: the periods of one idea may not overlap.",
                code="overlap",
            )
    return ValueRecord(
        idea=idea,
        period_start=start,
        period_end=end,
        revenue_generated=generated,
        revenue_protected=protected,
        note=note,
    )


def _lock_launched_idea(idea: Idea) -> tuple[Idea, list[tuple[date, date]]]:
    # The idea lock serialises value records of one idea: the overlap check reads every
    # existing period and nobody can add one until we commit.
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if locked.status != Status.LAUNCHED:
        raise OutcomeConflict(
            f"Realised value is recorded for launched ideas; this one is "
            f"{Status(locked.status).label.lower()}.",
            code="not_launched",
        )
    periods = list(locked.value_records.values_list("period_start", "period_end"))
    return locked, periods


@transaction.atomic
def value_record_create(
    *,
    idea: Idea,
    period_start,
    period_end,
    actor,
    revenue_generated=Decimal("0.00"),
    revenue_protected=Decimal("0.00"),
    note: str = "",
) -> ValueRecord:
    require_perm(actor, "outcomes.add_value", idea)
    locked, periods = _lock_launched_idea(idea)
    record = _clean_value_record(
        locked,
        period_start=period_start,
        period_end=period_end,
        revenue_generated=revenue_generated,
        revenue_protected=revenue_protected,
        note=note,
        periods=periods,
    )
    record.recorded_by = actor
    record.save()
    value_totals_add(locked.pk, [record])
    audit_record(
        actor=actor,
        action="value.record",
        target=record,
        summary=f"Idea #{locked.pk}: {record.total} realised {record.period_start} to {record.period_end}",
        data={
            "idea": locked.pk,
            "generated": str(record.revenue_generated),
            "protected": str(record.revenue_protected),
        },
    )
    return record


@transaction.atomic
def value_records_import(*, idea: Idea, content: bytes | str, actor) -> ImportReport:
    """Import ``period_start,period_end,revenue_generated,revenue_protected,note`` rows."""
    require_perm(actor, "outcomes.add_value", idea)
    locked, periods = _lock_launched_idea(idea)
    report = ImportReport()
    accepted: list[ValueRecord] = []
    columns = ("period_start", "period_end", "revenue_generated", "revenue_protected", "note")
    for line, cells, raw in _csv_rows(content, columns):
        if len(cells) > len(columns):
            report.rejected.append(RejectedRow(line, raw, f"Expected {len(columns)} columns."))
            continue
        try:
            record = _clean_value_record(
                locked,
                period_start=cells[0],
                period_end=cells[1],
                revenue_generated=cells[2],
                revenue_protected=cells[3],
                note=cells[4],
                periods=periods,
            )
        except (ValidationError, OutcomeConflict) as exc:
            reason = exc.message if isinstance(exc, OutcomeConflict) else _reason(exc)
            report.rejected.append(RejectedRow(line, raw, reason))
            continue
        record.recorded_by = actor
        periods.append((record.period_start, record.period_end))
        accepted.append(record)
    ValueRecord.objects.bulk_create(accepted)
    value_totals_add(locked.pk, accepted)
    report.imported = len(accepted)
    if accepted:
        audit_record(
            actor=actor,
            action="value.import",
            target=locked,
            summary=f"Idea #{locked.pk}: {len(accepted)} value records imported",
            data={"idea": locked.pk, "imported": len(accepted), "rejected": len(report.rejected)},
        )
    return report


# --- Maintained totals ------------------------------------------------------------------


def value_totals_add(idea_id: int, records: list[ValueRecord]) -> None:
    """Add ``records`` (just saved for idea ``idea_id``) to the idea's ``IdeaValue``: one
    UPDATE, or an INSERT for the idea's first records. Callers hold the idea's row lock
    (:func:`_lock_launched_idea`), so two writers never both insert; demo and test data that
    save records directly call it too."""
    if not records:
        return
    generated = sum((r.revenue_generated for r in records), Decimal("0.00"))
    protected = sum((r.revenue_protected for r in records), Decimal("0.00"))
    updated = IdeaValue.objects.filter(idea_id=idea_id).update(
        generated=F("generated") + generated,
        protected=F("protected") + protected,
        total=F("total") + generated + protected,
        records=F("records") + len(records),
    )
    if not updated:
        IdeaValue.objects.create(
            idea_id=idea_id,
            generated=generated,
            protected=protected,
            total=generated + protected,
            records=len(records),
        )


# The set-based form of the totals, for bulk loads that write records without the service
# (bench/generate.py): one INSERT … SELECT of every idea's sums into an empty table.
IDEA_VALUE_FILL_SQL = """
INSERT INTO outcomes_ideavalue (idea_id, generated, protected, total, records)
SELECT idea_id, SUM(revenue_generated), SUM(revenue_protected),
       SUM(revenue_generated) + SUM(revenue_protected), COUNT(*)
FROM outcomes_valuerecord GROUP BY idea_id
"""


def idea_values_from_records() -> dict[int, tuple[Decimal, Decimal, Decimal, int]]:
    """Every idea's totals recomputed from its value records: ``{idea: (generated,
    protected, total, records)}`` (ONE grouped query)."""
    return {
        row["idea"]: (row["generated"], row["protected"], row["total"], row["records"])
        for row in ValueRecord.objects.totals_by_idea()
    }


def idea_values_rebuild() -> int:
    """Recompute every ``IdeaValue`` from the value records; returns how many rows differed
    (added, changed or removed; 0 when the maintained totals were right)."""
    wanted = idea_values_from_records()
    money = Decimal("0.01")
    have = {
        v.idea_id: (v.generated, v.protected, v.total, v.records)
        for v in IdeaValue.objects.select_for_update()
    }
    stale = [pk for pk in have if pk not in wanted]
    fix = {
        pk: row
        for pk, row in wanted.items()
        if (*(Decimal(x).quantize(money) for x in row[:3]), row[3]) != have.get(pk)
    }
    IdeaValue.objects.filter(idea_id__in=stale).delete()
    IdeaValue.objects.filter(idea_id__in=list(fix)).delete()
    IdeaValue.objects.bulk_create(
        IdeaValue(idea_id=pk, generated=g, protected=p, total=t, records=n)
        for pk, (g, p, t, n) in fix.items()
    )
    return len(stale) + len(fix)

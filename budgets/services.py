"""Writes of the budgets app: fiscal years, allocations, spend and snapshots.

Money rule (the one rounding rule of the app): every amount is a ``Decimal`` quantized to
2 places with ROUND_HALF_UP (:func:`money`) before it is compared or stored; floats are
never accepted. Percentages are computed from the exact Decimals and rounded half-up to
2 places only when reported (``budgets.selectors.pct``).

Allocation rules:
- an idea can be funded when it is ``approved`` (the allocation moves it to ``funded``
  through ``ideas.services.idea_transition``) or topped up when it is already ``funded`` or
  ``in_experiment`` (no transition: the workflow has no self-edge);
- committed allocations of a fiscal year never exceed its innovation budget unless the
  manager overrides with a reason. The check runs with the fiscal-year row locked
  (``SELECT ... FOR UPDATE``), so concurrent allocations are serialised and the second one
  sees the first one's amount; ``override`` is recorded only when it was needed;
- an allocation with recorded spend cannot be released (the money is partly gone);
  releasing does not move the idea back (the workflow has no backward edge);
- spend is recorded against a committed allocation and never exceeds its amount (the
  allocation row is locked while the check runs); the allocation's ``spent`` moves with it,
  in the same transaction (:func:`spend_record`); :func:`spent_rebuild` recomputes it from
  the spends (``manage.py rebuild_spent``).
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from budgets.models import (
    Allocation,
    AllocationStatus,
    BudgetSnapshot,
    FiscalYear,
    Spend,
    clean_horizon_targets,
    default_horizon_targets,
    new_only_q,
)
from core.exceptions import Conflict
from ideas.models import FUNDABLE_STATUSES, Idea, Status
from ideas.services import idea_transition

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class BudgetConflict(Conflict):
    """The request is valid but the budget's current state forbids it (API 409).

    ``code``: ``overrun`` | ``not_fundable`` | ``released`` | ``has_spend`` | ``overspend``.
    """


def money(value, *, field: str = "amount") -> Decimal:
    """``value`` as a Decimal with 2 places, ROUND_HALF_UP; floats are refused."""
    if isinstance(value, float):
        raise ValidationError({field: "Money must be given as a decimal, not a float."})
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: "Enter an amount such as 1250.00."}) from None
    if not amount.is_finite():
        raise ValidationError({field: "Enter an amount such as 1250.00."})
    return amount


def _require(actor, perm: str) -> None:
    if actor is None or not actor.has_perm(perm):
        raise PermissionDenied


def _sum(qs, expression="amount") -> Decimal:
    # Quantized: SQLite's SUM comes back with an arbitrary scale (0.0100000000).
    return money(qs.aggregate(total=Coalesce(Sum(expression), ZERO))["total"])


def committed_total(fiscal_year: FiscalYear) -> Decimal:
    return _sum(Allocation.objects.filter(fiscal_year=fiscal_year).committed())


# --- Fiscal years -----------------------------------------------------------------------


def _check_fiscal_year(fy: FiscalYear) -> None:
    fy.marketing_budget = money(fy.marketing_budget, field="marketing_budget")
    fy.innovation_target_pct = money(fy.innovation_target_pct, field="innovation_target_pct")
    errors = {}
    if fy.marketing_budget <= 0:
        errors["marketing_budget"] = "The marketing budget must be more than zero."
    if not (0 < fy.innovation_target_pct <= 100):
        errors["innovation_target_pct"] = "The target is a percentage above 0 and at most 100."
    if fy.starts_on and fy.ends_on and fy.ends_on <= fy.starts_on:
        errors["ends_on"] = "The fiscal year must end after it starts."
    try:
        fy.horizon_targets = clean_horizon_targets(fy.horizon_targets)
    except ValidationError as exc:
        errors["horizon_targets"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    fy.currency = (fy.currency or "EUR").upper()
    fy.full_clean()


@transaction.atomic
def fiscal_year_create(
    *,
    label: str,
    starts_on: date,
    ends_on: date,
    marketing_budget,
    actor,
    innovation_target_pct=Decimal("10.00"),
    currency: str = "EUR",
    horizon_targets: dict | None = None,
) -> FiscalYear:
    _require(actor, "budgets.manage_fiscalyear")
    fy = FiscalYear(
        label=label.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        marketing_budget=marketing_budget,
        innovation_target_pct=innovation_target_pct,
        currency=currency,
        horizon_targets=default_horizon_targets() if horizon_targets is None else horizon_targets,
    )
    _check_fiscal_year(fy)
    fy.save()
    audit_record(
        actor=actor,
        action="fiscal_year.create",
        target=fy,
        summary=f"Fiscal year {fy.label} created: marketing budget {fy.marketing_budget} "
        f"{fy.currency}, target {fy.innovation_target_pct}%",
        data={
            "marketing_budget": str(fy.marketing_budget),
            "target_pct": str(fy.innovation_target_pct),
        },
    )
    return fy


@transaction.atomic
def fiscal_year_update(*, fiscal_year: FiscalYear, actor, **fields) -> FiscalYear:
    """Change the given fields. Refused (409) if the new innovation budget would fall below
    what is already committed: lowering the budget is how an overrun would sneak in."""
    _require(actor, "budgets.manage_fiscalyear")
    allowed = {
        "label",
        "starts_on",
        "ends_on",
        "marketing_budget",
        "innovation_target_pct",
        "currency",
        "horizon_targets",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    fy = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    before = {name: getattr(fy, name) for name in fields}
    for name, value in fields.items():
        setattr(fy, name, value.strip() if name == "label" else value)
    _check_fiscal_year(fy)
    committed = committed_total(fy)
    if committed > fy.innovation_budget:
        raise BudgetConflict(
            f"{committed} is already committed; the innovation budget cannot go below it "
            f"(it would be {fy.innovation_budget}). Release allocations first.",
            code="overrun",
        )
    fy.save()
    changed = {
        name: [str(before[name]), str(getattr(fy, name))]
        for name in fields
        if before[name] != getattr(fy, name)
    }
    if changed:
        audit_record(
            actor=actor,
            action="fiscal_year.update",
            target=fy,
            summary=f"Fiscal year {fy.label}: "
            + ", ".join(f"{n} {old} → {new}" for n, (old, new) in changed.items()),
            data={"changed": changed},
        )
    for name in fields:
        setattr(fiscal_year, name, getattr(fy, name))
    return fy


# --- Allocations ------------------------------------------------------------------------


@transaction.atomic
def allocation_create(
    *,
    fiscal_year: FiscalYear,
    idea: Idea,
    amount,
    actor,
    note: str = "",
    override: bool = False,
    reason: str = "",
) -> Allocation:
    """Commit ``amount`` of ``fiscal_year``'s innovation budget to ``idea``.

    Raises ValidationError (bad amount, override without reason), PermissionDenied,
    BudgetConflict (idea not fundable, budget overrun) or ideas.workflow.TransitionError
    (the move to funded was refused); on any error nothing is saved.
    """
    _require(actor, "budgets.add_allocation")
    amount = money(amount)
    reason = (reason or "").strip()
    if amount <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})
    if override and not reason:
        raise ValidationError({"reason": "Give the reason for overriding the budget."})
    # Lock order everywhere: fiscal year, then idea (idea_transition locks the idea again).
    # The fiscal-year lock serialises every allocation of the year, so the sum below is
    # the truth until we commit.
    fy = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    locked_idea = Idea.objects.select_for_update().get(pk=idea.pk)
    # An allocation goes to an approved idea (first funding) or tops up a funded one.
    if locked_idea.status not in FUNDABLE_STATUSES:
        raise BudgetConflict(
            f"Only approved ideas can be funded (or funded ones topped up); "
            f"“{locked_idea.title}” is {Status(locked_idea.status).label.lower()}.",
            code="not_fundable",
        )
    committed = committed_total(fy)
    remaining = fy.innovation_budget - committed
    overruns = committed + amount > fy.innovation_budget
    if overruns and not override:
        raise BudgetConflict(
            f"Allocating {amount} {fy.currency} would overrun the innovation budget of "
            f"{fy.label}: only {max(remaining, ZERO)} {fy.currency} of "
            f"{fy.innovation_budget} remains. Tick override and give a reason to allocate anyway.",
            code="overrun",
        )
    allocation = Allocation.objects.create(
        fiscal_year=fy,
        idea=locked_idea,
        amount=amount,
        allocated_by=actor,
        note=(note or "").strip(),
        override=overruns,
        reason=reason,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="allocation.override" if overruns else "allocation.create",
        target=allocation,
        summary=f"{amount} {fy.currency} from {fy.label} to idea #{locked_idea.pk}"
        + (" (over budget by override)" if overruns else ""),
        data={
            "amount": str(amount),
            "idea": locked_idea.pk,
            "fiscal_year": fy.pk,
            "reason": reason,
            "title": locked_idea.title,
            "currency": fy.currency,
        },
    )
    if locked_idea.status == Status.APPROVED:
        # The funded gate (registered in BudgetsConfig.ready) sees the row created above.
        idea_transition(
            idea=locked_idea,
            to=Status.FUNDED,
            actor=actor,
            # Money never goes in the public message: the amount is staff-only.
            reason="Funded from the innovation budget.",
            internal_note=f"Allocated {amount} {fy.currency} from {fy.label}.",
        )
        idea.status = locked_idea.status
    return allocation


@transaction.atomic
def allocation_release(*, allocation: Allocation, actor) -> Allocation:
    """Give a committed allocation back to the budget. Refused if spend was recorded."""
    _require(actor, "budgets.release_allocation")
    locked = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if locked.status != AllocationStatus.COMMITTED:
        raise BudgetConflict("This allocation was already released.", code="released")
    if Spend.objects.filter(allocation=locked).exists():
        raise BudgetConflict(
            "Spend has been recorded against this allocation, so it cannot be released.",
            code="has_spend",
        )
    locked.status = AllocationStatus.RELEASED
    locked.released_at = timezone.now()
    locked.save(update_fields=["status", "released_at"])
    audit_record(
        actor=actor,
        action="allocation.release",
        target=locked,
        summary=f"Released {locked.amount} from idea #{locked.idea_id}",
        data={"amount": str(locked.amount), "idea": locked.idea_id},
    )
    allocation.status, allocation.released_at = locked.status, locked.released_at
    return locked


# --- Spend ------------------------------------------------------------------------------


@transaction.atomic
def spend_record(
    *,
    allocation: Allocation,
    amount,
    spent_on: date,
    description: str,
    actor,
) -> Spend:
    """Record money spent against a committed allocation, never more than its amount."""
    _require(actor, "budgets.add_spend")
    amount = money(amount)
    description = (description or "").strip()
    errors = {}
    if amount <= 0:
        errors["amount"] = "The amount must be more than zero."
    if not description:
        errors["description"] = "Say what the money was spent on."
    if errors:
        raise ValidationError(errors)
    # The allocation lock serialises spends on it, so two at once cannot both pass the check.
    locked = (
        Allocation.objects.select_for_update().select_related("fiscal_year").get(pk=allocation.pk)
    )
    fy = locked.fiscal_year
    if not (fy.starts_on <= spent_on <= fy.ends_on):
        raise ValidationError(
            {"spent_on": f"The date must fall within {fy.label} ({fy.starts_on} to {fy.ends_on})."}
        )
    if spent_on > timezone.localdate():
        raise ValidationError(
            {"spent_on": "Spend is recorded once it happened: not in the future."}
        )
    if locked.status != AllocationStatus.COMMITTED:
        raise BudgetConflict("This allocation was released; record no spend on it.", "released")
    spent = locked.spent  # maintained below, read under the row lock
    if spent + amount > locked.amount:
        raise BudgetConflict(
            f"Spending {amount} would exceed the allocation: {locked.amount - spent} of "
            f"{locked.amount} {fy.currency} is left.",
            code="overspend",
        )
    spend = Spend.objects.create(
        allocation=locked,
        amount=amount,
        spent_on=spent_on,
        description=description,
        recorded_by=actor,
    )
    # Relative, so it stays right whatever else wrote the row (the lock makes it exact anyway).
    Allocation.objects.filter(pk=locked.pk).update(spent=F("spent") + amount)
    audit_record(
        actor=actor,
        action="spend.record",
        target=spend,
        summary=f"Spent {amount} {fy.currency} on idea #{locked.idea_id}: {description[:120]}",
        data={"amount": str(amount), "allocation": locked.pk, "spent_on": spent_on.isoformat()},
    )
    return spend


def spent_from_spends():
    """Each allocation's spent as the sum of its spends: what ``Allocation.spent`` keeps."""
    money_field = DecimalField(max_digits=14, decimal_places=2)
    total = (
        Spend.objects.filter(allocation=OuterRef("pk"))
        .order_by()
        .values("allocation")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=money_field), Value(ZERO), output_field=money_field
    )


@transaction.atomic
def spent_rebuild(*, fiscal_year: FiscalYear | None = None) -> int:
    """Recompute ``Allocation.spent`` from the spends; returns how many allocations differed
    (0 when the maintained values are right). The allocations are locked first, so a spend
    recorded meanwhile waits and the recomputation sees it."""
    allocations = Allocation.objects.all()
    if fiscal_year is not None:
        allocations = allocations.filter(fiscal_year=fiscal_year)
    list(allocations.select_for_update().order_by("pk").values_list("pk", flat=True))
    drifted = list(
        allocations.annotate(expected=spent_from_spends())
        .exclude(spent=F("expected"))
        .values_list("pk", flat=True)
    )
    if drifted:
        Allocation.objects.filter(pk__in=drifted).update(spent=spent_from_spends())
    return len(drifted)


# --- Snapshots --------------------------------------------------------------------------


def snapshot_values(*, fiscal_year: FiscalYear, day: date) -> dict[str, Decimal]:
    """Committed and spent at the end of ``day``, under both definitions (2 queries)."""
    new_only = new_only_q("idea__")
    committed = (
        Allocation.objects.filter(fiscal_year=fiscal_year)
        .as_of(day)
        .aggregate(
            committed=Coalesce(Sum("amount"), ZERO),
            committed_new_only=Coalesce(Sum("amount", filter=new_only), ZERO),
        )
    )
    spend_new_only = new_only_q("allocation__idea__")
    spent = Spend.objects.filter(allocation__fiscal_year=fiscal_year, spent_on__lte=day).aggregate(
        spent=Coalesce(Sum("amount"), ZERO),
        spent_new_only=Coalesce(Sum("amount", filter=spend_new_only), ZERO),
    )
    return {name: money(value) for name, value in {**committed, **spent}.items()}


def snapshot_take(*, fiscal_year: FiscalYear, date: date) -> BudgetSnapshot:
    """Write (or rewrite) the snapshot of ``fiscal_year`` at the end of ``date``.

    Idempotent: an upsert on the (fiscal_year, date) unique constraint, so running it twice,
    or twice at once, leaves one row with the same numbers.
    """
    if not (fiscal_year.starts_on <= date <= fiscal_year.ends_on):
        raise ValidationError(f"{date} is outside {fiscal_year.label}.")
    values = snapshot_values(fiscal_year=fiscal_year, day=date)
    # INSERT ... ON CONFLICT (fiscal_year_id, date) DO UPDATE: one atomic statement on both
    # PostgreSQL and SQLite, so concurrent runs never hit the unique constraint.
    BudgetSnapshot.objects.bulk_create(
        [BudgetSnapshot(fiscal_year=fiscal_year, date=date, taken_at=timezone.now(), **values)],
        update_conflicts=True,
        unique_fields=["fiscal_year", "date"],
        update_fields=[*values, "taken_at"],
    )
    return BudgetSnapshot.objects.get(fiscal_year=fiscal_year, date=date)


def snapshots_take_for_day(*, day: date | None = None) -> list[BudgetSnapshot]:
    """Snapshot every fiscal year that contains ``day`` (default: today in TIME_ZONE)."""
    day = day or timezone.localdate()
    return [snapshot_take(fiscal_year=fy, date=day) for fy in FiscalYear.objects.containing(day)]


def snapshots_backfill(*, fiscal_year: FiscalYear, start: date, end: date) -> int:
    """Snapshot every day from ``start`` to ``end`` (clamped to the fiscal year and to today).
    Returns how many days were written."""
    if end < start:
        raise ValidationError("The start date must not be after the end date.")
    first = max(start, fiscal_year.starts_on)
    last = min(end, fiscal_year.ends_on, timezone.localdate())
    written = 0
    day = first
    while day <= last:
        snapshot_take(fiscal_year=fiscal_year, date=day)
        written += 1
        day = date.fromordinal(day.toordinal() + 1)
    return written

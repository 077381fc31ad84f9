"""Demo budget: the current calendar year, marketing budget 4,000,000 at a 10% target.

About 70% of the 400,000 innovation budget is allocated to the demo ideas that are already
funded, in experiment or launched (rows written directly: those ideas passed the funded
gate in the demo history, so no transition is needed); spend is spread over the past
months; the last 90 days of snapshots are computed by ``snapshot_take`` (not invented).
Approved ideas are left unfunded so a manager can try the allocate form.

Idempotent: the fiscal year is found by label, allocations and spend are only written when
the year has none, and snapshots are upserts. Missing ideas or users are skipped with a note.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from budgets.models import Allocation, FiscalYear, Spend
from budgets.services import snapshot_take
from ideas.models import Idea, Status

MARKETING_BUDGET = Decimal("4000000.00")
TARGET_PCT = Decimal("10.00")
ALLOCATED_SHARE = Decimal("0.70")  # of the innovation budget
MAX_IDEAS = 16
WEIGHTS = [5, 3, 8, 2, 4, 6, 3, 5, 7, 2, 4, 6, 3, 5, 4, 3]
SPEND_STEPS = [Decimal("0.20"), Decimal("0.15"), Decimal("0.20")]  # of each allocation
SNAPSHOT_DAYS = 90


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(f"  budgets: {message}")


def _at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _fiscal_year(today: date) -> FiscalYear:
    fy, _ = FiscalYear.objects.get_or_create(
        label=f"FY{today.year}",
        defaults={
            "starts_on": date(today.year, 1, 1),
            "ends_on": date(today.year, 12, 31),
            "marketing_budget": MARKETING_BUDGET,
            "innovation_target_pct": TARGET_PCT,
            "currency": "EUR",
        },
    )
    return fy


def _amounts(n: int, total: Decimal) -> list[Decimal]:
    """``total`` split by WEIGHTS, rounded to 500; the last takes the rest (sum exact)."""
    weights = WEIGHTS[:n]
    scale = total / sum(weights)
    amounts = [(w * scale / 500).quantize(Decimal("1")) * 500 for w in weights[:-1]]
    return [Decimal(a).quantize(Decimal("0.01")) for a in [*amounts, total - sum(amounts)]]


def _allocate(fy: FiscalYear, manager: User, today: date, stdout) -> None:
    ideas = list(
        Idea.objects.filter(
            status__in=[Status.FUNDED, Status.IN_EXPERIMENT, Status.LAUNCHED],
            owner__isnull=False,
        ).order_by("id")[:MAX_IDEAS]
    )
    if not ideas:
        _say(stdout, "no funded demo ideas found; allocations skipped")
        return
    elapsed = max((today - fy.starts_on).days, 1)
    total = (fy.innovation_budget * ALLOCATED_SHARE).quantize(Decimal("0.01"))
    for i, (idea, amount) in enumerate(zip(ideas, _amounts(len(ideas), total), strict=True)):
        # Allocations spread over the part of the year that has passed.
        made_on = fy.starts_on + timedelta(days=elapsed * i // (len(ideas) + 1))
        allocation = Allocation.objects.create(
            fiscal_year=fy,
            idea=idea,
            amount=amount,
            allocated_by=manager,
            note="Demo allocation",
            created_at=_at_noon(made_on),
        )
        left = (today - made_on).days
        spends = []
        for step, share in enumerate(SPEND_STEPS, start=1):
            spent_on = made_on + timedelta(days=left * step // (len(SPEND_STEPS) + 1))
            if spent_on > today:
                continue
            spends.append(
                Spend(
                    allocation=allocation,
                    amount=(amount * share).quantize(Decimal("0.01")),
                    spent_on=spent_on,
                    description=f"Demo spend {step}: experiment costs",
                    recorded_by=manager,
                )
            )
        Spend.objects.bulk_create(spends)
        spent_total = sum((s.amount for s in spends), Decimal("0.00"))
        Allocation.objects.filter(pk=allocation.pk).update(spent=spent_total)
    _say(stdout, f"{len(ideas)} allocations totalling {total} EUR with spend")


def seed(stdout=None) -> None:
    today = timezone.localdate()
    fy = _fiscal_year(today)
    manager = User.objects.filter(email="manager@example.com").first()
    if manager is None:
        _say(stdout, "demo manager missing; allocations skipped")
    elif not fy.allocations.exists():
        _allocate(fy, manager, today, stdout)
    first = max(fy.starts_on, today - timedelta(days=SNAPSHOT_DAYS - 1))
    day = first
    while day <= today:
        snapshot_take(fiscal_year=fy, date=day)
        day += timedelta(days=1)
    _say(stdout, f"{(today - first).days + 1} daily snapshots of {fy.label}")

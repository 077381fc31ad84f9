"""Value records: launched ideas only, the owner or a manager, periods never overlap."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from outcomes import services
from outcomes.models import ValueRecord
from outcomes.services import OutcomeConflict
from tests import factories
from tests.services import require_postgres

Q1 = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}


def record(idea, actor, **fields):
    values = {**Q1, "revenue_generated": Decimal("12000.00"), **fields}
    return services.value_record_create(idea=idea, actor=actor, **values)


@pytest.mark.django_db
def test_the_owner_and_a_manager_record_value(launched, owner, manager):
    record(launched, owner)
    record(launched, manager, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30))
    assert launched.value_records.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["employee", "executive", "customer"])
def test_others_may_not(request, launched, who):
    with pytest.raises(PermissionDenied):
        record(launched, request.getfixturevalue(who))


@pytest.mark.django_db
def test_only_launched_ideas_realise_value(funded, manager):
    with pytest.raises(OutcomeConflict) as exc:
        record(funded, manager)
    assert exc.value.code == "not_launched"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 3, 31), date(2026, 4, 30)),  # shares the last day
        (date(2025, 12, 1), date(2026, 1, 1)),  # shares the first day
        (date(2026, 2, 1), date(2026, 2, 28)),  # inside
        (date(2025, 12, 1), date(2026, 5, 1)),  # around
    ],
)
def test_overlapping_periods_are_refused(launched, manager, start, end):
    record(launched, manager)
    with pytest.raises(
        OutcomeConflict, match="overlaps the recorded period 2026-01-01 to 2026-03-31"
    ) as exc:
        record(launched, manager, period_start=start, period_end=end)
    assert exc.value.code == "overlap"
    assert launched.value_records.count() == 1


@pytest.mark.django_db
def test_adjacent_periods_and_other_ideas_do_not_overlap(launched, manager):
    record(launched, manager)
    record(launched, manager, period_start=date(2026, 4, 1), period_end=date(2026, 4, 30))
    other = factories.IdeaFactory(status="launched")
    record(other, manager)
    assert ValueRecord.objects.count() == 3


@pytest.mark.django_db
def test_bad_periods_and_amounts_are_refused(launched, manager):
    with pytest.raises(ValidationError, match="end on or after"):
        record(launched, manager, period_start=date(2026, 3, 1), period_end=date(2026, 2, 1))
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        record(launched, manager, period_start=date(2026, 1, 1), period_end=tomorrow)
    with pytest.raises(ValidationError, match="negative"):
        record(launched, manager, revenue_protected=Decimal("-1.00"))
    with pytest.raises(ValidationError, match="not a float"):
        record(launched, manager, revenue_generated=12.5)
    assert not ValueRecord.objects.exists()


def test_concurrent_overlapping_records_leave_one(transactional_db, manager):
    """Ten people entering the same quarter at once: the idea lock lets exactly one in."""
    require_postgres()
    from tests.budgets.test_concurrency import run_together

    idea = factories.IdeaFactory(status="launched")
    results = run_together(lambda: record(idea, manager), [()] * 10)
    assert sum(isinstance(r, ValueRecord) for r in results) == 1, results
    assert sum(isinstance(r, OutcomeConflict) for r in results) == 9
    assert ValueRecord.objects.filter(idea=idea).count() == 1

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from budgets.models import BudgetSnapshot
from budgets.services import snapshot_take
from budgets.tasks import snapshot_all_task, snapshot_task
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


def at(y, m, d):
    return timezone.make_aware(datetime(y, m, d, 12))


@pytest.fixture
def history(fy, manager):
    """An optimization allocation of 30,000 on Mar 10, a new-experience one of 20,000 on
    Apr 5 released on May 20; spend 1,000 on Mar 15 and 500 on Apr 10 (both on the first)."""
    opt = factories.IdeaFactory(innovation_type="optimization", status="funded")
    new = factories.IdeaFactory(innovation_type="new_experience", status="funded")
    a = factories.AllocationFactory(
        fiscal_year=fy, idea=opt, amount=D("30000"), created_at=at(2026, 3, 10)
    )
    factories.AllocationFactory(
        fiscal_year=fy,
        idea=new,
        amount=D("20000"),
        created_at=at(2026, 4, 5),
        status="released",
        released_at=at(2026, 5, 20),
    )
    factories.SpendFactory(allocation=a, amount=D("1000"), spent_on=date(2026, 3, 15))
    factories.SpendFactory(allocation=a, amount=D("500"), spent_on=date(2026, 4, 10))


@pytest.mark.parametrize(
    ("day", "committed", "new_only", "spent"),
    [
        (date(2026, 3, 9), "0.00", "0.00", "0.00"),  # nothing yet
        (date(2026, 3, 10), "30000.00", "0.00", "0.00"),  # allocated that day
        (date(2026, 4, 10), "50000.00", "20000.00", "1500.00"),  # both committed, both spends
        (date(2026, 5, 20), "30000.00", "0.00", "1500.00"),  # released that day
    ],
)
def test_it_computes_committed_and_spent_as_of_the_day(
    fy, history, day, committed, new_only, spent
):
    snap = snapshot_take(fiscal_year=fy, date=day)
    assert (snap.committed, snap.committed_new_only, snap.spent, snap.spent_new_only) == (
        D(committed),
        D(new_only),
        D(spent),
        D("0.00"),
    )


def test_it_is_idempotent(fy, history):
    first = snapshot_take(fiscal_year=fy, date=date(2026, 4, 10))
    rows = list(BudgetSnapshot.objects.values_list("fiscal_year", "date", "committed", "spent"))
    again = snapshot_take(fiscal_year=fy, date=date(2026, 4, 10))
    assert again.pk == first.pk
    assert (
        list(BudgetSnapshot.objects.values_list("fiscal_year", "date", "committed", "spent"))
        == rows
    )
    assert BudgetSnapshot.objects.count() == 1


def test_rerunning_picks_up_changes(fy, history):
    snapshot_take(fiscal_year=fy, date=date(2026, 4, 10))
    BudgetSnapshot.objects.update(committed=D("1.00"))  # a stale or damaged row
    assert snapshot_take(fiscal_year=fy, date=date(2026, 4, 10)).committed == D("50000.00")


@time_machine.travel(at(2026, 4, 10), tick=False)
def test_the_daily_task_snapshots_every_open_fiscal_year(fy, history):
    factories.FiscalYearFactory(starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    assert snapshot_all_task.name == "budgets.snapshot_all"
    assert snapshot_all_task.acks_late and snapshot_all_task.reject_on_worker_lost
    assert snapshot_all_task.apply().get() == 1
    assert snapshot_all_task.apply().get() == 1  # twice: still one row
    assert list(BudgetSnapshot.objects.values_list("fiscal_year", "date", "committed")) == [
        (fy.pk, date(2026, 4, 10), D("50000.00"))
    ]
    assert snapshot_task.apply(args=(fy.pk, "2026-03-10")).get()
    assert BudgetSnapshot.objects.count() == 2


@time_machine.travel(at(2026, 4, 10), tick=False)
def test_the_backfill_command_writes_each_day_once(fy, history, capsys):
    args = ["--fiscal-year", str(fy.pk), "--from", "2026-03-01", "--to", "2026-03-31"]
    call_command("backfill_snapshots", *args)
    call_command("backfill_snapshots", *args)
    assert "31 snapshot(s) written" in capsys.readouterr().out
    assert BudgetSnapshot.objects.count() == 31
    assert BudgetSnapshot.objects.get(date=date(2026, 3, 15)).spent == D("1000.00")
    # Clamped to today (Apr 10): Apr 1..10 = 10 more days.
    call_command(
        "backfill_snapshots",
        "--fiscal-year",
        str(fy.pk),
        "--from",
        "2026-04-01",
        "--to",
        "2026-12-31",
    )
    assert BudgetSnapshot.objects.count() == 41


def test_the_backfill_command_refuses_bad_arguments(fy):
    with pytest.raises(CommandError):
        call_command(
            "backfill_snapshots",
            "--fiscal-year",
            "999999",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
        )
    with pytest.raises(CommandError):
        call_command(
            "backfill_snapshots",
            "--fiscal-year",
            str(fy.pk),
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
        )
    with pytest.raises(CommandError):
        call_command(
            "backfill_snapshots",
            "--fiscal-year",
            str(fy.pk),
            "--from",
            "soon",
            "--to",
            "2026-01-01",
        )


def test_a_real_worker_runs_the_daily_task(celery_worker_process):
    """The beat entry's task name is routable by a real worker on Redis (no eager mode)."""
    from tests.conftest import wait_for

    # The worker runs on the real clock: use a fiscal year containing today.
    today = timezone.localdate()
    open_fy = factories.FiscalYearFactory(
        starts_on=today.replace(month=1, day=1), ends_on=today.replace(month=12, day=31)
    )
    snapshot_all_task.delay()
    wait_for(lambda: BudgetSnapshot.objects.filter(fiscal_year=open_fy, date=today).exists())

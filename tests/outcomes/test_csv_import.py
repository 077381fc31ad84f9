"""CSV imports: every row through the one-by-one checks, the good ones saved, the others
reported with their line and reason."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from outcomes import services

pytestmark = pytest.mark.django_db


def test_measurements_import_counts_and_reasons(experiment, owner):
    services.measurement_add(
        experiment=experiment, measured_on=date(2026, 2, 1), value="41", actor=owner
    )
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    content = (
        "measured_on,value,note\n"  # 1 header
        "2026-02-08,44.5,week 2\n"  # 2 ok
        "2026-02-15,47,\n"  # 3 ok
        "\n"  # 4 blank: skipped, not counted
        "2026-02-01,48,again\n"  # 5 the day already has a measurement
        "15/02/2026,49,\n"  # 6 not a date
        f"{future},50,\n"  # 7 future
        "2026-02-22,lots,\n"  # 8 not a number
        "2026-02-22,52,a,b\n"  # 9 too many columns
        "2026-02-15,53,dup in file\n"  # 10 duplicate of line 3
        "2026-02-22,55,week 4\n"  # 11 ok
    ).encode()
    report = services.measurements_import(experiment=experiment, content=content, actor=owner)
    assert report.imported == 3
    assert [r.line for r in report.rejected] == [5, 6, 7, 8, 9, 10]
    assert report.total == 9
    reasons = [r.reason for r in report.rejected]
    assert "already a measurement on 2026-02-01" in reasons[0]
    assert "YYYY-MM-DD" in reasons[1]
    assert "future" in reasons[2]
    assert "number" in reasons[3]
    assert "3 columns" in reasons[4]
    assert "already a measurement on 2026-02-15" in reasons[5]
    assert list(experiment.measurements.values_list("value", flat=True)) == [
        Decimal("41"),
        Decimal("44.5"),
        Decimal("47"),
        Decimal("55"),
    ]


def test_an_import_without_a_header_and_with_a_bom(experiment, owner):
    content = "\ufeff2026-02-08,44.5,ok\n2026-02-09,45,ok".encode()
    report = services.measurements_import(experiment=experiment, content=content, actor=owner)
    assert (report.imported, report.rejected) == (2, [])


def test_a_file_that_is_not_text_is_refused(experiment, owner):
    with pytest.raises(ValidationError, match="UTF-8"):
        services.measurements_import(experiment=experiment, content=b"\xff\xfe\x00PK", actor=owner)


def test_value_import_counts_and_refuses_overlaps_in_the_file(launched, owner):
    services.value_record_create(
        idea=launched,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        revenue_generated="1000.00",
        actor=owner,
    )
    content = (
        "period_start,period_end,revenue_generated,revenue_protected,note\n"
        "2026-02-01,2026-02-28,2000.00,500.00,February\n"  # 2 ok
        "2026-01-15,2026-02-10,100,0,\n"  # 3 overlaps January (recorded) and February (line 2)
        "2026-03-01,2026-03-31,,750.00,March protected only\n"  # 4 ok (blank = 0)
        "2026-04-30,2026-04-01,1,1,\n"  # 5 ends before it starts
        "2026-05-01,2026-05-31,-5,0,\n"  # 6 negative
    )
    report = services.value_records_import(idea=launched, content=content, actor=owner)
    assert report.imported == 2
    assert [r.line for r in report.rejected] == [3, 5, 6]
    assert "overlaps" in report.rejected[0].reason
    totals = launched.value_records.order_by("period_start").values_list(
        "revenue_generated", "revenue_protected"
    )
    assert list(totals) == [
        (Decimal("1000.00"), Decimal("0.00")),
        (Decimal("2000.00"), Decimal("500.00")),
        (Decimal("0.00"), Decimal("750.00")),
    ]


def test_an_unreadable_csv_is_a_clear_refusal(experiment, owner):
    with pytest.raises(ValidationError, match="CSV"):
        services.measurements_import(
            # one field beyond the csv module's limit (131,072 characters)
            experiment=experiment,
            content=f'2026-02-01,4,"{"x" * 140_000}"\n',
            actor=owner,
        )

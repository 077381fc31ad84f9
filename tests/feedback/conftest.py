"""Helpers for feedback tests: files in both formats from the same rows, and a run of the
import exactly as the upload page does it (the task runs when the transaction commits)."""

import contextlib
import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from feedback import services
from feedback.models import FeedbackItem, ImportBatch
from journeys.models import Stage
from tests.factories import MomentFactory


def csv_file(rows: list[list], name: str = "feedback.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "feedback.xlsx") -> SimpleUploadedFile:
    """The same rows in a workbook: dates as real dates and numbers as numbers, as a
    spreadsheet would hold them."""
    workbook = Workbook()
    sheet = workbook.active
    for i, row in enumerate(rows):
        cells = []
        for cell in row:
            if i and isinstance(cell, str) and cell.isdigit():
                cell = int(cell)
            elif i and isinstance(cell, str) and len(cell) == 10 and cell[4] == "-":
                with contextlib.suppress(ValueError):
                    cell = date.fromisoformat(cell)
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/vnd.ms-excel")


def make_file(fmt: str, rows: list[list]) -> SimpleUploadedFile:
    return csv_file(rows) if fmt == "csv" else xlsx_file(rows)


def run_import(capture, upload, actor, *, mapping=None, default_source: str = "") -> ImportBatch:
    """Upload, map (the guessed mapping unless given) and run the import on commit."""
    batch = services.batch_create(file=upload, actor=actor, default_source=default_source)
    with capture(execute=True):
        services.batch_start(
            batch=batch,
            mapping=mapping if mapping is not None else batch.mapping,
            default_source=default_source,
            actor=actor,
        )
    batch.refresh_from_db()
    return batch


def snapshot() -> list[tuple]:
    return list(
        FeedbackItem.objects.order_by("source", "external_id").values_list(
            "source",
            "external_id",
            "channel",
            "text",
            "received_on",
            "customer_ref",
            "score",
            "score_scale",
            "is_negative",
            "stage_id",
            "moment_id",
            "suggested_moment_id",
            "batch_id",
            "updated_at",
        )
    )


@pytest.fixture
def journey_places(db):
    """Two stages of the default journey with one moment each."""
    stages = list(Stage.objects.of_default_journey())
    use = next(s for s in stages if s.name == "Use")
    get_help = next(s for s in stages if s.name == "Get help")
    login = MomentFactory(
        stage=use,
        name="App login lockout",
        description="Locked out of the mobile app after an update or a wrong password.",
    )
    dispute = MomentFactory(
        stage=get_help,
        name="Disputed transaction call",
        description="Calling about a card payment the customer does not recognise.",
    )
    return {"use": use, "get_help": get_help, "login": login, "dispute": dispute}

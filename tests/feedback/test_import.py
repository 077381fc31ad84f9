"""The file import: exact counts for good, bad, duplicate and re-imported rows; a second
import of the same file changes nothing; CSV and XLSX give the same result."""

import pytest

from feedback import services
from feedback.models import FeedbackItem, ImportBatch
from feedback.privacy import EMAIL_MASK, PHONE_MASK, customer_ref
from tests.feedback.conftest import make_file, run_import, snapshot

HEADER = ["source", "external_id", "channel", "text", "received_on", "customer_id", "score"]

# Imported first: crm/2 with an older text (the main file updates it) and crm/6 exactly as
# the main file has it (unchanged).
BASE = [
    HEADER,
    ["crm", "2", "survey", "The app is fine", "2026-01-06", "C2", "9"],
    ["crm", "6", "app_review", "write to jane@example.com please", "2026-01-08", "C1", "2"],
]
MAIN = [
    HEADER,
    # row 2: new; its phone number is masked
    ["crm", "1", "complaint", "Call me on +44 20 7946 0958 now", "2026-01-05", "C1", ""],
    # row 3: crm/2 with a new text -> updated
    ["crm", "2", "survey", "The app is fine but slow", "2026-01-06", "C2", "9"],
    # row 4: unknown channel -> rejected
    ["crm", "3", "smoke_signal", "Hello", "2026-01-06", "", ""],
    # row 5: no text -> rejected
    ["crm", "4", "survey", "", "2026-01-06", "", ""],
    # row 6: crm/1 again in the same file -> rejected as a duplicate
    ["crm", "1", "complaint", "Duplicate", "2026-01-07", "C1", ""],
    # row 7: not a date -> rejected
    ["crm", "5", "survey", "Bad date", "2026-02-31", "", ""],
    # row 8: crm/6 exactly as before -> unchanged
    ["crm", "6", "app_review", "write to jane@example.com please", "2026-01-08", "C1", "2"],
]


@pytest.fixture(params=["csv", "xlsx"])
def fmt(request):
    return request.param


def test_it_counts_good_bad_duplicate_and_reimported_rows_exactly(
    fmt, manager, journey_places, django_capture_on_commit_callbacks
):
    run_import(django_capture_on_commit_callbacks, make_file(fmt, BASE), manager)
    batch = run_import(django_capture_on_commit_callbacks, make_file(fmt, MAIN), manager)

    assert batch.status == "done"
    assert not batch.file  # the raw upload (unmasked) is gone once imported
    assert (batch.total, batch.processed) == (7, 7)
    # new: crm/1; updated: crm/2; unchanged: crm/6; rejected: rows 4, 5, 6, 7
    assert (batch.imported, batch.updated, batch.unchanged, batch.rejected) == (1, 1, 1, 4)
    assert FeedbackItem.objects.count() == 3
    reasons = dict(batch.rejections.values_list("row_number", "reasons"))
    assert set(reasons) == {4, 5, 6, 7}
    assert "smoke_signal" in reasons[4]
    assert "text is missing" in reasons[5]
    assert "duplicate" in reasons[6]
    assert "not a date" in reasons[7]

    first = FeedbackItem.objects.get(source="crm", external_id="1")
    assert first.text == f"Call me on {PHONE_MASK} now"
    assert first.customer_ref == customer_ref("C1") != "C1"
    assert first.is_negative  # a complaint
    assert FeedbackItem.objects.get(external_id="2").text == "The app is fine but slow"
    sixth = FeedbackItem.objects.get(external_id="6")
    assert sixth.text == f"write to {EMAIL_MASK} please"
    assert (sixth.score, sixth.score_scale, sixth.is_negative) == (2, "csat", True)


def test_a_second_import_of_the_same_file_changes_nothing(
    fmt, manager, journey_places, django_capture_on_commit_callbacks
):
    run_import(django_capture_on_commit_callbacks, make_file(fmt, MAIN), manager)
    before = snapshot()
    again = run_import(django_capture_on_commit_callbacks, make_file(fmt, MAIN), manager)

    # rows 2, 3 and 8 are now all unchanged; the same four rows are refused
    assert (again.imported, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 4)
    assert snapshot() == before


def test_csv_and_xlsx_give_the_same_items(
    manager, journey_places, django_capture_on_commit_callbacks
):
    run_import(django_capture_on_commit_callbacks, make_file("csv", MAIN), manager)
    from_csv = [row[:-2] for row in snapshot()]  # all but batch and updated_at
    FeedbackItem.objects.all().delete()
    run_import(django_capture_on_commit_callbacks, make_file("xlsx", MAIN), manager)
    assert [row[:-2] for row in snapshot()] == from_csv


def test_it_maps_columns_and_uses_the_files_source(
    manager, journey_places, django_capture_on_commit_callbacks
):
    rows = [
        ["Ticket", "Type", "Verbatim", "Date", "Where"],
        ["T-1", "call", "I was locked out of the app after the update", "2026-03-01", ""],
        ["T-2", "call", "Nobody could tell me about a card payment", "2026-03-02", "Get help"],
    ]
    mapping = {
        "external_id": "Ticket",
        "channel": "Type",
        "text": "Verbatim",
        "received_on": "Date",
        "stage": "Where",
    }
    batch = run_import(
        django_capture_on_commit_callbacks,
        make_file("csv", rows),
        manager,
        mapping=mapping,
        default_source="contact-centre",
    )
    assert (batch.imported, batch.rejected) == (2, 0)
    t1 = FeedbackItem.objects.get(source="contact-centre", external_id="T-1")
    # No stage in the file: a suggested moment by its words, not a placement.
    assert t1.stage_id is None
    assert t1.suggested_moment_id == journey_places["login"].pk
    t2 = FeedbackItem.objects.get(external_id="T-2")
    assert t2.stage_id == journey_places["get_help"].pk
    assert t2.suggested_moment_id is None


def test_a_reimport_without_places_keeps_a_curators_placement(
    manager, journey_places, django_capture_on_commit_callbacks
):
    rows = [HEADER, ["crm", "9", "chat", "Locked out of the app", "2026-03-01", "", ""]]
    run_import(django_capture_on_commit_callbacks, make_file("csv", rows), manager)
    item = FeedbackItem.objects.get()
    services.placements_confirm(choices={item.pk: journey_places["login"].pk}, actor=manager)
    rows[1][3] = "Locked out of the app, again"
    batch = run_import(django_capture_on_commit_callbacks, make_file("csv", rows), manager)
    assert batch.updated == 1
    item.refresh_from_db()
    assert item.text == "Locked out of the app, again"
    assert (item.stage_id, item.moment_id) == (
        journey_places["use"].pk,
        journey_places["login"].pk,
    )


def test_a_rerun_of_a_finished_batch_does_nothing(
    manager, journey_places, django_capture_on_commit_callbacks
):
    batch = run_import(django_capture_on_commit_callbacks, make_file("csv", MAIN), manager)
    assert services.batch_run(batch_id=batch.pk) == "skipped"
    batch.refresh_from_db()
    assert (batch.imported, batch.rejected) == (3, 4)


def test_a_restarted_import_resumes_after_the_last_committed_chunk(
    manager, journey_places, django_capture_on_commit_callbacks, monkeypatch
):
    """A worker lost after the first chunk: the redelivered task counts each row once."""
    from django.db import connection

    from feedback import bulk

    monkeypatch.setattr(services, "CHUNK", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    batch = services.batch_create(file=make_file("csv", MAIN), actor=manager)
    services.batch_start(batch=batch, mapping=batch.mapping, default_source="", actor=manager)
    calls = {"n": 0}
    # The chunk's write: SQL on PostgreSQL (feedback.bulk), Python elsewhere.
    module, name = (bulk, "write_chunk") if connection.vendor == "postgresql" else (services, "_upsert")  # fmt: skip
    real = getattr(module, name)

    def dies_on_the_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionResetError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, dies_on_the_second_chunk)
    # The lost worker: the batch stays "running" with the first chunk committed.
    ImportBatch.objects.filter(pk=batch.pk).update(status="running")
    with pytest.raises(ConnectionResetError):
        services._run(ImportBatch.objects.get(pk=batch.pk))
    assert ImportBatch.objects.get(pk=batch.pk).processed == 2
    assert services.batch_run(batch_id=batch.pk) == "done"
    batch.refresh_from_db()
    assert (batch.imported, batch.updated, batch.unchanged, batch.rejected) == (3, 0, 0, 4)
    assert batch.processed == batch.total == 7


def test_an_unreadable_file_is_refused_at_upload(manager, journey_places):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.batch_create(file=SimpleUploadedFile("f.xlsx", b"not a workbook"), actor=manager)
    with pytest.raises(ValidationError):
        services.batch_create(file=SimpleUploadedFile("f.pdf", b"%PDF"), actor=manager)


def test_a_mapping_without_required_fields_is_refused(manager, journey_places):
    from django.core.exceptions import ValidationError

    batch = services.batch_create(file=make_file("csv", MAIN), actor=manager)
    with pytest.raises(ValidationError) as exc:
        services.batch_start(
            batch=batch, mapping={"text": "text"}, default_source="", actor=manager
        )
    assert "external_id" in str(exc.value)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_chunk_commits_and_the_counts_stay_exact(monkeypatch):
    """The Celery task runs outside any transaction: every chunk commits on its own (on
    PostgreSQL the work tables then outlive several transactions). The counts stay exact,
    in several chunks, for new, updated, unchanged and rejected rows, the second run of the
    same file changes nothing, and no work table is left behind."""
    from django.db import connection

    from feedback import bulk
    from journeys import demo
    from tests.factories import ManagerFactory

    demo.seed()  # the default journey (a transactional test starts from an empty database)
    manager = ManagerFactory()
    monkeypatch.setattr(services, "CHUNK", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)

    def run(rows):
        batch = services.batch_create(file=make_file("csv", rows), actor=manager)
        ImportBatch.objects.filter(pk=batch.pk).update(status="pending", mapping=batch.mapping)
        assert services.batch_run(batch_id=batch.pk) == "done"
        return ImportBatch.objects.get(pk=batch.pk)

    run(BASE)
    batch = run(MAIN)
    assert (batch.imported, batch.updated, batch.unchanged, batch.rejected) == (1, 1, 1, 4)
    assert (batch.total, batch.processed) == (7, 7)
    before = snapshot()
    again = run(MAIN)
    assert (again.imported, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 4)
    assert snapshot() == before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class WHERE relname LIKE 'feedback\\_stage\\_%%' "
                "OR relname LIKE 'feedback\\_norm\\_%%'"
            )
            assert cursor.fetchone()[0] == 0

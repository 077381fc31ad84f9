"""PostgreSQL imports files in SQL (``feedback.bulk``); SQLite (and the JSON API) through
``importer.normalise`` in Python. Both must store the same items and refuse the same rows
with the same reasons: here a file full of edge cases goes through both paths on PostgreSQL
and the results are compared field by field (masking, hashing, dates, scores, places,
duplicates, blank rows, whitespace, non-ASCII)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from feedback import bulk, services
from feedback.models import FeedbackItem, ImportBatch, ImportRejection
from tests.feedback.conftest import run_import, xlsx_file

HEADER = [
    "source",
    "external_id",
    "channel",
    "text",
    "received_on",
    "customer_id",
    "score",
    "score_scale",
    "segment",
    "stage",
    "moment",
]


def _rows(journey_places) -> list[list[str]]:
    login, dispute = journey_places["login"], journey_places["dispute"]
    rows = [
        # masking: e-mails (one with a non-ASCII local part), phones, and what is no phone
        [
            "crm",
            "m1",
            "complaint",
            "Mail jane.doe+bank@mail.co.uk or josé@exämple.org",
            "2026-01-05",
            "C1",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "crm",
            "m2",
            "call",
            "Call +44 20 7946 0958, or 06-12345678 (ref 12345678)",
            "2026-01-05",
            "C2",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "crm",
            "m3",
            "chat",
            "Paid 2,300 EUR on 2026-03-05, 3.1% of 100000; 123456789",
            "2026-01-05",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "crm",
            "m4",
            "chat",
            "Arabic digits ٠٦١٢٣٤٥٦٧٨٩ and café crème",
            "2026-01-05",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "crm",
            "m5",
            "chat",
            "ring (020) 7946 0958 please, 0031 6 1234 5678",
            "2026-01-05",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        # whitespace (Unicode spaces at the ends are trimmed), quotes, a newline in a field
        [
            "\u00a0crm\u2003",
            " w1 ",
            " App Review ",
            '\u2003He said "hi",\nthen left\u00a0',
            " 2026-01-06 ",
            "  C-42 ",
            " 8 ",
            "",
            "  retail  ",
            "",
            "",
        ],
        ["crm", "w2", "e-mail", "unknown channel", "2026-01-06", "", "", "", "", "", ""],
        ["crm", "w3", "COMPLAINT", "   ", "2026-01-06", "", "", "", "", "", ""],
        # customer ids: case-folded (ß, Ä need Python's casefold)
        ["crm", "c1", "survey", "ok", "2026-01-07", "STRASSE", "", "", "", "", ""],
        ["crm", "c2", "survey", "ok", "2026-01-07", "Straße", "", "", "", "", ""],
        ["crm", "c3", "survey", "ok", "2026-01-07", "ÄRGER-1", "", "", "", "", ""],
        # dates
        ["crm", "d1", "branch", "d", "2026-02-31", "", "", "", "", "", ""],
        ["crm", "d2", "branch", "d", "31/01/2026", "", "", "", "", "", ""],
        ["crm", "d3", "branch", "d", "1/2/2026", "", "", "", "", "", ""],
        ["crm", "d4", "branch", "d", "2026/1/5", "", "", "", "", "", ""],
        ["crm", "d5", "branch", "d", "05.03.2026", "", "", "", "", "", ""],
        ["crm", "d6", "branch", "d", "5-3-2026", "", "", "", "", "", ""],
        ["crm", "d7", "branch", "d", "20260105", "", "", "", "", "", ""],
        ["crm", "d8", "branch", "d", "2026-W03-1", "", "", "", "", "", ""],
        ["crm", "d9", "branch", "d", "2026-01-05T10:00:00", "", "", "", "", "", ""],
        ["crm", "d10", "branch", "d", "yesterday", "", "", "", "", "", ""],
        ["crm", "d11", "branch", "d", "2026-1-5", "", "", "", "", "", ""],
        ["crm", "d12", "branch", "d", "0000-01-01", "", "", "", "", "", ""],
        ["crm", "d13", "branch", "d", "2024-02-29", "", "", "", "", "", ""],
        ["crm", "d14", "branch", "d", "2023-02-29", "", "", "", "", "", ""],
        ["crm", "d15", "branch", "d", "2026-01- 5", "", "", "", "", "", ""],
        ["crm", "d16", "branch", "d", "", "", "", "", "", "", ""],
        ["crm", "d17", "branch", "d", "32/01/2026", "", "", "", "", "", ""],
        ["crm", "d18", "branch", "d", "2026-00-10", "", "", "", "", "", ""],
        # scores and scales
        ["crm", "s1", "survey", "s", "2026-01-08", "", "7.9", "", "", "", ""],
        ["crm", "s2", "survey", "s", "2026-01-08", "", "-0", "", "", "", ""],
        ["crm", "s3", "survey", "s", "2026-01-08", "", "11", "", "", "", ""],
        ["crm", "s4", "survey", "s", "2026-01-08", "", "4", "", "", "", ""],
        ["crm", "s5", "survey", "s", "2026-01-08", "", "3", "NPS", "", "", ""],
        ["crm", "s6", "survey", "s", "2026-01-08", "", "x", "", "", "", ""],
        ["crm", "s7", "survey", "s", "2026-01-08", "", "1e1", "", "", "", ""],
        ["crm", "s8", "survey", "s", "2026-01-08", "", "nan", "", "", "", ""],
        ["crm", "s9", "survey", "s", "2026-01-08", "", "inf", "", "", "", ""],
        ["crm", "s10", "survey", "s", "2026-01-08", "", "5,5", "", "", "", ""],
        ["crm", "s11", "survey", "s", "2026-01-08", "", "+3", "", "", "", ""],
        ["crm", "s12", "survey", "s", "2026-01-08", "", "99999999999", "", "", "", ""],
        ["crm", "s13", "survey", "s", "2026-01-08", "", "6", "CSAT", "", "", ""],
        ["crm", "s14", "survey", "s", "2026-01-08", "", "2", "stars", "", "", ""],
        ["crm", "s15", "survey", "s", "2026-01-08", "", "", "nps", "", "", ""],
        ["crm", "s16", "survey", "s", "2026-01-08", "", ".5", "", "", "", ""],
        ["crm", "s17", "survey", "s", "2026-01-08", "", "n/a", "", "", "", ""],
        # places: names in any case, ids, a moment outside its stage, unknown names
        ["crm", "p1", "call", "p", "2026-01-09", "", "", "", "", "use", "app LOGIN lockout"],
        ["crm", "p2", "call", "p", "2026-01-09", "", "", "", "", "", str(dispute.pk)],
        ["crm", "p3", "call", "p", "2026-01-09", "", "", "", "", "Get help", login.name],
        ["crm", "p4", "call", "p", "2026-01-09", "", "", "", "", "Nowhere", ""],
        ["crm", "p5", "call", "p", "2026-01-09", "", "", "", "", str(login.stage_id), ""],
        [
            "crm",
            "p6",
            "call",
            "Locked out of the mobile app after the update",
            "2026-01-09",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        # lengths
        ["s" * 61, "l1", "chat", "l", "2026-01-10", "", "", "", "", "", ""],
        ["crm", "x" * 121, "chat", "l", "2026-01-10", "", "", "", "", "", ""],
        ["crm", "l3", "chat", "t" * 10_001, "2026-01-10", "", "", "", "", "", ""],
        ["crm", "l4", "chat", "l", "2026-01-10", "", "", "", "g" * 70, "", ""],
        ["", "", "", "", "", "", "", "", "", "", ""],  # blank: skipped, but counts as a line
        ["", "l5", "chat", "no source", "2026-01-10", "", "", "", "", "", ""],
        # duplicates: the first valid row wins; an invalid row does not take the key
        ["crm", "k1", "chat", "first", "2026-01-11", "", "", "", "", "", ""],
        ["crm", "k1", "chat", "second", "2026-01-11", "", "", "", "", "", ""],
        ["crm", "k2", "chat", "", "2026-01-11", "", "", "", "", "", ""],
        ["crm", "k2", "chat", "valid after an invalid one", "2026-01-11", "", "", "", "", "", ""],
        ["crm", "k3", "chat", "Ärger first", "2026-01-11", "Ä", "", "", "", "", ""],
        [
            "crm\u00a0",
            "k3",
            "chat",
            "a non-ASCII key's duplicate",
            "2026-01-11",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    return [HEADER, *rows]


def _file(rows, *, unsafe: bool = False) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row)
    data = out.getvalue()
    if unsafe:
        # A quote inside an unquoted field (PostgreSQL would open a quoted field there) and
        # an empty line: the file must go through Python's reader instead.
        data = data.replace("ok\r\n", 'ok 5" screen\r\n', 1) + "\r\n"
    return SimpleUploadedFile("tricky.csv", data.encode(), content_type="text/csv")


def _result(batch: ImportBatch) -> dict:
    batch.refresh_from_db()
    items = list(
        FeedbackItem.objects.order_by("source", "external_id").values_list(
            "source", "external_id", "channel", "text", "received_on", "segment",
            "customer_ref", "score", "score_scale", "is_negative", "stage_id", "moment_id",
            "suggested_moment_id", "digest",
        )
    )  # fmt: skip
    rejections = list(
        ImportRejection.objects.filter(batch=batch)
        .order_by("row_number")
        .values_list("row_number", "reasons", "data")
    )
    counts = (batch.status, batch.total, batch.processed, batch.imported, batch.updated,
              batch.unchanged, batch.rejected)  # fmt: skip
    return {"items": items, "rejections": rejections, "counts": counts}


def _both_paths(monkeypatch, capture, manager, make) -> tuple[dict, dict]:
    results = []
    for in_sql in (True, False):
        monkeypatch.setattr(services, "IMPORT_IN_SQL", in_sql)
        FeedbackItem.objects.all().delete()
        results.append(_result(run_import(capture, make(), manager)))
    return results[0], results[1]


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the SQL path exists on PostgreSQL only"
)


@postgres_only
@pytest.mark.parametrize("unsafe", [False, True], ids=["copied-as-is", "read-by-python"])
def test_the_sql_and_python_paths_store_and_refuse_the_same_rows(
    unsafe, manager, journey_places, django_capture_on_commit_callbacks, monkeypatch
):
    used = []
    for name in ("_copy_csv", "_copy_rows"):
        real = getattr(bulk, name)
        monkeypatch.setattr(
            bulk, name, lambda *a, _real=real, _name=name: used.append(_name) or _real(*a)
        )
    rows = _rows(journey_places)
    sql, python = _both_paths(
        monkeypatch,
        django_capture_on_commit_callbacks,
        manager,
        lambda: _file(rows, unsafe=unsafe),
    )
    # The unsafe file was tried as-is, refused by the quote check, then read by Python.
    assert used == (["_copy_csv", "_copy_rows"] if unsafe else ["_copy_csv"])
    assert sql["counts"] == python["counts"]
    assert sql["rejections"] == python["rejections"]
    assert sql["items"] == python["items"]
    # The file holds every kind of row, so the comparison means something.
    texts = {item[1]: item[3] for item in sql["items"]}
    assert texts["m1"] == "Mail [email] or [email]"
    assert texts["m2"].startswith("Call [phone], or [phone] (ref 12345678)")
    assert "٠٦١" not in texts["m4"] and "café crème" in texts["m4"]
    assert sql["counts"][-1] > 20  # rejected
    reasons = " ".join(r[1] for r in sql["rejections"])
    for expected in ["is not a date", "is not a number", "is outside", "not nps or csat",
                     "is not on the journey", "duplicate", "longer than", "channel “e-mail”"]:  # fmt: skip
        assert expected in reasons


@postgres_only
def test_xlsx_goes_through_the_same_sql(
    manager, journey_places, django_capture_on_commit_callbacks, monkeypatch
):
    rows = _rows(journey_places)
    rows = [r for r in rows if "\n" not in r[3]]  # a spreadsheet cell keeps its own lines
    sql, python = _both_paths(
        monkeypatch, django_capture_on_commit_callbacks, manager, lambda: xlsx_file(rows)
    )
    assert sql == python


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_large_import_rebuilds_the_secondary_indexes(monkeypatch):
    """Outside a transaction, as the task runs: the indexes are dropped for the chunks and
    all rebuilt, as the model defines them, before the batch is done."""
    from journeys import demo
    from tests.factories import ManagerFactory

    demo.seed()
    manager = ManagerFactory()
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    dropped = []
    real = bulk.drop_indexes
    monkeypatch.setattr(bulk, "drop_indexes", lambda: dropped.append(1) or real())
    rows = [HEADER[:5]] + [["crm", str(n), "chat", f"text {n}", "2026-01-05"] for n in range(5)]
    batch = services.batch_create(file=_file(rows), actor=manager)
    ImportBatch.objects.filter(pk=batch.pk).update(status="pending", mapping=batch.mapping)
    assert services.batch_run(batch_id=batch.pk) == "done"
    assert dropped
    assert ImportBatch.objects.get(pk=batch.pk).imported == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'feedback_feedbackitem'")
        present = {row[0] for row in cursor.fetchall()}
    assert set(bulk.secondary_indexes()) <= present
    assert bulk.restore_indexes() == 0


@pytest.mark.parametrize(
    ("data", "safe"),
    [
        (b'a,b\n1,"x, ""y"""\n"",2\n', True),
        (b'a,b\r\n1,"multi\r\nline"\r\n', True),
        (b"a,b\n1,2\n", True),
        (b'a,b\n1,5" screen\n', False),
        (b'a,b\n1,"x"y\n', False),
        (b'a,b\n1,"open\n', False),
        (b"a,b\n\\.\n3,4\n", False),
    ],
)
def test_the_quote_scan_lets_through_only_what_both_readers_read_alike(data, safe):
    scan = bulk.QuoteScan(",")
    try:
        for i in range(0, len(data), 3):  # blocks that split quotes and line ends
            scan.feed(data[i : i + 3])
        scan.close()
    except bulk.Unsafe:
        assert not safe
    else:
        assert safe


def _reimport_rows(journey_places) -> tuple[list[list[str]], list[list[str]]]:
    """A first file, then a second one in which rows stay, change, repeat, or meet an item
    another writer changed in between."""
    login = journey_places["login"]
    first = [
        HEADER,
        ["crm", "u1", "chat", "Locked out of the app", "2026-01-05", "C1", "", "", "", "", ""],
        ["crm", "u2", "call", "Call +44 20 7946 0958", "2026-01-05", "C2", "9", "", "", "", ""],
        ["crm", "u3", "chat", "Placed", "2026-01-05", "", "", "", "", "", login.name],
        ["crm", "c1", "chat", "Old text", "2026-01-05", "", "", "", "", "", ""],
        ["crm", "d1", "chat", "Kept first", "2026-01-05", "", "", "", "", "", ""],
        ["crm", "d2", "chat", "Kept second", "2026-01-05", "", "", "", "", "", ""],
        ["crm", "a1", "chat", "As the file says", "2026-01-05", "", "", "", "", "", ""],
        ["crm", "w1", "chat", " Spaces around ", "2026-01-05", "", "", "", "", "", ""],
    ]
    second = [
        HEADER,
        first[1],  # unchanged
        first[2],  # unchanged (masked, hashed, scored)
        first[3],  # unchanged (placed)
        ["crm", "c1", "chat", "New text", "2026-01-05", "", "", "", "", "", ""],  # changed
        first[5],  # as stored, and first of its key: it stays, the later row is refused
        ["crm", "d1", "chat", "Other text", "2026-01-05", "", "", "", "", "", ""],
        ["crm", "d2", "chat", "Other first", "2026-01-05", "", "", "", "", "", ""],
        first[6],  # as stored, but an earlier row has its key: refused as a duplicate
        first[7],  # as the file had it, but the API changed the item since: written back
        ["crm", "w1", "chat", "Spaces around", "2026-01-05", "", "", "", "", "", ""],  # same
        ["crm", "n1", "chat", "Brand new", "2026-01-05", "", "", "", "", "", ""],
    ]
    return first, second


@postgres_only
def test_a_reimport_skips_unchanged_rows_and_ends_as_the_python_path(
    manager, journey_places, django_capture_on_commit_callbacks, monkeypatch
):
    """Rows found unchanged before normalising (``import_digest``) skip it; the batch's
    items, rejections and counters are still those of the Python path, row for row."""
    skipped = []
    real = bulk._skip_unchanged
    monkeypatch.setattr(bulk, "_skip_unchanged", lambda *a: skipped.append(real(*a)))
    first, second = _reimport_rows(journey_places)
    results = []
    for in_sql in (True, False):
        monkeypatch.setattr(services, "IMPORT_IN_SQL", in_sql)
        FeedbackItem.objects.all().delete()
        run_import(django_capture_on_commit_callbacks, _file(first), manager)
        services.items_upsert(
            items=[
                dict(
                    zip(
                        HEADER[:5],
                        ["crm", "a1", "chat", "The API's text", "2026-01-05"],
                        strict=True,
                    )
                )
            ],
            actor=manager,
        )
        results.append(
            _result(run_import(django_capture_on_commit_callbacks, _file(second), manager))
        )
        if in_sql:
            # The same file a third time: what the second import wrote or found unchanged
            # (w1, whose cells differ only by spaces, is stamped) now skips normalising.
            third = run_import(django_capture_on_commit_callbacks, _file(second), manager)
            assert (third.imported, third.updated, third.unchanged, third.rejected) == (
                0,
                0,
                9,
                2,
            )
    sql, python = results
    # First import: nothing stored yet. Second: u1, u2, u3 only (d1 and d2 repeat in the
    # file, a1 was changed by the API, w1's cells differ by their spaces, c1 changed).
    # Third: u1, u2, u3, c1, a1 and n1 (written by the second) and w1 (stamped by it).
    assert skipped == [0, 3, 7]
    assert sql["counts"] == python["counts"]
    assert sql["rejections"] == python["rejections"]
    assert sql["items"] == python["items"]
    # new: n1; updated: c1, d2 (its first row wins), a1; unchanged: u1, u2, u3, d1, w1;
    # rejected: the second d1 and the second d2.
    assert sql["counts"][3:] == (1, 3, 5, 2)
    texts = {item[1]: item[3] for item in sql["items"]}
    assert texts["a1"] == "As the file says"
    assert (texts["d1"], texts["d2"]) == ("Kept first", "Other first")


@postgres_only
def test_a_changed_journey_makes_stored_rows_normalise_again(
    manager, journey_places, django_capture_on_commit_callbacks, monkeypatch
):
    """The reading's context is part of the hash: a renamed moment changes what a row's
    moment column means, so the same file is normalised again (and its place found anew)."""
    skipped = []
    real = bulk._skip_unchanged
    monkeypatch.setattr(bulk, "_skip_unchanged", lambda *a: skipped.append(real(*a)))
    login = journey_places["login"]
    rows = [HEADER, ["crm", "p1", "chat", "Placed", "2026-01-05", "", "", "", "", "", login.name]]
    run_import(django_capture_on_commit_callbacks, _file(rows), manager)
    run_import(django_capture_on_commit_callbacks, _file(rows), manager)
    login.name = "Login lockout"
    login.save()
    batch = run_import(django_capture_on_commit_callbacks, _file(rows), manager)
    assert skipped == [0, 1, 0]
    assert (batch.unchanged, batch.rejected) == (0, 1)  # the old name is no moment now


@postgres_only
@pytest.mark.parametrize("unsafe", [False, True], ids=["copied-as-is", "read-by-python"])
def test_a_reimport_of_the_tricky_file_ends_as_the_python_path(
    unsafe, manager, journey_places, django_capture_on_commit_callbacks, monkeypatch
):
    """The edge cases again, imported twice: the second import skips the rows it can
    (masked, hashed, Python-normalised ones too) and still reports and stores what the
    Python path does."""
    skipped = []
    real = bulk._skip_unchanged
    monkeypatch.setattr(bulk, "_skip_unchanged", lambda *a: skipped.append(real(*a)))
    rows = _rows(journey_places)
    results = []
    for in_sql in (True, False):
        monkeypatch.setattr(services, "IMPORT_IN_SQL", in_sql)
        FeedbackItem.objects.all().delete()
        run_import(django_capture_on_commit_callbacks, _file(rows, unsafe=unsafe), manager)
        again = run_import(django_capture_on_commit_callbacks, _file(rows, unsafe=unsafe), manager)
        results.append(_result(again))
    sql, python = results
    assert sql == python
    # 63 rows: 26 refused again, 37 unchanged; of those, k1, k2 and k3 share their key with
    # another row of the file (k3 once its no-break space is trimmed): 34 skip normalising.
    assert sql["counts"] == ("done", 63, 63, 0, 0, 37, 26)
    assert skipped == [0, 34]

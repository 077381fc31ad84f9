"""Writes of the feedback app: imports, the JSON upsert, placement, links to ideas, privacy.

HTML views, the API, tasks and the demo all call these; none re-implements a rule.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from core import outbox
from core.exceptions import Conflict
from core.web import require_perm
from feedback import bulk, importer, placement, selectors
from feedback.importer import ImportFileError, Places
from feedback.models import (
    BatchStatus,
    FeedbackDay,
    FeedbackItem,
    FeedbackLink,
    ImportBatch,
    ImportRejection,
    RetainedCount,
)
from feedback.placement import Suggester
from ideas.evidence import customers_recount
from journeys.models import Journey, Moment

log = logging.getLogger(__name__)

# Rows per transaction: the upsert, the rejections and the batch's counters commit together.
CHUNK = 5000
API_MAX_ITEMS = 1000
# Columns a re-import overwrites. The place (stage, moment) only when the row names one, so a
# curator's placement survives a re-import of a file without place columns.
_UPDATE = [
    "channel",
    "text",
    "received_on",
    "segment",
    "customer_ref",
    "score",
    "score_scale",
    "is_negative",
    "suggested_moment",
    "batch",
    "digest",
    "updated_at",
]
_UPDATE_WITH_PLACE = [*_UPDATE, "stage", "moment"]


def _journey() -> Journey:
    journey = Journey.objects.default()
    if journey is None:  # pragma: no cover - the default journey is created by a migration
        raise Conflict("There is no default journey to place feedback on.", code="no_journey")
    return journey


# --- Upsert (shared by the file import and the JSON API) --------------------------------------


def _upsert(rows: list[dict], *, batch_id: int | None, suggester: Suggester) -> dict[str, int]:
    """Insert new items, update changed ones, leave unchanged ones alone; returns the counts.

    ``rows`` are ``importer.normalise`` values with distinct (source, external_id). Every
    write is an ``INSERT … ON CONFLICT (source, external_id) DO UPDATE``, so a concurrent
    import of the same keys can never duplicate an item."""
    if not rows:
        return {"imported": 0, "updated": 0, "unchanged": 0}
    if connection.vendor == "postgresql":
        return _upsert_copy(rows, batch_id=batch_id, suggester=suggester)
    # Elsewhere: existing rows are read first (one query) so the counts are exact, then one
    # bulk upsert per kind of row (with or without a place).
    existing = {
        (s, e): d
        for s, e, d in FeedbackItem.objects.filter(
            source__in={r["source"] for r in rows},
            external_id__in=[r["external_id"] for r in rows],
        ).values_list("source", "external_id", "digest")
    }
    now = timezone.now()
    new, placed, unplaced = [], [], []
    unchanged = 0
    for values in rows:
        key = (values["source"], values["external_id"])
        if key in existing and existing[key] == values["digest"]:
            unchanged += 1
            continue
        suggestion = suggester.suggest(values["text"]) if values["stage_id"] is None else None
        item = FeedbackItem(
            **values, batch_id=batch_id, suggested_moment_id=suggestion, created_at=now
        )
        item.updated_at = now
        if key not in existing:
            new.append(item)
        elif values["stage_id"] is None:
            unplaced.append(item)
        else:
            placed.append(item)
    for items, fields in ((new + placed, _UPDATE_WITH_PLACE), (unplaced, _UPDATE)):
        if items:
            FeedbackItem.objects.bulk_create(
                items,
                update_conflicts=True,
                unique_fields=["source", "external_id"],
                update_fields=fields,
            )
    return {"imported": len(new), "updated": len(placed) + len(unplaced), "unchanged": unchanged}


# The columns written by the PostgreSQL path, in COPY order.
_COPY_COLUMNS = [
    "source",
    "external_id",
    "channel",
    "text",
    "received_on",
    "segment",
    "customer_ref",
    "score",
    "score_scale",
    "is_negative",
    "stage_id",
    "moment_id",
    "suggested_moment_id",
    "batch_id",
    "digest",
    "created_at",
    "updated_at",
]
_STAGING_DDL = """
CREATE TEMPORARY TABLE IF NOT EXISTS feedback_staging (
  n integer, source varchar(60), external_id varchar(120), channel varchar(12), text text,
  received_on date, segment varchar(60), customer_ref varchar(64), score smallint,
  score_scale varchar(4), is_negative boolean, stage_id bigint, moment_id bigint,
  suggested_moment_id bigint, batch_id bigint, digest varchar(32),
  created_at timestamptz, updated_at timestamptz
) ON COMMIT DELETE ROWS
"""


def _upsert_copy(rows: list[dict], *, batch_id: int | None, suggester: Suggester) -> dict:
    """PostgreSQL: COPY the chunk into a temporary table, drop the rows whose digest is
    unchanged, then one ``INSERT … SELECT … ON CONFLICT DO UPDATE``; ``xmax = 0`` in
    RETURNING tells an inserted row from an updated one, so the counts stay exact.

    The ``SELECT`` computes each row's search vector once, stores it (the trigger then does
    not) and uses it to suggest a moment for rows without a place (``feedback.placement``).
    A row without a place keeps the stored place (a curator's placement survives a
    re-import of a file without place columns)."""
    table = FeedbackItem._meta.db_table
    columns = ", ".join(_COPY_COLUMNS)
    now = timezone.now()
    updates = ", ".join(
        f"{c} = EXCLUDED.{c}"
        for c in [*_COPY_COLUMNS, "search_vector"]
        if c not in {"source", "external_id", "created_at", "stage_id", "moment_id"}
    )
    selected = ", ".join(
        "b.moment_id" if c == "suggested_moment_id" else f"r.{c}" for c in _COPY_COLUMNS
    )
    with connection.cursor() as cursor:
        # One staging table per connection, emptied at every commit; emptied here too for a
        # second chunk in the same transaction (tests, a caller's atomic block).
        cursor.execute(_STAGING_DDL)
        cursor.execute("TRUNCATE feedback_staging")
        with cursor.copy(f"COPY feedback_staging (n, {columns}) FROM STDIN") as copy:
            for n, v in enumerate(rows):
                copy.write_row(
                    (
                        n,
                        v["source"],
                        v["external_id"],
                        v["channel"],
                        v["text"],
                        v["received_on"],
                        v["segment"],
                        v["customer_ref"],
                        v["score"],
                        v["score_scale"],
                        v["is_negative"],
                        v["stage_id"],
                        v["moment_id"],
                        None,  # the suggestion, made by the INSERT below
                        batch_id,
                        v["digest"],
                        now,
                        now,
                    )
                )
        cursor.execute(
            f"DELETE FROM feedback_staging s USING {table} f "
            "WHERE f.source = s.source AND f.external_id = s.external_id AND f.digest = s.digest"
        )
        unchanged = cursor.rowcount
        cursor.execute(
            "WITH fb_rows AS MATERIALIZED ("
            "  SELECT s.*, to_tsvector('english', s.text) AS vec FROM feedback_staging s), "
            f"{placement.suggest_ctes('fb_rows')} "
            f"INSERT INTO {table} AS f ({columns}, search_vector) SELECT {selected}, r.vec "
            "FROM fb_rows r LEFT JOIN fb_best b ON b.n = r.n "
            f"ON CONFLICT (source, external_id) DO UPDATE SET {updates}, "
            "stage_id = COALESCE(EXCLUDED.stage_id, f.stage_id), "
            "moment_id = CASE WHEN EXCLUDED.stage_id IS NULL THEN f.moment_id "
            "ELSE EXCLUDED.moment_id END "
            "RETURNING (xmax = 0)",
            {"journey": suggester.journey_id},
        )
        inserted = [row[0] for row in cursor.fetchall()]
    new = sum(inserted)
    return {"imported": new, "updated": len(inserted) - new, "unchanged": unchanged}


def items_upsert(*, items: list[dict], actor) -> dict[str, int]:
    """The JSON API's write: up to ``API_MAX_ITEMS`` items, all or nothing.

    Each item has the import's fields (``customer_id`` raw: it is hashed here). Any invalid
    item refuses the whole request with the reasons by position, so a client can fix and
    resend; valid requests are upserts, so resending is safe."""
    require_perm(actor, "feedback.import_feedback")
    if len(items) > API_MAX_ITEMS:
        raise ValidationError(f"Send at most {API_MAX_ITEMS} items per request.")
    places = Places.load(_journey())
    rows, errors, seen = [], {}, set()
    for index, raw in enumerate(items):
        if not isinstance(raw, dict):
            errors[str(index)] = ["each item must be an object"]
            continue
        values, reasons = importer.normalise(
            {k: "" if v is None else str(v) for k, v in raw.items()}, places
        )
        if values is not None:
            key = (values["source"], values["external_id"])
            if key in seen:
                reasons = ["the same source and external_id appear earlier in the list"]
            seen.add(key)
        if reasons:
            errors[str(index)] = reasons
        else:
            rows.append(values)
    if errors:
        raise ValidationError({"items": [f"item {i}: {'; '.join(r)}" for i, r in errors.items()]})
    with transaction.atomic():
        return _upsert(rows, batch_id=None, suggester=Suggester.for_journey(_journey()))


# --- File imports ----------------------------------------------------------------------------


def batch_create(*, file: UploadedFile, actor, default_source: str = "") -> ImportBatch:
    """Store an uploaded CSV/XLSX and read its header; the batch then waits for a mapping."""
    require_perm(actor, "feedback.import_feedback")
    file_format = importer.detect_format(file.name)
    if file_format is None:
        raise ValidationError({"file": "Upload a .csv or .xlsx file."})
    if file.size > settings.FEEDBACK_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": f"The file is larger than {settings.FEEDBACK_MAX_UPLOAD_BYTES:,} bytes."}
        )
    try:
        header, _ = importer.read_rows(file, file_format)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    if not any(header):
        raise ValidationError({"file": "The first row must name the columns."})
    batch = ImportBatch(
        original_name=file.name[:200],
        file_format=file_format,
        default_source=default_source.strip()[:60],
        header=header,
        mapping=importer.guess_mapping(header),
        created_by=actor,
    )
    file.seek(0)
    batch.file.save(file.name, file, save=False)
    batch.save()
    return batch


def batch_header(batch: ImportBatch) -> list[str]:
    if batch.header:
        return batch.header
    with batch.file.open("rb") as fileobj:
        header, _ = importer.read_rows(fileobj, batch.file_format)
        return header


def batch_preview(batch: ImportBatch, mapping: dict, default_source: str) -> list[dict]:
    """The first rows as they would be imported: values (masked, hashed) or reasons."""
    places = Places.load(_journey())
    preview = []
    with batch.file.open("rb") as fileobj:
        header, rows = importer.read_rows(fileobj, batch.file_format)
        for number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            values, reasons = importer.normalise(
                importer.mapped(header, row, mapping), places, default_source=default_source
            )
            preview.append({"row": number, "values": values, "reasons": reasons})
            if len(preview) >= importer.PREVIEW_ROWS:
                break
    return preview


def batch_start(*, batch: ImportBatch, mapping: dict, default_source: str, actor) -> ImportBatch:
    """Save the mapping and queue the import (after commit)."""
    from feedback.tasks import import_batch_task  # tasks import this module

    require_perm(actor, "feedback.import_feedback")
    mapping = {f: c for f, c in mapping.items() if c}
    problems = importer.check_mapping(mapping, batch_header(batch), default_source=default_source)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.MAPPING).update(
            status=BatchStatus.PENDING, mapping=mapping, default_source=default_source[:60]
        )
        if not claimed:
            raise Conflict("This import has already been started.", code="already_started")
        # In the same transaction as the claim: a broker outage cannot lose the import.
        outbox.enqueue(import_batch_task, args=[batch.pk])
    batch.refresh_from_db()
    return batch


def _key_hash(values: dict) -> int:
    # 8 bytes per key: the "seen in this file" set of a million rows stays small. A false
    # "duplicate" needs two keys of one file to collide: odds about 3 in 10^8 at 10^6 rows.
    raw = f"{values['source']}\x1f{values['external_id']}".encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


class _Superseded(Exception):
    """Another run of the same batch committed first: this one stops."""


def batch_run(*, batch_id: int) -> str:
    """Import one batch. Safe to run twice and to resume: each chunk's rows, rejections and
    counters commit together, guarded by ``processed`` (a conditional UPDATE), so a second
    run skips what the first committed and two concurrent runs cannot both count a chunk."""
    claimed = ImportBatch.objects.filter(
        pk=batch_id, status__in=[BatchStatus.PENDING, BatchStatus.RUNNING]
    ).update(status=BatchStatus.RUNNING, started_at=Coalesce(F("started_at"), timezone.now()))
    if not claimed:
        return "skipped"
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        _run(batch)
    except _Superseded:
        return "superseded"
    except ImportFileError as exc:
        _fail(batch, str(exc))
        return BatchStatus.FAILED
    except OperationalError:
        raise  # the database went away: the task retries and resumes
    except Exception:
        log.exception("feedback import %s failed", batch_id)
        _fail(batch, "The import stopped on an unexpected error; the rows so far are kept.")
        return BatchStatus.FAILED
    ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.RUNNING).update(
        status=BatchStatus.DONE, finished_at=timezone.now()
    )
    _discard_file(batch)
    return BatchStatus.DONE


def _fail(batch: ImportBatch, message: str) -> None:
    # Only a batch still going: a straggling second run must not undo a finished import.
    going = [BatchStatus.PENDING, BatchStatus.RUNNING]
    ImportBatch.objects.filter(pk=batch.pk, status__in=going).update(
        status=BatchStatus.FAILED, error=message, finished_at=timezone.now()
    )
    _discard_file(batch)


def _discard_file(batch: ImportBatch) -> None:
    """The upload holds unmasked text and raw customer ids: once the import has ended it
    goes (the rejected rows, which a curator must be able to fix, are kept with the batch)."""
    if connection.vendor == "postgresql":
        bulk.drop_all(batch.pk)  # the work tables of a run that died
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")


# PostgreSQL imports files in SQL (``feedback.bulk``); the tests turn it off to compare the
# two paths on the same database.
IMPORT_IN_SQL = True


def _run(batch: ImportBatch) -> None:
    journey = _journey()
    places = Places.load(journey)
    if connection.vendor == "postgresql" and IMPORT_IN_SQL:
        _run_in_sql(batch, journey, places)
    else:
        _read_and_write(batch, places, Suggester.for_journey(journey))


def _run_in_sql(batch: ImportBatch, journey: Journey, places: Places) -> None:
    """PostgreSQL: the file is staged and normalised in the database (``feedback.bulk``),
    then written in chunks, each committed with its rejections and counters behind the
    ``processed`` guard (counted here in staged rows). A resumed run stages and normalises
    the file again (into work tables of its own) and carries on after ``processed``."""
    header = batch_header(batch)
    tables = bulk.Tables.new(batch.pk)
    bulk.restore_indexes()  # after a large import that died with them dropped
    rebuild = False
    try:
        last = bulk.stage(batch, header, tables)
        ImportBatch.objects.filter(pk=batch.pk).update(total=last)
        bulk.normalise(batch, header, places, tables)
        rebuild = bulk.rebuilds_indexes(last - batch.processed)
        if rebuild:
            bulk.drop_indexes()
        for after, upto in bulk.chunks(batch.processed, last):
            with transaction.atomic():
                if not ImportBatch.objects.filter(pk=batch.pk, processed=after).update(
                    processed=upto
                ):
                    raise _Superseded
                imported, updated, unchanged, rejected = bulk.write_chunk(
                    tables, after, upto, journey.pk, len(header)
                )
                ImportBatch.objects.filter(pk=batch.pk).update(
                    imported=F("imported") + imported,
                    updated=F("updated") + updated,
                    unchanged=F("unchanged") + unchanged,
                    rejected=F("rejected") + rejected,
                )
        if rebuild:
            bulk.restore_indexes()  # before the batch is done: its items are searchable then
        # The staged count makes way for the exact count of data rows, in the statement
        # that ends the batch: no later run reads ``processed`` in the other unit.
        rows = bulk.count_rows(tables)
        ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING).update(
            total=rows, processed=rows, status=BatchStatus.DONE, finished_at=timezone.now()
        )
    finally:
        tables.drop()
        if rebuild:
            bulk.restore_indexes()  # also when the import failed


def _read_and_write(batch: ImportBatch, places: Places, suggester: Suggester) -> None:
    """Elsewhere (SQLite): each row through ``importer.normalise``, chunks written inline."""
    with batch.file.open("rb") as fileobj:
        if batch.total is None:
            estimate = importer.estimate_rows(fileobj, batch.file_format)
            ImportBatch.objects.filter(pk=batch.pk).update(total=estimate)
        header, rows = importer.read_rows(fileobj, batch.file_format)
        seen: set[int] = set()
        done = batch.processed
        index = 0
        good: list[dict] = []
        bad: list[ImportRejection] = []
        for number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            index += 1
            values, reasons = importer.normalise(
                importer.mapped(header, row, batch.mapping),
                places,
                default_source=batch.default_source,
            )
            if values is not None:
                key = _key_hash(values)
                if key in seen:
                    values, reasons = None, [importer.DUPLICATE_REASON]
                seen.add(key)
            if index <= done:
                continue  # committed by an earlier run; read only to rebuild ``seen``
            if values is None:
                bad.append(
                    ImportRejection(
                        batch_id=batch.pk,
                        row_number=number,
                        reasons="; ".join(reasons),
                        data=importer.as_record(header, row),
                    )
                )
            else:
                good.append(values)
            if len(good) + len(bad) >= CHUNK:
                _commit_chunk(batch.pk, done, index, good, bad, suggester)
                done, good, bad = index, [], []
        _commit_chunk(batch.pk, done, index, good, bad, suggester)
    # The estimate made way for the exact count of data rows.
    ImportBatch.objects.filter(pk=batch.pk).update(total=index)


def _commit_chunk(batch_id, before, after, good, bad, suggester) -> None:
    if after == before:
        return
    with transaction.atomic():
        # First, so a concurrent run of the same batch waits on this row lock and then finds
        # ``processed`` moved on.
        if not ImportBatch.objects.filter(pk=batch_id, processed=before).update(processed=after):
            raise _Superseded
        counts = _upsert(good, batch_id=batch_id, suggester=suggester)
        ImportRejection.objects.bulk_create(bad)
        ImportBatch.objects.filter(pk=batch_id).update(
            imported=F("imported") + counts["imported"],
            updated=F("updated") + counts["updated"],
            unchanged=F("unchanged") + counts["unchanged"],
            rejected=F("rejected") + len(bad),
        )


# --- The overlay's roll-up ------------------------------------------------------------------


@transaction.atomic
def feedback_days_rebuild() -> int:
    """Recompute ``FeedbackDay`` from the items, in one transaction that blocks writers of
    the items meanwhile (on PostgreSQL), so no change slips between the count and the swap.
    Returns the number of roll-up rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {FeedbackItem._meta.db_table} IN SHARE MODE")
    FeedbackDay.objects.all().delete()
    rows = (
        FeedbackItem.objects.filter(stage__isnull=False)
        .values("stage_id", "moment_id", "received_on")
        .annotate(volume=Count("id"), negative=Count("id", filter=Q(is_negative=True)))
        .order_by("stage_id", "moment_id", "received_on")
    )
    days = [
        FeedbackDay(
            stage_id=r["stage_id"],
            moment_key=r["moment_id"] or 0,
            day=r["received_on"],
            volume=r["volume"],
            negative=r["negative"],
        )
        for r in rows.iterator(chunk_size=5000)
    ]
    FeedbackDay.objects.bulk_create(days, batch_size=5000)
    return len(days)


# --- Placement, links ------------------------------------------------------------------------


@transaction.atomic
def placements_confirm(*, choices: dict[int, int | None], actor) -> int:
    """Place items on the journey: ``{item id: moment id}`` (the suggestion or a correction;
    None clears the suggestion without placing). Returns the number of items changed."""
    require_perm(actor, "feedback.curate_feedback")
    moments = dict(
        Moment.objects.filter(
            pk__in={m for m in choices.values() if m}, stage__journey=_journey()
        ).values_list("pk", "stage_id")
    )
    changed = 0
    now = timezone.now()
    for item_id, moment_id in choices.items():
        if moment_id and moment_id not in moments:
            raise ValidationError(f"Moment {moment_id} is not on the journey.")
        if moment_id:
            changed += FeedbackItem.objects.filter(pk=item_id).update(
                stage_id=moments[moment_id], moment_id=moment_id, updated_at=now
            )
        else:
            changed += FeedbackItem.objects.filter(pk=item_id).update(
                suggested_moment=None, updated_at=now
            )
    return changed


@transaction.atomic
def link_create(*, item: FeedbackItem, idea, actor) -> FeedbackLink:
    """Link an item to an idea as evidence (idempotent); the idea's ``customers_affected``
    follows in the same transaction."""
    require_perm(actor, "feedback.link_feedback", item)
    if not idea.is_visible_to(actor):
        raise ValidationError("You cannot link to that idea.")
    link, created = FeedbackLink.objects.get_or_create(
        item=item, idea=idea, defaults={"linked_by": actor}
    )
    if created:
        customers_recount(ids=[idea.pk])
    return link


@transaction.atomic
def link_delete(*, item: FeedbackItem, idea_id: int, actor) -> int:
    link = FeedbackLink.objects.filter(item=item, idea_id=idea_id).first()
    if link is None:
        return 0
    require_perm(actor, "feedback.unlink_feedback", link)
    link.delete()
    customers_recount(ids=[idea_id])
    return 1


@transaction.atomic
def pain_evidence_attach(*, idea, key: str, actor) -> int:
    """Link the top verbatims of a painful moment (``selectors.pain_key``) to a new idea
    started from the journey overlay; 0 when the key names nothing or the actor may not
    link feedback. Called by the idea form through the ideas' evidence-source hook."""
    parsed = selectors.parse_pain_key(key)
    if parsed is None or not actor.has_perm("feedback.link_feedback"):
        return 0
    items = list(selectors.moment_verbatims(*parsed))
    links = FeedbackLink.objects.bulk_create(
        [FeedbackLink(item=item, idea=idea, linked_by=actor) for item in items],
        ignore_conflicts=True,
    )
    if links:
        customers_recount(ids=[idea.pk])
    return len(links)


# --- Privacy ---------------------------------------------------------------------------------


@transaction.atomic
def customer_delete(*, customer_ref: str, actor) -> int:
    """Remove every item of one pseudonymous customer (an erasure request), audited. Their
    links go with them; nothing is kept on ideas (unlike the retention purge)."""
    require_perm(actor, "feedback.delete_customer")
    items = FeedbackItem.objects.filter(customer_ref=customer_ref)
    count = items.count()
    if not customer_ref or not count:
        return 0
    ideas = set(
        FeedbackLink.objects.filter(item__customer_ref=customer_ref).values_list(
            "idea_id", flat=True
        )
    )
    FeedbackLink.objects.filter(item__customer_ref=customer_ref).delete()
    items.delete()
    customers_recount(ids=ideas)
    audit_record(
        actor=actor,
        action="feedback.customer_deleted",
        summary=f"Deleted {count} feedback item{'s' if count != 1 else ''} of customer "
        f"{customer_ref[:12]}…",
        data={"customer_ref": customer_ref, "items": count},
    )
    return count


def retention_cutoff(today: date | None = None) -> date | None:
    """Items received before this date are past retention (None: keep forever)."""
    months = settings.FEEDBACK_RETENTION_MONTHS
    if not months:
        return None
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28)  # a cutoff a few days early is harmless; an invalid date is not
    return date(year, month + 1, day)


def retention_purge(*, today: date | None = None, chunk: int = 5000) -> int:
    """Delete items past retention; ideas keep how many items and customers they had.

    A customer counts on ``RetainedCount.customers`` only when none of their items linked
    to that idea remains, so ``customers_affected`` does not count them twice. Safe to run
    twice: a second run finds nothing to purge."""
    cutoff = retention_cutoff(today)
    if cutoff is None:
        return 0
    # Rejected rows are kept as read (unmasked, so they can be fixed): they age out too.
    ImportRejection.objects.filter(batch__created_at__date__lt=cutoff).delete()
    purged = 0
    while True:
        with transaction.atomic():
            ids = list(
                FeedbackItem.objects.filter(received_on__lt=cutoff)
                .order_by("id")
                .values_list("id", flat=True)[:chunk]
            )
            if not ids:
                return purged
            _retain_counts(ids)
            links = FeedbackLink.objects.filter(item_id__in=ids)
            ideas = set(links.values_list("idea_id", flat=True))
            links.delete()
            purged += (
                FeedbackItem.objects.filter(pk__in=ids).delete()[1].get(FeedbackItem._meta.label, 0)
            )
            # The retained counts keep the figure; recounting proves it (and heals drift).
            customers_recount(ids=ideas)


def _retain_counts(ids: Iterable[int]) -> None:
    per_idea = (
        FeedbackLink.objects.filter(item_id__in=ids)
        .values("idea_id")
        .annotate(
            items=Count("id"),
            customers=Count(
                "item__customer_ref",
                distinct=True,
                filter=~Q(item__customer_ref=""),
            ),
        )
    )
    for row in per_idea:
        # Customers who keep another linked item (a newer one, or one a later chunk purges)
        # are counted when their last item goes.
        still = (
            FeedbackLink.objects.filter(idea_id=row["idea_id"])
            .exclude(item_id__in=ids)
            .filter(
                item__customer_ref__in=FeedbackLink.objects.filter(
                    idea_id=row["idea_id"], item_id__in=ids
                ).values("item__customer_ref")
            )
            .values("item__customer_ref")
            .distinct()
            .count()
        )
        retained, _ = RetainedCount.objects.get_or_create(idea_id=row["idea_id"])
        RetainedCount.objects.filter(pk=retained.pk).update(
            items=F("items") + row["items"],
            customers=F("customers") + max(0, row["customers"] - still),
        )

"""The file import on PostgreSQL: Python streams the file into the database, SQL does the rest.

Measured on the Python path (``importer.normalise`` per row, then a COPY of the results), a
million rows cost ~80 µs each in Python plus the database writes; a bare ``COPY`` of the same
file takes ~7 µs a row. So here:

1. **Stage.** The raw file goes into an UNLOGGED table of text columns (one per header
   column), by ``COPY … (FORMAT csv)`` straight from the file's bytes when PostgreSQL and
   Python's ``csv`` module provably read the file the same way (:class:`QuoteScan`);
   otherwise (odd quoting, blank lines, ragged rows, XLSX) Python reads the rows and COPYs
   them, which is still ~10 times cheaper than normalising them.
2. **Unchanged rows** are found first (:func:`_skip_unchanged`): a row whose raw cells, in
   the same context, are those the import last wrote its item from (``import_digest``) is
   counted unchanged and neither normalised nor written. A re-import of the same file then
   costs the staging and one join.
3. **Normalise** the other rows in one ``CREATE TABLE … AS SELECT``: trimming, validation
   with every reason (the texts of ``importer.normalise``), dates, scores, places, the customer's HMAC (SHA-256
   built from ``sha256()``, no extension needed; the same values as ``privacy.customer_ref``).
   Rows SQL cannot treat exactly like Python (non-ASCII in a field other than the text, a
   date or score of an unusual shape) are normalised by ``importer.normalise`` itself; texts
   that may hold an e-mail address or a phone number are masked by ``privacy.mask`` itself
   (a cheap SQL test picks them: an ``@``, or at least 8 digits). So masking, hashing and
   validation have one definition, in Python, and SQL only takes the cases where it provably
   gives the same answer (``tests/feedback/test_bulk.py`` compares both paths on a tricky
   file).
4. **Duplicates** in the file: a window over the normalised keys; the first valid row wins.
5. **Write** in chunks of :data:`CHUNK` rows, each one transaction with its rejections and the
   batch's counters (guarded by ``processed``, so a resumed or concurrent run counts nothing
   twice): one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` of the changed rows, which also
   computes the search vector and the suggested moment (``placement.suggest_ctes``).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from feedback import importer, placement
from feedback.importer import Places
from feedback.models import SCALE_RANGE, Channel, FeedbackItem, FileFormat, ImportRejection
from feedback.privacy import MIN_PHONE_DIGITS, mask

# Rows per committed chunk (one upsert statement each).
CHUNK = 50_000
# The staging statements handle a whole file; they run longer than a web request may.
STATEMENT_TIMEOUT_MS = 15 * 60 * 1000


@dataclass(frozen=True)
class Tables:
    """One run's UNLOGGED work tables: the raw file (``stage``) and its normalised rows
    (``norm``). Regular tables, not temporary ones, so they outlive a transaction behind a
    transaction-pooling PgBouncer; named per run, so a second run of the same batch (a
    redelivered task) never touches the first one's."""

    batch_id: int
    stage: str
    norm: str
    same: str  # the ``k`` of rows whose stored item they would leave unchanged

    @classmethod
    def new(cls, batch_id: int) -> Tables:
        token = f"{int(batch_id)}_{uuid.uuid4().hex[:8]}"
        return cls(
            batch_id,
            f"feedback_stage_{token}",
            f"feedback_norm_{token}",
            f"feedback_same_{token}",
        )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.stage}, {self.norm}, {self.same}")


def drop_all(batch_id: int) -> None:
    """Every work table of a batch that has ended (those of a run that died with it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(relname), ', ') FROM pg_class "
            "WHERE relkind = 'r' AND relpersistence = 'u' AND relname LIKE ANY (%s)",
            [[f"feedback\\_{kind}\\_{int(batch_id)}\\_%" for kind in ("stage", "norm", "same")]],
        )
        names = cursor.fetchone()[0]
        if names:
            cursor.execute(f"DROP TABLE IF EXISTS {names}")


def _long_statements(cursor) -> None:
    """For the transaction: statements over a whole file, sorts and hashes of a chunk in
    memory (measured: the default 4 MB spilled every chunk's sort to disk)."""
    cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
    cursor.execute("SET LOCAL work_mem = '64MB'")


# --- 1. Staging -------------------------------------------------------------------------------


class Unsafe(Exception):
    """The file's quoting is one PostgreSQL and Python might read differently."""


class QuoteScan:
    """Checks, block by block while the file streams to COPY, that PostgreSQL's CSV reader
    and Python's read it alike. They differ only on quotes that do not open or close a
    field (``5" screen``: Python keeps the quote, PostgreSQL starts a quoted field), on a
    line ``\\.`` (PostgreSQL's end of data) and on line ends PostgreSQL refuses (an error,
    caught). So every quote must open a field (after a delimiter, a line end or at the
    start) or close it (before a delimiter, a line end or at the end), quotes inside a
    field doubled; the text between quoted parts then splits the same way for both."""

    def __init__(self, delimiter: str):
        self.delimiter = delimiter.encode()
        self.opens = self.delimiter + b"\n"
        self.closes = self.delimiter + b"\r\n"
        self.inside = False
        self.after_quote = False  # the current outside run follows a closing quote
        self.first: int | None = None  # first and last byte of the current outside run
        self.last: int | None = None
        self.tail = b"\n"  # the end of the previous block, for a "\." spanning two blocks

    def feed(self, block: bytes) -> None:
        if (b"\\." in self.tail + block[:4] or b"\\." in block) and re.search(
            rb"(?:^|\n)\\\.\r?(?:\n|$)", self.tail + block
        ):
            raise Unsafe("a line \\. ends a PostgreSQL COPY")
        self.tail = block[-3:]
        parts = block.split(b'"')
        for i, part in enumerate(parts):
            if i:  # a quote between parts[i - 1] and part
                if self.inside:
                    self.inside, self.after_quote = False, True
                    self.first = self.last = None
                else:
                    self._end_outside()
                    self.inside = True
            if not self.inside and part:
                if self.first is None:
                    self.first = part[0]
                self.last = part[-1]

    def _end_outside(self) -> None:
        """An outside run ends at an opening quote: it must end the previous field."""
        if self.first is None:
            return  # empty: the file's start, or a doubled quote inside a field
        if self.last not in self.opens:
            raise Unsafe("a quote inside an unquoted field")
        if self.after_quote and self.first not in self.closes:
            raise Unsafe("text after a closing quote")

    def close(self) -> None:
        if self.inside:
            raise Unsafe("an unterminated quoted field")
        if self.after_quote and self.first is not None and self.first not in self.closes:
            raise Unsafe("text after a closing quote")


def _columns(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def stage(batch, header: list[str], tables: Tables) -> int:
    """Load the batch's file into its staging table; returns the last row's ``k``."""
    table = tables.stage
    columns = _columns(len(header))
    with transaction.atomic(), connection.cursor() as cursor:
        _long_statements(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {table} (k bigint GENERATED BY DEFAULT AS IDENTITY, "
            f"row_number integer, {', '.join(f'{c} text' for c in columns)}, extra text[])"
        )
        staged = False
        if batch.file_format == FileFormat.CSV and len(header) > 1:
            try:
                with transaction.atomic():
                    _copy_csv(cursor, batch, table, columns)
                staged = True
            except (Unsafe, connection.Database.DataError):
                # Not a file PostgreSQL reads as Python does: Python reads it.
                cursor.execute(f"TRUNCATE {table}")
        if not staged:
            _copy_rows(cursor, batch, table, columns)
        cursor.execute(f"SELECT coalesce(max(k), 0) FROM {table}")
        return cursor.fetchone()[0]


def _copy_csv(cursor, batch, table: str, columns: list[str]) -> None:
    with batch.file.open("rb") as fileobj:
        sample = fileobj.read(64 * 1024).decode("utf-8-sig", errors="replace")
        dialect = importer.sniff_dialect(sample)
        if (
            dialect.quotechar != '"'
            or dialect.skipinitialspace
            or dialect.escapechar
            or dialect.delimiter not in ",;\t"
        ):
            raise Unsafe("a dialect COPY does not read")
        scan = QuoteScan(dialect.delimiter)
        fileobj.seek(0)
        delimiter = "E'\\t'" if dialect.delimiter == "\t" else f"'{dialect.delimiter}'"
        sql = (
            f"COPY {table} ({', '.join(columns)}) FROM STDIN "
            f"WITH (FORMAT csv, HEADER true, DELIMITER {delimiter})"
        )
        with cursor.copy(sql) as copy:
            while block := fileobj.read(1 << 20):
                scan.feed(block)
                copy.write(block)
            scan.close()


def _copy_rows(cursor, batch, table: str, columns: list[str]) -> None:
    width = len(columns)
    with batch.file.open("rb") as fileobj:
        _, rows = importer.read_rows(fileobj, batch.file_format)
        sql = f"COPY {table} (k, row_number, {', '.join(columns)}, extra) FROM STDIN"
        with cursor.copy(sql) as copy:
            for number, row in enumerate(rows, start=2):
                if not any(row):
                    continue
                # PostgreSQL text cannot hold NUL; normalise drops it anyway.
                cells = [c.replace("\x00", "") for c in row]
                extra = cells[width:] or None
                cells = cells[:width] + [None] * (width - len(cells))
                copy.write_row((number - 1, number, *cells, extra))


# --- 2. Normalising in SQL --------------------------------------------------------------------

_SCORE = r"^[+-]?[0-9]{1,9}([.,][0-9]{0,6})?$"  # int(float()) of these is exact in SQL
_D = "(3[01]|[12][0-9]|0[1-9]|[1-9])"  # strptime's %d and %m (without its " 5" form)
_M = "(1[0-2]|0[1-9]|[1-9])"
_Y = "([0-9]{4})"
# strptime's formats in importer._date's order, as (pattern, positions of year, month, day).
_DATE_FORMATS = [
    (f"^{_Y}-{_M}-{_D}$", 1, 2, 3),
    (f"^{_D}/{_M}/{_Y}$", 3, 2, 1),
    (f"^{_D}\\.{_M}\\.{_Y}$", 3, 2, 1),
    (f"^{_Y}/{_M}/{_D}$", 1, 2, 3),
    (f"^{_D}-{_M}-{_Y}$", 3, 2, 1),
]


def date_parts_sql(value: str) -> str:
    """SQL for the year, month and day (``int[]``) ``importer._date`` reads in a trimmed
    ASCII ``value`` without spaces or a "W" in its first ten characters (other values go to
    Python), or NULL; :func:`date_sql` checks them. The usual ISO date is found without a
    regular expression (a ``translate``: ~10 times cheaper per row)."""
    d10 = f"left({value}, 10)"
    shape = f"translate({d10}, '0123456789', '0000000000')"
    parts = [
        f"WHEN {shape} = '0000-00-00' THEN ARRAY[substr({d10}, 1, 4), "
        f"substr({d10}, 6, 2), substr({d10}, 9, 2)]::int[]",
        f"WHEN {shape} = '00000000' THEN ARRAY[substr({d10}, 1, 4), substr({d10}, 5, 2), "
        f"substr({d10}, 7, 2)]::int[]",
    ]
    for pattern, y, m, d in _DATE_FORMATS:
        match = f"regexp_match({d10}, '{pattern}')"
        parts.append(
            f"WHEN {d10} ~ '{pattern}' THEN ARRAY[({match})[{y}], ({match})[{m}], "
            f"({match})[{d}]]::int[]"
        )
    return f"CASE {' '.join(parts)} END"


def date_sql(p: str) -> str:
    """The date of :func:`date_parts_sql`'s ``p``, NULL when there is no such day."""
    days = (
        f"CASE WHEN {p}[2] IN (4, 6, 9, 11) THEN 30 WHEN {p}[2] <> 2 THEN 31 "
        f"WHEN (mod({p}[1], 4) = 0 AND mod({p}[1], 100) <> 0) OR mod({p}[1], 400) = 0 THEN 29 "
        "ELSE 28 END"
    )
    return (
        f"CASE WHEN {p}[1] BETWEEN 1 AND 9999 AND {p}[2] BETWEEN 1 AND 12 "
        f"AND {p}[3] BETWEEN 1 AND {days} THEN make_date({p}[1], {p}[2], {p}[3]) END"
    )


def _digit_count(value: str) -> str:
    """SQL: how many ASCII digits ``value`` holds. Ten ``replace`` calls: measured ~9 times
    cheaper than one ``translate`` in a UTF-8 database. Plus the non-ASCII characters (at
    most ``octet_length - length``), it bounds the Unicode digits ``privacy.mask`` counts."""
    stripped = value
    for digit in "0123456789":
        stripped = f"replace({stripped}, '{digit}', '')"
    return f"(octet_length({value}) - octet_length({stripped}))"


def _digits(value: str) -> str:
    """SQL: ``value`` (non-empty) is all ASCII digits, short enough for a bigint."""
    return f"(length({value}) <= 17 AND translate({value}, '0123456789', '') = '')"


def _hmac_pads() -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys for the pepper (RFC 2104), so SQL computes
    ``sha256(opad || sha256(ipad || message))`` = ``privacy.customer_ref``."""
    key = settings.FEEDBACK_PEPPER.encode()
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _places_params(places: Places) -> dict:
    return {
        "stages": json.dumps(places.stages),
        "stage_ids": sorted(places.stage_ids),
        "moments": json.dumps(
            {
                f"{stage or ''}|{name}": list(found)
                for (stage, name), found in places.moments.items()
            }
        ),
        "moment_ids": json.dumps({str(k): v for k, v in places.moment_ids.items()}),
    }


def _field(index: dict[str, int], mapping: dict, field: str) -> str:
    column = mapping.get(field)
    if column is None or column not in index:
        return "''"
    return f"btrim(coalesce(s.c{index[column]}, ''), %(ws)s)"


def _raw_digest(index: dict[str, int], mapping: dict) -> str:
    """SQL: a 64-bit hash of the reading's context (``%(context)s``) and the raw cells of
    the mapped columns of staged row ``s`` (a record's hash: each cell hashed apart, so no
    two different rows are alike by their layout). Measured ~1 µs a row, MD5 of the same
    cells ~4 µs."""
    cells = []
    for name in importer.FIELDS:
        column = mapping.get(name)
        cells.append(f"coalesce(s.c{index[column]}, '')" if column in index else "''::text")
    return f"hash_record_extended(ROW(%(context)s::text, {', '.join(cells)}), 0)"


def _context(sql: str, params: dict, tables: Tables) -> str:
    """A hash of everything but the row that decides how a row is normalised: the
    normalising statement (mapping, column positions, rules) with its parameters (default
    source, journey places, the pepper's pads) and the Python code that treats the rows SQL
    leaves to it. Any change there makes every row go through normalising again."""
    from feedback import privacy

    text = sql
    for name, table in (("stage", tables.stage), ("norm", tables.norm), ("same", tables.same)):
        text = text.replace(table, name)
    plain = {k: v.hex() if isinstance(v, bytes) else v for k, v in params.items()}
    h = hashlib.sha256(text.encode())
    h.update(json.dumps(plain, sort_keys=True, default=str).encode())
    for module in (importer, privacy):
        with open(module.__file__, "rb") as source:
            h.update(source.read())
    return h.hexdigest()


def _skip_unchanged(cursor, tables: Tables, index: dict, mapping: dict, params: dict) -> int:
    """Rows the import would leave as they are, found before normalising, so they skip it
    and the writing: the item with the row's key (trimmed as ``normalise`` trims it) was
    last written by the import from a row with the same raw cells in the same context (``import_digest``, which also binds the item's ``digest`` of
    then: a writer that changed the item since changed its ``digest``), and no other row of
    the file has that key (the first valid one of several wins: those rows go the long way).
    Such a row normalises to the values of ``digest``: the long way ends in "unchanged"."""
    table = FeedbackItem._meta.db_table
    source = f"coalesce(nullif({_field(index, mapping, 'source')}, ''), %(default_source)s)"
    external_id = _field(index, mapping, "external_id")
    cursor.execute(f"DROP TABLE IF EXISTS {tables.same}")
    # Rows of a key that appears more than once are found by a 64-bit hash of the key (a
    # sort of integers: measured ~5 times cheaper than grouping the trimmed texts); two
    # keys of equal hash only send their rows the long way. The join is hashed for a
    # re-import (one scan of the items) or loops over the unique index for a small file.
    cursor.execute(
        f"CREATE UNLOGGED TABLE {tables.same} AS "
        "SELECT x.k FROM ("
        "  SELECT y.*, count(*) OVER ("
        "    PARTITION BY hashtextextended(y.external_id, hashtext(y.source))) AS n"
        f"  FROM (SELECT s.k, {_raw_digest(index, mapping)}, {source}, {external_id}"
        f"        FROM {tables.stage} s OFFSET 0) y (k, rd, source, external_id)) x "
        f"JOIN {table} f ON f.source = x.source AND f.external_id = x.external_id "
        "WHERE x.n = 1 AND f.import_digest = hashtextextended(f.digest, x.rd)",
        params,
    )
    same = cursor.rowcount
    if same:
        cursor.execute(f"CREATE UNIQUE INDEX ON {tables.same} (k)")
    return same


def normalise(batch, header: list[str], places: Places, tables: Tables) -> None:
    """Build the batch's normalised table from its staging table (see the module's doc),
    leaving out the rows :func:`_skip_unchanged` finds unchanged."""
    index = {h: i for i, h in enumerate(header)}  # the last of equal names, as importer.mapped
    f = {name: _field(index, batch.mapping, name) for name in importer.FIELDS}
    columns = _columns(len(header))
    stage, norm = tables.stage, tables.norm
    ipad, opad = _hmac_pads()
    ranges = " ".join(
        f"WHEN '{scale}' THEN CASE WHEN t.score_num BETWEEN {low} AND {high} THEN NULL "
        f"ELSE 'score ' || t.score_num || ' is outside {scale} ({low}-{high})' END"
        for scale, (low, high) in SCALE_RANGE.items()
    )
    negative = " OR ".join(
        f"(t.scale = '{scale}' AND t.score_num <= {high})"
        for scale, high in {"nps": 6, "csat": 2}.items()
    )
    non_text = "concat(r.src, r.ext, r.chan, r.dat, r.seg, r.cid, r.sc, r.scl, r.stg, r.mom)"
    sql = f"""
    CREATE UNLOGGED TABLE {norm} AS
    WITH raw AS (
      SELECT x.k, x.rn AS row_number, x.src, x.ext, x.chan, x.txt, x.dat, x.seg, x.cid, x.sc,
             x.scl, x.stg, x.mom, x.rd
      FROM (
        -- OFFSET 0: each cell is trimmed once, not once per use above.
        SELECT s.*, coalesce(s.row_number, s.k + 1) AS rn,
               {f["source"]} AS src, {f["external_id"]} AS ext, {f["channel"]} AS chan,
               {f["text"]} AS txt, {f["received_on"]} AS dat, {f["segment"]} AS seg,
               {f["customer_id"]} AS cid, {f["score"]} AS sc, {f["score_scale"]} AS scl,
               {f["stage"]} AS stg, {f["moment"]} AS mom,
               {_raw_digest(index, batch.mapping)} AS rd
        FROM {stage} s WHERE NOT EXISTS (SELECT FROM {tables.same} u WHERE u.k = s.k)
        OFFSET 0) x
      -- A blank row (every cell empty) is no row, as in Python; the cells are looked at
      -- only when every mapped one is empty.
      WHERE concat(x.src, x.ext, x.chan, x.txt, x.dat, x.seg, x.cid, x.sc, x.scl, x.stg,
                    x.mom) <> ''
         OR btrim(concat({", ".join(f"x.{c}" for c in columns)},
                         array_to_string(x.extra, '')), %(ws)s) <> ''
      OFFSET 0),
    typed AS (
      SELECT r.*,
        coalesce(nullif(r.src, ''), %(default_source)s) AS source,
        replace(replace(lower(r.chan), ' ', '_'), '-', '_') AS channel,
        CASE WHEN r.sc ~ '{_SCORE}'
             THEN trunc(replace(r.sc, ',', '.')::numeric)::bigint END AS score_num,
        lower(r.scl) AS scl_lower,
        {date_parts_sql("r.dat")} AS ymd,
        CASE WHEN r.stg = '' THEN NULL
             WHEN {_digits("r.stg")} AND r.stg::bigint = ANY(%(stage_ids)s::bigint[])
             THEN r.stg::bigint
             ELSE (%(stages)s::jsonb ->> lower(r.stg))::bigint END AS stage_found,
        octet_length({non_text}) <> length({non_text})
          OR left(r.dat, 10) <> translate(left(r.dat, 10), 'Ww ', '')
          OR (r.sc <> '' AND r.sc !~ '{_SCORE}' AND r.sc ~* '[0-9]|inf|nan') AS hard
      FROM raw r OFFSET 0),
    found AS (
      SELECT t.*,
        CASE WHEN t.sc = '' THEN '' WHEN t.scl_lower <> '' THEN t.scl_lower
             WHEN t.score_num BETWEEN 1 AND 5 THEN 'csat' ELSE 'nps' END AS scale,
        {date_sql("t.ymd")} AS received_on,
        CASE WHEN t.mom = '' THEN NULL
             WHEN {_digits("t.mom")} AND %(moment_ids)s::jsonb ? (t.mom::bigint)::text
             THEN jsonb_build_array(t.mom::bigint,
                                    (%(moment_ids)s::jsonb ->> (t.mom::bigint)::text)::bigint)
             ELSE %(moments)s::jsonb -> (coalesce(t.stage_found::text, '') || '|' || lower(t.mom))
        END AS moment_found
      FROM typed t OFFSET 0)
    SELECT t.k, t.row_number, t.hard, t.rd,
      nullif(array_to_string(ARRAY[
        CASE WHEN t.source = '' THEN 'source is missing'
             WHEN length(t.source) > 60 THEN 'source is longer than 60 characters' END,
        CASE WHEN t.ext = '' THEN 'external_id is missing'
             WHEN length(t.ext) > 120 THEN 'external_id is longer than 120 characters' END,
        CASE WHEN t.channel = ANY(%(channels)s) THEN NULL
             WHEN t.channel = '' THEN 'channel is missing'
             ELSE 'channel “' || t.chan || '” is not one of ' || %(channel_list)s END,
        CASE WHEN t.txt = '' THEN 'text is missing'
             WHEN length(t.txt) > {importer.MAX_TEXT}
             THEN 'text is longer than {importer.MAX_TEXT} characters' END,
        CASE WHEN t.dat = '' THEN 'received_on is missing'
             WHEN t.received_on IS NULL
             THEN 'received_on “' || t.dat || '” is not a date (YYYY-MM-DD)' END,
        CASE WHEN t.sc = '' THEN NULL
             WHEN t.score_num IS NULL THEN 'score “' || t.sc || '” is not a number'
             ELSE CASE t.scale {ranges}
                  ELSE 'score_scale “' || t.scale || '” is not nps or csat' END END,
        CASE WHEN t.stg <> '' AND t.stage_found IS NULL
             THEN 'stage “' || t.stg || '” is not on the journey' END,
        CASE WHEN t.mom <> '' AND t.moment_found IS NULL
             THEN 'moment “' || t.mom || '” is not on the journey (or not in its stage)' END
      ], '; '), '') AS reasons,
      t.source, t.ext AS external_id, t.channel, t.txt AS text,
      t.received_on, left(t.seg, 60) AS segment,
      CASE WHEN t.cid = '' THEN '' ELSE encode(sha256(%(opad)s::bytea
        || sha256(%(ipad)s::bytea || convert_to(lower(t.cid), 'UTF8'))), 'hex') END
        AS customer_ref,
      CASE WHEN t.sc <> '' THEN t.score_num END AS score, t.scale AS score_scale,
      coalesce((t.moment_found ->> 1)::bigint, t.stage_found) AS stage_id,
      (t.moment_found ->> 0)::bigint AS moment_id,
      t.channel = 'complaint' OR (t.sc <> '' AND t.score_num IS NOT NULL AND ({negative}))
        AS is_negative,
      strpos(t.txt, '@') > 0
        OR {_digit_count("t.txt")} + octet_length(t.txt) - length(t.txt) >= {MIN_PHONE_DIGITS}
        AS to_mask
    FROM found t
    """
    params = {
        "ws": importer.WHITESPACE,
        "default_source": batch.default_source,
        "channels": list(importer.CHANNELS),
        "channel_list": ", ".join(Channel.values),
        "ipad": ipad,
        "opad": opad,
        **_places_params(places),
    }
    params["context"] = _context(sql, params, tables)
    with transaction.atomic(), connection.cursor() as cursor:
        _long_statements(cursor)
        _skip_unchanged(cursor, tables, index, batch.mapping, params)
        cursor.execute(f"DROP TABLE IF EXISTS {norm}")
        cursor.execute(sql, params)
        cursor.execute(f"CREATE UNIQUE INDEX ON {norm} (k)")
        _python_rows(cursor, batch, header, places, stage, norm)
        _mask_texts(cursor, norm)
        cursor.execute(
            f"UPDATE {norm} n SET reasons = %s FROM ("
            "  SELECT k, row_number() OVER (PARTITION BY source, external_id ORDER BY k) AS nth"
            f"  FROM {norm} WHERE reasons IS NULL) d "
            "WHERE d.k = n.k AND d.nth > 1",
            [importer.DUPLICATE_REASON],
        )
        # Statistics for the chunks' plans: without them the planner, guessing a few rows
        # per chunk, joined the chunk to itself by nested loops (minutes for 50,000 rows).
        cursor.execute(f"ANALYZE {norm}")


_VALUE_COLUMNS = [
    "source",
    "external_id",
    "channel",
    "text",
    "received_on",
    "segment",
    "customer_ref",
    "score",
    "score_scale",
    "stage_id",
    "moment_id",
    "is_negative",
]


def _python_rows(cursor, batch, header, places, stage: str, norm: str) -> None:
    """The rows SQL leaves to ``importer.normalise`` (``hard``): values or reasons."""
    width = len(header)
    cursor.execute(
        f"SELECT s.* FROM {stage} s JOIN {norm} n ON n.k = s.k WHERE n.hard ORDER BY s.k"
    )
    fixed = []
    for row in cursor.fetchall():
        cells = [c if c is not None else "" for c in row[2 : 2 + width]] + list(row[-1] or [])
        values, reasons = importer.normalise(
            importer.mapped(header, cells, batch.mapping),
            places,
            default_source=batch.default_source,
        )
        if values is None:
            fixed.append((row[0], "; ".join(reasons), *[None] * len(_VALUE_COLUMNS)))
        else:
            fixed.append((row[0], None, *[values[c] for c in _VALUE_COLUMNS]))
    if not fixed:
        return
    cursor.execute(
        f"CREATE TEMPORARY TABLE feedback_fixed ON COMMIT DROP AS "
        f"SELECT k, reasons, {', '.join(_VALUE_COLUMNS)} FROM {norm} LIMIT 0"
    )
    with cursor.copy(
        f"COPY feedback_fixed (k, reasons, {', '.join(_VALUE_COLUMNS)}) FROM STDIN"
    ) as copy:
        for row in fixed:
            copy.write_row(row)
    sets = ", ".join(f"{c} = x.{c}" for c in ["reasons", *_VALUE_COLUMNS])
    cursor.execute(
        f"UPDATE {norm} n SET {sets}, to_mask = false FROM feedback_fixed x WHERE x.k = n.k"
    )
    cursor.execute("DROP TABLE feedback_fixed")


def _mask_texts(cursor, norm: str) -> None:
    """Texts that may hold an e-mail address or a phone number, through ``privacy.mask``."""
    cursor.execute(f"SELECT k, text FROM {norm} WHERE to_mask AND reasons IS NULL")
    changed = [(k, masked) for k, text in cursor.fetchall() if (masked := mask(text)) != text]
    if not changed:
        return
    cursor.execute("CREATE TEMPORARY TABLE feedback_masked (k bigint, text text) ON COMMIT DROP")
    with cursor.copy("COPY feedback_masked (k, text) FROM STDIN") as copy:
        for row in changed:
            copy.write_row(row)
    cursor.execute(f"UPDATE {norm} n SET text = m.text FROM feedback_masked m WHERE m.k = n.k")
    cursor.execute("DROP TABLE feedback_masked")


# --- 3. Writing, chunk by chunk ---------------------------------------------------------------


def chunks(start: int, last: int) -> Iterator[tuple[int, int]]:
    """``(after, upto)`` ranges of ``k`` from ``start`` to ``last``."""
    for after in range(start, last, CHUNK):
        yield after, min(after + CHUNK, last)


def _digest_sql(r: str) -> str:
    parts = [
        f"{r}.channel",
        f"{r}.text",
        f"to_char({r}.received_on, 'YYYY-MM-DD')",
        f"{r}.segment",
        f"{r}.customer_ref",
        f"{r}.score::text",
        f"{r}.score_scale",
        f"{r}.stage_id::text",
        f"{r}.moment_id::text",
    ]
    assert len(parts) == len(importer.DIGEST_FIELDS)
    return "md5(concat_ws(chr(31), " + ", ".join(f"coalesce({p}, '')" for p in parts) + "))"


def write_chunk(tables: Tables, after: int, upto: int, journey_id: int, header_width: int):
    """Rejections and upsert of the rows ``after < k <= upto``: ``(imported, updated,
    unchanged, rejected)``. Runs inside the chunk's transaction."""
    norm, stage, batch_id = tables.norm, tables.stage, tables.batch_id
    table = FeedbackItem._meta.db_table
    cells = ", ".join(f"btrim(coalesce(s.c{i}, ''), %(ws)s)" for i in range(header_width))
    params = {"batch": batch_id, "after": after, "upto": upto, "ws": importer.WHITESPACE}
    with connection.cursor() as cursor:
        _long_statements(cursor)
        # The plan is the same for every chunk: compiling it each time (JIT, on by default
        # above a cost this statement always reaches) would only add to it.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            f"INSERT INTO {ImportRejection._meta.db_table} (batch_id, row_number, reasons, data) "
            f"SELECT %(batch)s, n.row_number, n.reasons, jsonb_build_array({cells}) "
            "  || coalesce(to_jsonb(s.extra), '[]'::jsonb) "
            f"FROM {norm} n JOIN {stage} s ON s.k = n.k "
            "WHERE n.k > %(after)s AND n.k <= %(upto)s AND n.reasons IS NOT NULL ORDER BY n.k",
            params,
        )
        rejected = cursor.rowcount
        columns = [*_VALUE_COLUMNS, "suggested_moment_id", "batch_id", "digest", "import_digest",
                   "created_at", "updated_at", "search_vector"]  # fmt: skip
        keep = {"source", "external_id", "created_at", "stage_id", "moment_id"}
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in keep)
        cursor.execute(
            "WITH fb_valid AS MATERIALIZED ("
            f"  SELECT r.*, r.k AS n, {_digest_sql('r')} AS digest, f.id AS old_id,"
            "    f.digest AS old_digest, f.import_digest AS old_import"
            f"  FROM {norm} r"
            # One probe of the unique index per row (LIMIT keeps it a nested loop): as an
            # anti-join the planner hashed the whole table for every chunk, measured to make
            # a million-row import quadratic.
            f"  LEFT JOIN LATERAL (SELECT f.id, f.digest, f.import_digest FROM {table} f"
            "    WHERE f.source = r.source AND f.external_id = r.external_id LIMIT 1) f ON true"
            "  WHERE r.k > %(after)s AND r.k <= %(upto)s AND r.reasons IS NULL), "
            "fb_rows AS MATERIALIZED ("
            "  SELECT v.*, to_tsvector('english', v.text) AS vec FROM fb_valid v"
            "  WHERE v.old_digest IS DISTINCT FROM v.digest), "
            # An unchanged row whose item does not carry this row's import digest (written
            # before there was one, or from cells that differ only where normalising does not
            # look): stamped, so the next import of the same row skips normalising.
            f"fb_stamped AS (UPDATE {table} f SET import_digest = hashtextextended(v.digest, v.rd)"
            "  FROM fb_valid v WHERE f.id = v.old_id AND v.old_digest = v.digest"
            "  AND v.old_import IS DISTINCT FROM hashtextextended(v.digest, v.rd)), "
            f"{placement.suggest_ctes('fb_rows')}, "
            f"fb_written AS (INSERT INTO {table} AS f ({', '.join(columns)}) "
            f"  SELECT {', '.join(f'r.{c}' for c in _VALUE_COLUMNS)}, b.moment_id, %(batch)s, "
            "    r.digest, hashtextextended(r.digest, r.rd), now(), now(), r.vec "
            "  FROM fb_rows r LEFT JOIN fb_best b ON b.n = r.n "
            # Key order: the unique index is written in order, and two imports of the same
            # keys lock them in the same order.
            "  ORDER BY r.source, r.external_id "
            f"  ON CONFLICT (source, external_id) DO UPDATE SET {updates}, "
            "    stage_id = COALESCE(EXCLUDED.stage_id, f.stage_id), "
            "    moment_id = CASE WHEN EXCLUDED.stage_id IS NULL THEN f.moment_id "
            "    ELSE EXCLUDED.moment_id END "
            "  RETURNING (xmax = 0) AS new) "
            "SELECT (SELECT count(*) FROM fb_valid)"
            f"  + (SELECT count(*) FROM {tables.same} WHERE k > %(after)s AND k <= %(upto)s), "
            "  count(*) FILTER (WHERE new), "
            "  count(*) FILTER (WHERE NOT new) FROM fb_written",
            {**params, "journey": journey_id},
        )
        valid, imported, updated = cursor.fetchone()
    return imported, updated, valid - imported - updated, rejected


def count_rows(tables: Tables) -> int:
    """The file's data rows (blank rows left out), as the Python path counts them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {tables.norm}) + (SELECT count(*) FROM {tables.same})"
        )
        return cursor.fetchone()[0]


# --- Secondary indexes around a large import --------------------------------------------------

# A file at least this large, and larger than the table, is written without the secondary
# indexes, which are rebuilt once at the end: measured, maintaining eight B-trees and the GIN
# index row by row costs more than building them from scratch.
REBUILD_MIN_ROWS = 100_000
_GIN = (
    "CREATE INDEX IF NOT EXISTS feedback_search_vector_gin ON feedback_feedbackitem "
    "USING GIN (search_vector)"
)


def secondary_indexes() -> dict[str, str]:
    """``{name: CREATE INDEX}`` of the items' indexes but the primary key and the
    (source, external_id) key the upsert needs: from the model (and the search migration's
    GIN index), so they are rebuilt as defined even after a run that died without them."""
    editor = connection.schema_editor()
    indexes = {
        str(statement.parts["name"]).strip('"'): str(statement)
        for statement in editor._model_indexes_sql(FeedbackItem)
    }
    indexes["feedback_search_vector_gin"] = _GIN
    return indexes


def rebuilds_indexes(rows: int) -> bool:
    if rows < REBUILD_MIN_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass",
            [FeedbackItem._meta.db_table],
        )
        return rows > cursor.fetchone()[0]


def drop_indexes() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        _long_statements(cursor)
        for name in secondary_indexes():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def restore_indexes() -> int:
    """Create the secondary indexes that are missing; returns how many were."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s",
            [FeedbackItem._meta.db_table],
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [sql for name, sql in secondary_indexes().items() if name not in present]
        if not missing:
            return 0
        with transaction.atomic():
            _long_statements(cursor)
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in missing:
                cursor.execute(sql)
        return len(missing)

"""Reading feedback files and turning one row into the values of a ``FeedbackItem``.

CSV is read with the standard library, XLSX with openpyxl in read-only mode: both stream, so
a file of a million rows never sits in memory. ``normalise`` is the one place a row is
validated, masked and pseudonymised; the file import and the JSON API both call it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from feedback.models import SCALE_RANGE, Channel, FileFormat, ScoreScale, is_negative
from feedback.privacy import customer_ref, mask

# The fields a file column can be mapped to. ``customer_id`` is hashed into customer_ref.
FIELDS = [
    "source",
    "external_id",
    "channel",
    "text",
    "received_on",
    "segment",
    "customer_id",
    "score",
    "score_scale",
    "stage",
    "moment",
]
REQUIRED = {"external_id", "channel", "text", "received_on"}
# Other names a column may carry for a field (compared case-insensitively, spaces = _).
ALIASES = {
    "external_id": {"id", "feedback_id", "external_id", "ref"},
    "text": {"text", "comment", "verbatim", "body", "feedback"},
    "received_on": {"received_on", "date", "received", "created"},
    "customer_id": {"customer_id", "customer", "customer_number", "client_id"},
    "score_scale": {"score_scale", "scale"},
}
MAX_TEXT = 10_000
# What ``str.strip()`` removes: every cell is stripped of exactly these characters, by Python
# and by PostgreSQL's ``btrim`` in the bulk import.
WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
CHANNELS = frozenset(Channel.values)  # Channel.values builds a new list on every call
PREVIEW_ROWS = 10
DUPLICATE_REASON = "duplicate: the same source and external_id appear earlier in the file"


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a CSV/XLSX, no header, bad encoding)."""


def detect_format(name: str) -> str | None:
    lower = (name or "").lower()
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return FileFormat.CSV
    if lower.endswith(".xlsx"):
        return FileFormat.XLSX
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(fileobj: IO[bytes], file_format: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header and an iterator over the data rows (cells as stripped strings)."""
    fileobj.seek(0)
    if file_format == FileFormat.XLSX:
        return _read_xlsx(fileobj)
    return _read_csv(fileobj)


class _KeepOpen(io.RawIOBase):
    """A raw stream over ``fileobj`` whose close() leaves ``fileobj`` open: the text wrapper
    the CSV reader needs would otherwise close the caller's file when it is collected."""

    def __init__(self, fileobj: IO[bytes]):
        self._f = fileobj

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._f.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()


def _read_csv(fileobj: IO[bytes]):
    raw = io.BufferedReader(_KeepOpen(fileobj), buffer_size=256 * 1024)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    sample = text.read(64 * 1024)
    text.seek(0)
    reader = csv.reader(text, sniff_dialect(sample))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except UnicodeDecodeError:
        raise ImportFileError("The file is not UTF-8 text. Save it as CSV UTF-8.") from None

    def rows():
        try:
            for row in reader:
                yield [c.strip() for c in row]
        except UnicodeDecodeError:
            raise ImportFileError("The file is not UTF-8 text. Save it as CSV UTF-8.") from None

    return header, rows()


def sniff_dialect(sample: str):
    """The CSV dialect of a file from its first characters: the delimiter (comma, semicolon
    or tab) as sniffed, and quotes doubled inside quoted fields (``"a ""b"" c"`` reads a "b" c), as every
    spreadsheet writes them. The sniffer guesses "no doubling" whenever its sample holds no
    doubled quote, which would mangle such a field further down the file."""
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel
    sniffed.doublequote = True
    return sniffed


def _read_xlsx(fileobj: IO[bytes]):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not XLSX
        raise ImportFileError("The file is not a readable XLSX workbook.") from exc
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(h) for h in next(values)]
    except StopIteration:
        raise ImportFileError("The workbook's first sheet is empty.") from None

    def rows():
        try:
            for row in values:
                yield [_cell(c) for c in row]
        finally:
            workbook.close()

    return header, rows()


def estimate_rows(fileobj: IO[bytes], file_format: str) -> int:
    """About how many data rows the file has, for the progress bar, without parsing it: the
    line count of a CSV (a quoted field spanning lines makes it an overestimate), the sheet's
    recorded dimension of an XLSX. The batch's ``total`` becomes exact when the import ends."""
    fileobj.seek(0)
    if file_format == FileFormat.XLSX:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(fileobj, read_only=True, data_only=True)
            rows = workbook.worksheets[0].max_row or 1
            workbook.close()
        except Exception:  # unreadable: the import itself reports it
            return 0
        return max(0, rows - 1)
    lines, last = 0, b"\n"
    while block := fileobj.read(1 << 20):
        lines += block.count(b"\n")
        last = block[-1:]
    return max(0, lines - (last == b"\n"))


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def guess_mapping(header: list[str]) -> dict[str, str]:
    """``{field: column}`` for the columns named like a field (or a usual alias)."""
    by_key = {_key(h): h for h in header if h}
    mapping = {}
    for field in FIELDS:
        for name in [field, *sorted(ALIASES.get(field, ()))]:
            if name in by_key:
                mapping[field] = by_key[name]
                break
    return mapping


def check_mapping(mapping: dict, header: list[str], *, default_source: str = "") -> list[str]:
    """Problems with a ``{field: column}`` mapping, as messages (none = usable)."""
    problems = []
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        problems.append(f"Unknown fields: {', '.join(sorted(unknown))}.")
    for field, column in mapping.items():
        if column and column not in header:
            problems.append(f"Column “{column}” (for {field}) is not in the file.")
    missing = sorted(f for f in REQUIRED if not mapping.get(f))
    if missing:
        problems.append(f"Map a column to: {', '.join(missing)}.")
    if not mapping.get("source") and not default_source:
        problems.append("Map a source column or name the source of the whole file.")
    return problems


@dataclass
class Places:
    """The journey's stages and moments by name and id, for rows that name their place."""

    stages: dict[str, int]
    moments: dict[tuple[int | None, str], tuple[int, int]]
    moment_ids: dict[int, int]  # moment id -> stage id
    stage_ids: set[int]

    @classmethod
    def load(cls, journey) -> Places:
        from journeys.models import Moment, Stage

        stages = dict(Stage.objects.filter(journey=journey).values_list("name", "id"))
        moments: dict = {}
        moment_ids = {}
        for pk, name, stage_id in Moment.objects.filter(stage__journey=journey).values_list(
            "id", "name", "stage_id"
        ):
            moments[(stage_id, name.lower())] = (pk, stage_id)
            moments.setdefault((None, name.lower()), (pk, stage_id))
            moment_ids[pk] = stage_id
        return cls(
            stages={k.lower(): v for k, v in stages.items()},
            moments=moments,
            moment_ids=moment_ids,
            stage_ids=set(stages.values()),
        )

    def stage(self, value: str) -> int | None:
        if value.isdigit() and int(value) in self.stage_ids:
            return int(value)
        return self.stages.get(value.lower())

    def moment(self, value: str, stage_id: int | None) -> tuple[int, int] | None:
        if value.isdigit() and int(value) in self.moment_ids:
            return int(value), self.moment_ids[int(value)]
        return self.moments.get((stage_id, value.lower())) or (
            None if stage_id else self.moments.get((None, value.lower()))
        )


def _date(value: str) -> date | None:
    value = value.strip()
    try:
        return date.fromisoformat(value[:10])  # the usual case, and much faster than strptime
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(value[:10], fmt).date()
        except ValueError:
            continue
    return None


def digest(values: dict) -> str:
    """A short hash of the stored values, to tell a changed re-import from an unchanged one.

    MD5 (not a security hash here) because PostgreSQL computes the same one in SQL
    (``md5(concat_ws(chr(31), …))``, ``feedback.bulk``): both import paths must agree."""
    parts = [str(values.get(f) if values.get(f) is not None else "") for f in DIGEST_FIELDS]
    return hashlib.md5("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


DIGEST_FIELDS = [
    "channel",
    "text",
    "received_on",
    "segment",
    "customer_ref",
    "score",
    "score_scale",
    "stage_id",
    "moment_id",
]


def normalise(raw: dict[str, str], places: Places, *, default_source: str = "") -> tuple:
    """``(values, reasons)``: the item's field values ready to store, or the reasons the row
    is refused (every reason, not only the first, so one download fixes the file)."""
    reasons: list[str] = []
    # NUL bytes cannot be stored in PostgreSQL text: they are dropped with the whitespace.
    get = lambda f: (raw.get(f) or "").replace("\x00", "").strip()  # noqa: E731
    source = get("source") or default_source
    if not source:
        reasons.append("source is missing")
    elif len(source) > 60:
        reasons.append("source is longer than 60 characters")
    external_id = get("external_id")
    if not external_id:
        reasons.append("external_id is missing")
    elif len(external_id) > 120:
        reasons.append("external_id is longer than 120 characters")
    channel = get("channel").lower().replace(" ", "_").replace("-", "_")
    if channel not in CHANNELS:
        reasons.append(
            f"channel “{get('channel')}” is not one of {', '.join(Channel.values)}"
            if channel
            else "channel is missing"
        )
    text = get("text")
    if not text:
        reasons.append("text is missing")
    elif len(text) > MAX_TEXT:
        reasons.append(f"text is longer than {MAX_TEXT} characters")
    received_on = _date(get("received_on"))
    if received_on is None:
        reasons.append(
            f"received_on “{get('received_on')}” is not a date (YYYY-MM-DD)"
            if get("received_on")
            else "received_on is missing"
        )
    segment = get("segment")[:60]
    score = None
    scale = get("score_scale").lower()
    if get("score"):
        try:
            score = int(float(get("score").replace(",", ".")))
        except (ValueError, OverflowError):  # OverflowError: "inf"
            reasons.append(f"score “{get('score')}” is not a number")
        else:
            if not scale:
                # No scale column: 0 and 6-10 can only be NPS; 1-5 is taken as CSAT.
                scale = ScoreScale.CSAT if 1 <= score <= 5 else ScoreScale.NPS
            if scale not in SCALE_RANGE:
                reasons.append(f"score_scale “{scale}” is not nps or csat")
            else:
                low, high = SCALE_RANGE[scale]
                if not low <= score <= high:
                    reasons.append(f"score {score} is outside {scale} ({low}-{high})")
    else:
        scale = ""
    stage_id = moment_id = None
    if get("stage"):
        stage_id = places.stage(get("stage"))
        if stage_id is None:
            reasons.append(f"stage “{get('stage')}” is not on the journey")
    if get("moment"):
        found = places.moment(get("moment"), stage_id)
        if found is None:
            reasons.append(f"moment “{get('moment')}” is not on the journey (or not in its stage)")
        else:
            moment_id, stage_id = found
    if reasons:
        return None, reasons
    values = {
        "source": source,
        "external_id": external_id,
        "channel": channel,
        "text": mask(text),
        "received_on": received_on,
        "segment": segment,
        "customer_ref": customer_ref(get("customer_id")),
        "score": score,
        "score_scale": scale,
        "stage_id": stage_id,
        "moment_id": moment_id,
    }
    values["is_negative"] = is_negative(channel, score, scale)
    values["digest"] = digest(values)
    return values, []


def mapped(header: list[str], row: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """A file row as ``{field: cell}`` through the mapping."""
    index = {h: i for i, h in enumerate(header)}
    out = {}
    for field, column in mapping.items():
        i = index.get(column)
        if i is not None and i < len(row):
            out[field] = row[i]
    return out


def as_record(header: list[str], row: list[str]) -> list[str]:
    """The row as read (one cell per header column), for the rejected-rows download. A list,
    not a dict: PostgreSQL's jsonb does not keep the order of an object's keys."""
    return [row[i] if i < len(row) else "" for i in range(max(len(header), len(row)))]

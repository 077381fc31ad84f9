"""Checking uploaded attachments: size, extension, and the bytes themselves.

The browser's Content-Type and the file name are claims; the content decides. Binary
formats are identified by their magic numbers (the ``filetype`` package); Office files are
ZIP containers that must hold the part that makes them a document, workbook or deck;
text and CSV must be UTF-8 text with no NUL bytes and no known binary signature.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
import zipfile

import filetype
from django.core.exceptions import ValidationError

MAX_BYTES = 10 * 1024 * 1024

# extension -> (content type we store and serve, magic-number MIME types accepted)
ALLOWED: dict[str, tuple[str, set[str]]] = {
    ".pdf": ("application/pdf", {"application/pdf"}),
    ".png": ("image/png", {"image/png"}),
    ".jpg": ("image/jpeg", {"image/jpeg"}),
    ".jpeg": ("image/jpeg", {"image/jpeg"}),
    ".gif": ("image/gif", {"image/gif"}),
    ".webp": ("image/webp", {"image/webp"}),
    ".txt": ("text/plain", set()),
    ".csv": ("text/csv", set()),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        set(),
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", set()),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        set(),
    ),
}
OFFICE_PART = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".pptx": "ppt/presentation.xml",
}
TEXT_SAMPLE = 64 * 1024
ACCEPT_ATTR = ",".join(ALLOWED)  # for <input type=file accept=...>


def sanitize_name(name: str) -> str:
    """A safe display name: the last path component only, no control or odd characters,
    no leading dots, at most 120 characters (keeping the extension)."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w .()+-]", "_", name).strip().lstrip(".").strip()
    name = re.sub(r"\s+", " ", name)
    stem, ext = os.path.splitext(name)
    if len(name) > 120:
        name = stem[: 120 - len(ext)] + ext
    return name or "attachment"


def _read_head(upload, size: int) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _is_text(sample: bytes, complete: bool) -> bool:
    if b"\x00" in sample or filetype.guess(sample) is not None:
        return False
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _is_csv(sample: bytes) -> bool:
    text = sample.decode("utf-8-sig", errors="ignore")
    lines = text.splitlines()[:50]
    if not lines:
        return False
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines))))
    except csv.Error:
        return False
    return bool(rows)


def _office_ok(upload, ext: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and OFFICE_PART[ext] in names


def validate_upload(upload) -> tuple[str, str]:
    """Check one uploaded file; return ``(sanitised original name, content type)`` or raise
    ValidationError with a message naming the file."""
    name = sanitize_name(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    label = name if len(name) < 60 else name[:57] + "…"
    if ext not in ALLOWED:
        raise ValidationError(
            f"{label}: this type of file is not accepted (allowed: "
            "PDF, PNG, JPEG, GIF, WebP, TXT, CSV, DOCX, XLSX, PPTX)."
        )
    size = upload.size or 0
    if size > MAX_BYTES:
        raise ValidationError(f"{label}: files can be at most 10 MB.")
    if size == 0:
        raise ValidationError(f"{label}: the file is empty.")
    content_type, magic = ALLOWED[ext]
    if ext in {".txt", ".csv"}:
        sample = _read_head(upload, TEXT_SAMPLE)
        ok = _is_text(sample, complete=size <= TEXT_SAMPLE) and (ext == ".txt" or _is_csv(sample))
    elif ext in OFFICE_PART:
        kind = filetype.guess(_read_head(upload, 8192))
        ok = kind is not None and kind.extension in {"zip", ext[1:]} and _office_ok(upload, ext)
    else:
        kind = filetype.guess(_read_head(upload, 8192))
        ok = kind is not None and kind.mime in magic
    if not ok:
        raise ValidationError(f"{label}: the content does not match a {ext[1:].upper()} file.")
    return name, content_type

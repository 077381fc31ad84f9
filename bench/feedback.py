#!/usr/bin/env python
"""Feedback import benchmark: import a generated CSV of N rows, beside a bare COPY of the
same file in the same run; then a re-import of the same file (every row unchanged), and the
median of the full-text search and the journey overlay at that many items.

    .venv/bin/python bench/feedback.py --database-url postgres://postgres@127.0.0.1:5432/juncture_fb_bench --rows 100000

The database is created if missing and migrated; the feedback tables are emptied first (the
rest of the data set is left alone). Reports; never fails on a slow number.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/juncture_fb_bench"
HEADER = ["source", "external_id", "channel", "text", "received_on", "customer_id", "score"]


def configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = "bench-only-secret-key-not-for-production-0123456789abcdefghij"
    os.environ["FEEDBACK_PEPPER"] = "bench-only-pepper"
    os.environ["FEEDBACK_RETENTION_MONTHS"] = "0"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "ERROR"
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def generate(path: Path, rows: int, seed: int = 42) -> None:
    """Realistic rows: demo verbatims with a varying tail, some with an e-mail or phone."""
    from feedback.demo import VERBATIMS

    rng = random.Random(seed)
    texts = [t for _, neg, pos in VERBATIMS.values() for t in (*neg, *pos)]
    channels = ["complaint", "survey", "call", "app_review", "social", "branch", "email", "chat"]
    today = date.today()
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for n in range(rows):
            channel = rng.choice(channels)
            text = rng.choice(texts) + f" (case {rng.randrange(10**6)})"
            if n % 20 == 0:
                text += " Reach me at someone@example.com or +44 20 7946 0958."
            score = str(rng.randint(0, 10)) if channel == "survey" else ""
            writer.writerow(
                [
                    "bench",
                    f"b-{n}",
                    channel,
                    text,
                    (today - timedelta(days=rng.randrange(365))).isoformat(),
                    f"CUST-{rng.randrange(rows // 3 + 1)}",
                    score,
                ]
            )


def bare_copy(path: Path) -> float:
    """COPY of the same file into an empty table of text columns (no parsing, no index)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_feedback_copy")
        cursor.execute(
            "CREATE TABLE bench_feedback_copy (source text, external_id text, channel text, "
            "text text, received_on text, customer_id text, score text)"
        )
        start = time.perf_counter()
        sql = "COPY bench_feedback_copy FROM STDIN WITH (FORMAT csv, HEADER)"
        with cursor.copy(sql) as copy, path.open("rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_feedback_copy")
    return elapsed


WRITE_SECONDS = [0.0]


def time_writes() -> None:
    """Accumulate the time spent in the database write of each chunk (COPY into the staging
    table, the unchanged-row delete and the upsert), to split an import's time."""
    from feedback import services

    real = services._upsert

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            WRITE_SECONDS[0] += time.perf_counter() - start

    services._upsert = timed


def run_import(path: Path, actor) -> tuple[float, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from feedback import services
    from feedback.models import ImportBatch

    WRITE_SECONDS[0] = 0.0
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    batch = services.batch_create(file=upload, actor=actor)
    ImportBatch.objects.filter(pk=batch.pk).update(status="pending")
    start = time.perf_counter()
    services.batch_run(batch_id=batch.pk)  # what the Celery task runs
    elapsed = time.perf_counter() - start
    batch = ImportBatch.objects.get(pk=batch.pk)
    batch.write_seconds = WRITE_SECONDS[0]
    return elapsed, batch


def median_ms(fn, n: int = 30) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    ensure_database(args.database_url)
    configure(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from accounts.models import User, role_group
    from feedback import selectors
    from feedback.models import FeedbackItem, FeedbackLink, ImportBatch
    from journeys.models import Journey

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE feedback_feedbacklink, feedback_importrejection, feedback_feedbackitem, "
            "feedback_importbatch, feedback_retainedcount, feedback_feedbackday"
        )
    actor, _ = User.objects.get_or_create(
        email="bench-manager@example.com", defaults={"display_name": "Bench", "kind": "staff"}
    )
    actor.groups.add(role_group("Innovation managers"))
    journey = Journey.objects.default()
    time_writes()
    print(f"PostgreSQL {connection.pg_version}, {args.rows:,} rows")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feedback.csv"
        start = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s"
        )
        copy_s = bare_copy(path)
        first_s, first = run_import(path, actor)
        again_s, again = run_import(path, actor)
        copy2_s = bare_copy(path)
    copy_s = min(copy_s, copy2_s)
    print(f"bare COPY (best of 2):     {copy_s:7.2f} s  {args.rows / copy_s:10,.0f} rows/s")
    print(
        f"import (all new):          {first_s:7.2f} s  {args.rows / first_s:10,.0f} rows/s  "
        f"{first_s / copy_s:5.1f}x COPY  imported={first.imported} rejected={first.rejected}  "
        f"(database writes {first.write_seconds:.1f} s)"
    )
    print(
        f"re-import (all unchanged): {again_s:7.2f} s  {args.rows / again_s:10,.0f} rows/s  "
        f"{again_s / copy_s:5.1f}x COPY  unchanged={again.unchanged} imported={again.imported}  "
        f"(database writes {again.write_seconds:.1f} s)"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE feedback_feedbackitem")
    search = median_ms(
        lambda: list(FeedbackItem.objects.search("locked app").order_by("-received_on", "-id")[:25])
    )
    count = median_ms(lambda: FeedbackItem.objects.search("locked app").count(), n=10)
    overlay = median_ms(lambda: selectors.journey_overlay(journey, days=90), n=10)
    print(f"search 'locked app', first page of 25: median {search:.1f} ms (count {count:.1f} ms)")
    print(f"journey overlay (90 days):  median {overlay:.1f} ms")
    print(
        f"items: {FeedbackItem.objects.count():,}, links: {FeedbackLink.objects.count()}, batches: {ImportBatch.objects.count()}"
    )


if __name__ == "__main__":
    main()

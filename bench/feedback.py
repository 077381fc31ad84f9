#!/usr/bin/env python
"""Feedback import benchmark: import a generated CSV of N rows, beside a bare COPY of the
same file in the same run; then a re-import of the same file (every row unchanged), and the
medians (and query counts) of the full-text search and the journey overlay at that many items.

    .venv/bin/python bench/feedback.py --database-url postgres://postgres@127.0.0.1:5432/bench_feedback --rows 1000000

The database is created if missing and migrated, and the demo journey's moments are added;
the feedback tables are emptied first (the rest of the data set is left alone). Six rows in
ten name their moment (placed: the overlay counts them); the others get a suggested moment.
Reports; never fails on a slow number.
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
HEADER = [
    "source",
    "external_id",
    "channel",
    "text",
    "received_on",
    "customer_id",
    "score",
    "moment",
]


def configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = "bench-only-secret-key-not-for-production-0123456789abcdefghij"
    os.environ["FEEDBACK_PEPPER"] = "bench-only-pepper"
    os.environ["FEEDBACK_RETENTION_MONTHS"] = "0"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"  # pages through the test client
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["RATELIMIT_ENABLE"] = "false"
    os.environ["STATIC_ROOT"] = str(BASE_DIR / "static")
    import django

    django.setup()
    from django.conf import settings

    # As bench/run.py: the plain static storage (no collectstatic manifest needed).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def generate(path: Path, rows: int, seed: int = 42, changed_every: int = 0) -> None:
    """Realistic rows: demo verbatims with a varying tail, some with an e-mail or phone.
    With ``changed_every`` = n, every n-th row's text differs from the plain file's."""
    from feedback.demo import VERBATIMS

    rng = random.Random(seed)
    texts = [(m, t) for m, (_, neg, pos) in VERBATIMS.items() for t in (*neg, *pos)]
    channels = ["complaint", "survey", "call", "app_review", "social", "branch", "email", "chat"]
    today = date.today()
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for n in range(rows):
            channel = rng.choice(channels)
            moment, text = rng.choice(texts)
            text += f" (case {rng.randrange(10**6)})"
            if n % 20 == 0:
                text += " Reach me at someone@example.com or +44 20 7946 0958."
            if changed_every and n % changed_every == 0:
                text += " (updated)"
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
                    moment if n % 10 < 6 else "",
                ]
            )


def bare_copy(path: Path) -> float:
    """COPY of the same file into an empty table of text columns (no parsing, no index)."""
    from django.db import connection

    with connection.cursor() as cursor:
        # A million-row COPY is one statement: off with the 5 s statement timeout (restored
        # below; the import's statements, one per chunk, run under it as in production).
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("DROP TABLE IF EXISTS bench_feedback_copy")
        cursor.execute(
            "CREATE TABLE bench_feedback_copy (source text, external_id text, channel text, "
            "text text, received_on text, customer_id text, score text, moment text)"
        )
        start = time.perf_counter()
        sql = "COPY bench_feedback_copy FROM STDIN WITH (FORMAT csv, HEADER)"
        with cursor.copy(sql) as copy, path.open("rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_feedback_copy")
        cursor.execute("RESET statement_timeout")
    return elapsed


PHASES: dict[str, float] = {}


def time_phases() -> None:
    """Accumulate the time of each phase of an import, to split it: on PostgreSQL staging
    the file (COPY), normalising it in SQL and writing the chunks (``feedback.bulk``);
    elsewhere the database writes of the chunks (``services._upsert``)."""
    from feedback import bulk, services

    def timed(module, name, label):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                PHASES[label] = PHASES.get(label, 0.0) + time.perf_counter() - start

        setattr(module, name, wrapper)

    for module, name, label in [
        (bulk, "stage", "stage"),
        (bulk, "_skip_unchanged", "of which finding unchanged rows"),
        (bulk, "normalise", "normalise"),
        (bulk, "write_chunk", "write"),
        (services, "_upsert", "write"),
    ]:
        if hasattr(module, name):
            timed(module, name, label)


def phases() -> str:
    return ", ".join(f"{label} {seconds:.1f} s" for label, seconds in PHASES.items())


def run_import(path: Path, actor) -> tuple[float, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from feedback import services
    from feedback.models import ImportBatch

    PHASES.clear()
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    batch = services.batch_create(file=upload, actor=actor)
    ImportBatch.objects.filter(pk=batch.pk).update(status="pending")
    start = time.perf_counter()
    services.batch_run(batch_id=batch.pk)  # what the Celery task runs
    elapsed = time.perf_counter() - start
    batch = ImportBatch.objects.get(pk=batch.pk)
    batch.phases = phases()
    return elapsed, batch


def median_ms(fn, n: int = 30) -> tuple[float, int]:
    """(median ms, queries of one call)."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    for _ in range(2):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(queries)


def server_ms(fn) -> float:
    """The database's own execution time of ``fn``'s queries (EXPLAIN ANALYZE, summed):
    what the median would be without waiting for a CPU on a loaded machine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    total = 0.0
    with connection.cursor() as cursor:
        for q in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + q["sql"])
            plan = cursor.fetchone()[0][0]
            total += plan["Execution Time"] + plan["Planning Time"]
    return total


def page_ms(client, url: str, n: int = 20) -> tuple[float, int]:
    """(median ms, queries) of a whole HTML page through Django's test client."""

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return median_ms(get, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-reimport", action="store_true")
    parser.add_argument(
        "--changed-percent",
        type=float,
        default=1.0,
        help="After the re-import, import the file with this share of rows changed (0: no).",
    )
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="No import: measure search and overlay on the items already there.",
    )
    parser.add_argument(
        "--skip-measure", action="store_true", help="No search and overlay timings."
    )
    args = parser.parse_args()
    ensure_database(args.database_url)
    configure(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from accounts.models import User, role_group
    from journeys.models import Journey

    actor, _ = User.objects.get_or_create(
        email="bench-manager@example.com", defaults={"display_name": "Bench", "kind": "staff"}
    )
    actor.groups.add(role_group("Innovation managers"))
    from journeys import demo

    demo.seed()
    journey = Journey.objects.default()
    time_phases()
    print(f"PostgreSQL {connection.pg_version}, {args.rows:,} rows, load {os.getloadavg()}")
    if args.measure_only:
        measure(actor, journey)
        return
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute(
            "TRUNCATE feedback_feedbacklink, feedback_importrejection, feedback_feedbackitem, "
            "feedback_importbatch, feedback_retainedcount, feedback_feedbackday"
        )
        cursor.execute("RESET statement_timeout")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feedback.csv"
        start = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s"
        )
        copy_s = bare_copy(path)
        first_s, first = run_import(path, actor)
        print(f"load after the import: {os.getloadavg()}")
        if not args.skip_reimport:
            again_s, again = run_import(path, actor)
        if args.changed_percent:
            changed_path = Path(tmp) / "feedback-changed.csv"
            generate(changed_path, args.rows, changed_every=round(100 / args.changed_percent))
            changed_s, changed = run_import(changed_path, actor)
        copy2_s = bare_copy(path)
    copy_s = min(copy_s, copy2_s)
    print(f"bare COPY (best of 2):     {copy_s:7.2f} s  {args.rows / copy_s:10,.0f} rows/s")
    print(
        f"import (all new):          {first_s:7.2f} s  {args.rows / first_s:10,.0f} rows/s  "
        f"{first_s / copy_s:5.1f}x COPY  imported={first.imported} rejected={first.rejected}  "
        f"({first.phases})"
    )
    if not args.skip_reimport:
        print(
            f"re-import (all unchanged): {again_s:7.2f} s  {args.rows / again_s:10,.0f} rows/s  "
            f"{again_s / copy_s:5.1f}x COPY  unchanged={again.unchanged} "
            f"imported={again.imported}  ({again.phases})"
        )
    if args.changed_percent:
        print(
            f"re-import ({args.changed_percent:g} % changed): {changed_s:7.2f} s  "
            f"{args.rows / changed_s:10,.0f} rows/s  {changed_s / copy_s:5.1f}x COPY  "
            f"updated={changed.updated} unchanged={changed.unchanged}  ({changed.phases})"
        )
    if not args.skip_measure:
        measure(actor, journey)


def measure(actor, journey) -> None:
    from django.db import connection

    from feedback import selectors
    from feedback.models import FeedbackItem, FeedbackLink, ImportBatch

    print(f"load before measuring: {os.getloadavg()}")
    placed = FeedbackItem.objects.filter(stage__isnull=False).count()
    suggested = FeedbackItem.objects.filter(suggested_moment__isnull=False).count()
    print(f"placed from the file: {placed:,}; suggested a moment: {suggested:,}")
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("VACUUM ANALYZE feedback_feedbackitem")
        cursor.execute("VACUUM ANALYZE feedback_feedbackday")
        cursor.execute("RESET statement_timeout")

    def first_page(q):
        return lambda: list(FeedbackItem.objects.search(q).order_by("-received_on", "-id")[:25])

    for q in ["locked app", "mortgage fees", "passport"]:
        search, queries = median_ms(first_page(q))
        count, _ = median_ms(lambda q=q: FeedbackItem.objects.search(q).count(), n=10)
        capped, _ = median_ms(lambda q=q: FeedbackItem.objects.search(q)[:10_001].count(), n=10)
        print(
            f"search {q!r}, first page of 25: median {search:.1f} ms, {queries} query, "
            f"server {server_ms(first_page(q)):.1f} ms (exact count: {count:.1f} ms; "
            f"count capped at 10,001: {capped:.1f} ms)"
        )
    for days in (30, 90, 365):
        overlay, queries = median_ms(lambda d=days: selectors.journey_overlay(journey, days=d))
        server = server_ms(lambda d=days: selectors.journey_overlay(journey, days=d))
        print(
            f"journey overlay ({days} days): median {overlay:.1f} ms, {queries} queries, "
            f"server {server:.1f} ms"
        )

    from django.test import Client

    client = Client()
    client.force_login(actor)
    for label, url in [
        ("overlay page (90 days)", f"/feedback/journey/{journey.pk}/"),
        ("feedback list, search 'locked app'", "/feedback/?q=locked+app"),
    ]:
        ms, queries = page_ms(client, url)
        print(f"{label}: median {ms:.1f} ms, {queries} queries (whole page, in-process)")
    print(
        f"items: {FeedbackItem.objects.count():,}, links: {FeedbackLink.objects.count()}, "
        f"batches: {ImportBatch.objects.count()}, load {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()

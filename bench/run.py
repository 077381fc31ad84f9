#!/usr/bin/env python
"""Benchmarks on the generated data set. Reports; never fails on a slow number.

    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:5432/juncture_bench
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/juncture_bench [--quick]

1. Pages and endpoints: median and p95 *server time* over ``--requests`` requests each
   (default 60; 20 with ``--quick``), measured in-process through Django's test ``Client``
   (the full middleware stack, no network, no gunicorn), with DEBUG off, beside a trivial
   Django view measured in the same run through the same client (``bench/urls.py``), and the
   query count of one request (``CaptureQueriesContext``). Managers see the pages; the
   budget pages are read as an executive.
2. ``aggregate_round`` on round 1 (10,000 ideas x 7 reviewers x 4 signals): a full run, and
   again after one new scorecard (4 scores changed); beside the bare SQL
   ``INSERT ... SELECT ... GROUP BY`` of the same scores into a temporary table.
3. Support toggles per second against gunicorn (``--workers``, ``--worker-class``,
   ``--gunicorn-threads``; 127.0.0.1, a free port) started here and stopped at the end: a bounded number of ``POST``/``DELETE`` on
   ``/api/v1/ideas/{id}/support/`` from a few threads, each with its own user's API token and
   a keep-alive ``http.client`` connection. Every pair of toggles leaves the data as it was;
   the support counters of the touched ideas are checked against their rows afterwards.

``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest query seen.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/juncture_bench"
SECRET = "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop"


def configure(database_url: str) -> None:
    """Production-like settings for the in-process client: DEBUG off (no query log, no
    template debug), real hosts, no SSL redirect, no rate limits."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = SECRET
    os.environ["FEEDBACK_PEPPER"] = SECRET
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ["RATELIMIT_ENABLE"] = "false"
    os.environ.pop("CELERY_BROKER_URL", None)  # eager: nothing leaves the process
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "ERROR"
    # The web's statement timeout would cancel the aggregation of a 280,000-score round on a
    # busy machine; the pages never come near it.
    os.environ["DATABASE_STATEMENT_TIMEOUT_MS"] = "0"
    # WhiteNoise warns when STATIC_ROOT is missing (no collectstatic): point it at a folder.
    os.environ["STATIC_ROOT"] = str(BASE_DIR / "static")
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    # DEBUG off picks the manifest storage, which needs collectstatic; the bench measures
    # views, not static files, so it uses the plain storage (same {% static %} cost).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# --- 1. pages and endpoints ----------------------------------------------------------------


def measure(client, url: str, n: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm caches, connections, template loaders
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Read now: the next request resets the connection's query log.
    queries = list(captured.captured_queries)
    times = []
    budget_end = time.monotonic() + measure.max_seconds
    for k in range(n):
        # A very slow page stops after max_seconds (never before 10 requests); the table
        # prints how many requests each figure is based on.
        if k >= 10 and time.monotonic() > budget_end:
            break
        start = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
    measure.captured[url] = queries
    return times, len(queries)


measure.captured = {}
measure.max_seconds = 90.0


def endpoints() -> list[tuple[str, str, str]]:
    """(label, role, url) for every page and endpoint the issue names."""
    from budgets.models import FiscalYear
    from ideas.models import Idea
    from journeys.models import Journey
    from scoring.models import ReviewRound

    journey = Journey.objects.get(is_default=True)
    stage = journey.stages.order_by("order")[5]
    # An idea page with activity: the most commented idea among the 100 newest.
    idea = Idea.objects.exclude(status="draft").order_by("-id")[:100]
    idea = max(idea, key=lambda i: (i.comment_count, i.pk))
    big_round = ReviewRound.objects.order_by("pk").first()
    today = time.strftime("%Y-%m-%d")
    fy = FiscalYear.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    fy = fy or FiscalYear.objects.first()
    return [
        ("baseline: trivial view", "manager", "/__bench__/trivial"),
        ("board, first page", "manager", "/ideas/"),
        (
            "board, filtered (status+type+stage, most supported)",
            "manager",
            f"/ideas/?status=submitted&innovation_type=new_technology&stage={stage.pk}"
            "&ordering=supported",
        ),
        ("board, searched (q=refund)", "manager", "/ideas/?q=refund"),
        ("board, searched, as an employee", "employee", "/ideas/?q=delivery+updates"),
        ("idea page", "manager", f"/ideas/{idea.pk}/"),
        ("API idea list", "manager", "/api/v1/ideas/"),
        ("API idea list, filtered", "manager", "/api/v1/ideas/?status=in_review&origin=customer"),
        (
            "API similar ideas",
            "manager",
            "/api/v1/ideas/similar/?q=Faster+refund+tracking+for+students",
        ),
        ("journey map page", "manager", f"/journeys/{journey.pk}/"),
        ("API journey map", "manager", f"/api/v1/journeys/{journey.pk}/map/"),
        ("round results page (10,000 ideas)", "manager", f"/rounds/{big_round.pk}/"),
        ("API round results", "manager", f"/api/v1/rounds/{big_round.pk}/results/"),
        ("panels and rounds page", "manager", "/rounds/"),
        ("budget dashboard", "executive", "/budgets/"),
        ("API budget summary", "executive", f"/api/v1/budgets/fiscal-years/{fy.pk}/summary/"),
        ("portfolio page", "executive", f"/insights/portfolio/?fiscal_year={fy.pk}"),
        ("API portfolio", "executive", f"/api/v1/insights/portfolio/?fiscal_year={fy.pk}"),
        ("panel accuracy page", "executive", "/insights/accuracy/"),
        ("API panel accuracy", "executive", "/api/v1/insights/accuracy/"),
        *outcome_and_feedback_pages(journey),
        ("home, manager", "manager", "/"),
        ("home, executive", "executive", "/"),
        ("home, employee", "employee", "/"),
        ("home, customer", "customer", "/"),
        *optional_pages(),
    ]


def outcome_and_feedback_pages(journey) -> list[tuple[str, str, str]]:
    """The experiment page (the experiment with the most measurements), the feedback list,
    its search and the journey overlay, when the data set has them."""
    from django.db.models import Count

    from feedback.models import FeedbackItem
    from outcomes.models import Experiment

    pages = []
    experiment = Experiment.objects.annotate(n=Count("measurements")).order_by("-n", "-pk").first()
    if experiment is not None:
        pages += [
            ("experiment page", "manager", f"/experiments/{experiment.pk}/"),
            ("API experiment", "manager", f"/api/v1/experiments/{experiment.pk}/"),
            ("idea's experiments page", "manager", f"/ideas/{experiment.idea_id}/experiments/"),
        ]
    if FeedbackItem.objects.exists():
        pages += [
            ("feedback list", "manager", "/feedback/"),
            ("feedback list, searched (q=refund)", "manager", "/feedback/?q=refund"),
            ("API feedback list", "manager", "/api/v1/feedback/"),
            ("journey overlay (90 days)", "manager", f"/feedback/journey/{journey.pk}/"),
        ]
    return pages


def optional_pages() -> list[tuple[str, str, str]]:
    """Pages that exist only in some versions of the code (measured when their URL does)."""
    from django.urls import NoReverseMatch, reverse

    pages = []
    for label, role, name in [("moderation queue", "manager", "moderation:queue")]:
        with contextlib.suppress(NoReverseMatch):
            pages.append((label, role, reverse(name)))
    return pages


def bench_pages(n: int, only: str | None) -> list[dict]:
    from django.test import Client

    from accounts.models import User

    users = {
        "manager": User.objects.get(email="bench-manager@example.com"),
        "executive": User.objects.get(email="bench-executive@example.com"),
        # an ordinary employee: no manager rights, so visibility filters apply
        "employee": User.objects.filter(kind="staff", groups__isnull=True, pk__gt=5)
        .order_by("pk")
        .first(),
        "customer": User.objects.filter(kind="customer").order_by("pk").first(),
    }
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    rows = []
    baseline = None
    for label, role, url in endpoints():
        if only and only not in label and not label.startswith("baseline"):
            continue
        times, queries = measure(clients[role], url, n)
        median = statistics.median(times)
        if baseline is None:
            baseline = median
        rows.append(
            {
                "label": label,
                "url": url,
                "median": median,
                "p95": pct(times, 95),
                "queries": queries,
                "ratio": median / baseline,
                "n": len(times),
            }
        )
        print(
            f"  {label:<52} {median:8.1f} {pct(times, 95):8.1f} {median / baseline:8.1f}x"
            f" {queries:4d} {len(times):5d}",
            flush=True,
        )
    return rows


# --- 2. aggregation ------------------------------------------------------------------------

BARE_SQL = """
INSERT INTO bench_bare_agg (idea_id, signal_id, n, mean, sd)
SELECT a.idea_id, s.signal_id, COUNT(*), AVG(s.value), STDDEV_POP(s.value)
FROM scoring_score s JOIN scoring_assignment a ON a.id = s.assignment_id
WHERE a.round_id = %s
GROUP BY a.idea_id, s.signal_id
"""


def bench_aggregation(repeat: int) -> dict:
    from django.db import connection, transaction

    from scoring.aggregation import aggregate
    from scoring.models import Assignment, ReviewRound, Score

    round_id = ReviewRound.objects.order_by("pk").values_list("pk", flat=True).first()
    n_scores = Score.objects.filter(assignment__round_id=round_id).count()

    def bare() -> float:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_bare_agg (idea_id bigint, signal_id bigint, n int, "
                "mean double precision, sd double precision) ON COMMIT DROP"
            )
            start = time.perf_counter()
            cursor.execute(BARE_SQL, [round_id])
            return time.perf_counter() - start

    def full() -> float:
        start = time.perf_counter()
        aggregate(round_id)
        return time.perf_counter() - start

    bare_times = [bare() for _ in range(repeat)]
    full_times = [full() for _ in range(repeat)]
    # One new scorecard: a reviewer's four scores change (6 - v keeps them on 1..5).
    assignment = Assignment.objects.filter(round_id=round_id).order_by("pk").first()
    scores = list(Score.objects.filter(assignment=assignment))

    def flip() -> None:
        for score in scores:
            score.value = 6 - score.value
        Score.objects.bulk_update(scores, ["value"])

    flip()
    start = time.perf_counter()
    aggregate(round_id)
    after_one = time.perf_counter() - start
    flip()  # put the data set back as generated
    aggregate(round_id)
    result = {
        "round": round_id,
        "scores": n_scores,
        "bare": statistics.median(bare_times),
        "full": statistics.median(full_times),
        "after_one": after_one,
    }
    b = result["bare"]
    print(f"  round {round_id}: {n_scores:,} scores", flush=True)
    print(f"  {'bare SQL INSERT ... SELECT ... GROUP BY (baseline)':<52} {b * 1000:8.0f} ms")
    print(
        f"  {'aggregate_round, full':<52} {result['full'] * 1000:8.0f} ms {result['full'] / b:6.1f}x"
    )
    print(
        f"  {'aggregate_round after one new scorecard':<52} {after_one * 1000:8.0f} ms {after_one / b:6.1f}x"
    )
    return result


# --- 3. support toggles against gunicorn -----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# gunicorn as the benchmarks start it (``--workers``, ``--worker-class``, ``--threads`` of
# bench/run.py and bench/load.py); the defaults are the ones docs/deployment.md recommends.
# ``extra``: more command-line options (``--gunicorn-option``); ``app_dir``: the checkout whose
# code gunicorn serves (``--app-dir``: the old code beside the new one in a paired run);
# ``env``: environment overrides for the server only (``--server-env``).
GUNICORN = {
    "workers": os.cpu_count() or 2,
    "worker_class": "gthread",
    "threads": 4,
    "extra": [],
    "app_dir": BASE_DIR,
    "env": {},
}


def gunicorn_args(workers: int, worker_class: str, threads: int) -> list[str]:
    args = ["--workers", str(workers), "--worker-class", worker_class]
    if worker_class == "gthread":
        args += ["--threads", str(threads)]
    return args


def gunicorn_label() -> str:
    g = GUNICORN
    threads = f" x {g['threads']} threads" if g["worker_class"] == "gthread" else ""
    extra = f" {' '.join(g['extra'])}" if g["extra"] else ""
    env = "".join(f" {k}={v}" for k, v in g["env"].items())
    code = f"; code of {g['app_dir']}" if Path(g["app_dir"]) != BASE_DIR else ""
    return f"{g['workers']} {g['worker_class']} workers{threads}{extra}{env}{code}"


@contextlib.contextmanager
def gunicorn(env: dict, port: int):
    """gunicorn (``GUNICORN``) on 127.0.0.1:port with ``env``; waits for /healthz and always
    stops it (its whole process group) on the way out."""
    app_dir = Path(GUNICORN["app_dir"])
    # The settings file production uses (docs/deployment.md), when that checkout has one; the
    # options below override its process model and binding.
    config = ["-c", "config/gunicorn.py"] if (app_dir / "config/gunicorn.py").exists() else []
    server = subprocess.Popen(
        [str(BASE_DIR / ".venv/bin/gunicorn"), *config, "config.wsgi",
         *gunicorn_args(GUNICORN["workers"], GUNICORN["worker_class"], GUNICORN["threads"]),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60",
         *GUNICORN["extra"]],
        cwd=app_dir, env={**env, **GUNICORN["env"]}, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.3)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def counter_drift(idea_ids) -> int:
    """How many of these ideas have support counters that differ from their rows."""
    from django.db.models import Count, F, Q

    from ideas.models import Idea

    return (
        Idea.objects.filter(pk__in=list(idea_ids))
        .annotate(
            staff=Count("supports", filter=Q(supports__user__kind="staff")),
            cust=Count("supports", filter=Q(supports__user__kind="customer")),
        )
        .exclude(supports_employees=F("staff"), supports_customers=F("cust"))
        .count()
    )


def _toggle_plan(threads: int) -> list[tuple[str, int]]:
    """(token, idea id) per thread: a distinct employee who does not support the idea yet
    and did not write it; the idea is open for support."""
    from accounts.models import User
    from accounts.services import token_create
    from ideas.models import Idea, Support

    users = list(
        User.objects.filter(kind="staff", groups__isnull=True, pk__gt=5).order_by("pk")[:threads]
    )
    ideas = list(Idea.objects.filter(status="submitted").order_by("-pk")[: threads * 4])
    plan = []
    for user in users:
        _, key = token_create(user=user)
        for idea in ideas:
            if (
                idea.author_id != user.pk
                and not Support.objects.filter(idea=idea, user=user).exists()
            ):
                plan.append((key, idea.pk))
                break
    return plan


def bench_toggles(total: int, threads: int, max_seconds: float) -> dict:
    from django.db import connection

    plan = _toggle_plan(threads)
    connection.close()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "FEEDBACK_PEPPER": SECRET,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    with gunicorn(env, port) as server:
        per_thread = max(2, (total // len(plan)) // 2 * 2)  # even: POST/DELETE pairs
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + max_seconds

        def worker(token: str, idea_id: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = {"Authorization": f"Token {token}", "Content-Length": "0"}
            mine = []
            for k in range(per_thread):
                if k % 2 == 0 and time.monotonic() > stop_at:
                    break
                method = "POST" if k % 2 == 0 else "DELETE"
                start = time.perf_counter()
                try:
                    conn.request(method, f"/api/v1/ideas/{idea_id}/support/", headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    if response.status != 200:
                        with lock:
                            errors.append(f"{response.status} {body[:120]!r}")
                except OSError as exc:
                    with lock:
                        errors.append(repr(exc))
                    conn.close()
                mine.append((time.perf_counter() - start) * 1000)
            conn.close()
            with lock:
                latencies.extend(mine)

        workers = [threading.Thread(target=worker, args=item) for item in plan]
        meter = CpuMeter(server.pid, connection.settings_dict["NAME"])
        meter.start()
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - start
        cpu = meter.stop()
    # Counters must still equal the rows of every touched idea.
    drift = counter_drift(i for _, i in plan)
    result = {
        "threads": len(plan),
        "requests": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed if elapsed else 0.0,
        "median": statistics.median(latencies) if latencies else 0.0,
        "p95": pct(latencies, 95) if latencies else 0.0,
        "errors": len(errors),
        "counter_drift": drift,
        "first_errors": errors[:3],
    }
    print(
        f"  {result['requests']} toggles from {result['threads']} threads in {elapsed:.1f} s: "
        f"{result['per_second']:.0f}/s, median {result['median']:.1f} ms, p95 {result['p95']:.1f} ms, "
        f"errors {result['errors']}, ideas whose counters differ from their rows: {drift}",
        flush=True,
    )
    print(cpu_report(cpu, len(latencies)))
    print(f"  load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for e in errors[:3]:
        print("   ", e)
    result["cpu"] = cpu
    return result


# --- EXPLAIN -----------------------------------------------------------------------------


def explain_slowest() -> None:
    from django.db import connection

    slowest = None
    for url, queries in measure.captured.items():
        for q in queries:
            t = float(q.get("time") or 0)
            if slowest is None or t > slowest[0]:
                slowest = (t, url, q["sql"])
    if not slowest:
        return
    t, url, sql = slowest
    print(f"\nSlowest query ({t * 1000:.1f} ms in the captured request of {url}):\n{sql}\n")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        print("\n".join(row[0] for row in cursor.fetchall()))


def add_gunicorn_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=GUNICORN["workers"])
    parser.add_argument(
        "--worker-class", choices=["sync", "gthread"], default=GUNICORN["worker_class"]
    )
    parser.add_argument(
        "--gunicorn-threads", type=int, default=GUNICORN["threads"], help="per gthread worker"
    )
    parser.add_argument(
        "--gunicorn-option",
        action="append",
        default=[],
        metavar="OPTION",
        help="one more gunicorn command-line option, e.g. --gunicorn-option=--keep-alive=5",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for gunicorn only (e.g. DB_CONN_MAX_AGE=0)",
    )
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=BASE_DIR,
        help="serve the code of this checkout (its own config.wsgi) with this benchmark: "
        "old and new code measured by the same client, one after the other",
    )


def use_gunicorn_arguments(args) -> None:
    GUNICORN.update(
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.gunicorn_threads,
        extra=list(args.gunicorn_option),
        app_dir=args.app_dir.resolve(),
        env=dict(item.split("=", 1) for item in args.server_env),
    )


# --- CPU accounting ----------------------------------------------------------------------------


class CpuMeter:
    """CPU seconds used between ``start()`` and ``stop()`` by the benchmark's own process (the
    load generator: it shares the cores with the server), the gunicorn processes (master and
    workers: one process group), the PostgreSQL backends connected to ``database`` and the
    whole machine (everything else: other users' work). Linux ``/proc`` only; elsewhere the
    report says so."""

    def __init__(self, server_pgid: int, database: str) -> None:
        self.server_pgid = server_pgid
        self.database = database
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def _processes(self) -> tuple[float, float]:
        server = postgres = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                fields = stat[stat.rindex(")") + 2 :].split()
                seconds = (int(fields[11]) + int(fields[12])) / self.tick
                if int(fields[2]) == self.server_pgid:
                    server += seconds
                elif "(postgres)" in stat:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        words = f.read().split()
                    if self.database.encode() in words:
                        postgres += seconds
            except (OSError, ValueError, IndexError):
                continue  # gone in between
        return server, postgres

    @staticmethod
    def _machine() -> tuple[float, float]:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    def start(self) -> None:
        self.available = os.path.exists("/proc/stat")
        if not self.available:
            return
        self.t0 = time.perf_counter()
        self.self0 = time.process_time()
        self.server0, self.postgres0 = self._processes()
        self.busy0, self.all0 = self._machine()

    def stop(self) -> dict:
        if not self.available:
            return {}
        wall = time.perf_counter() - self.t0
        server, postgres = self._processes()
        busy, total = self._machine()
        cores = os.cpu_count() or 1
        ticks_per_second = (total - self.all0) / wall / cores if wall else self.tick
        return {
            "wall": wall,
            "client": time.process_time() - self.self0,
            "server": server - self.server0,
            "postgres": postgres - self.postgres0,
            "machine": (busy - self.busy0) / ticks_per_second,
            "cores": cores,
        }


def cpu_report(cpu: dict, requests: int) -> str:
    """One line: each part's CPU seconds, share of the machine, and ms per request."""
    if not cpu:
        return "  CPU: not measured (no /proc)"
    capacity = cpu["wall"] * cpu["cores"]
    others = cpu["machine"] - cpu["client"] - cpu["server"] - cpu["postgres"]
    parts = []
    for name, seconds in [
        ("load generator", cpu["client"]),
        ("gunicorn", cpu["server"]),
        ("postgres (this db)", cpu["postgres"]),
        ("everything else", others),
    ]:
        per = f", {seconds / requests * 1000:.2f} ms/req" if requests else ""
        parts.append(f"{name} {seconds:.1f} s ({seconds / capacity:.0%}{per})")
    return f"  CPU of {cpu['cores']} cores x {cpu['wall']:.0f} s: " + "; ".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    parser.add_argument("--requests", type=int, help="requests per page (default 60, quick 20)")
    parser.add_argument("--only", help="only the pages whose label contains this")
    parser.add_argument(
        "--max-seconds", type=float, default=90.0, help="time cap per page (>= 10 requests)"
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["pages", "aggregation", "toggles"]
    )
    parser.add_argument(
        "--toggles", type=int, help="support toggles in all (default 3000, quick 400)"
    )
    parser.add_argument("--threads", type=int, default=4, help="toggle threads (distinct users)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query")
    add_gunicorn_arguments(parser)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    n = args.requests or (20 if args.quick else 60)
    use_gunicorn_arguments(args)
    configure(args.database_url)
    measure.max_seconds = args.max_seconds

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM ideas_idea")
        ideas = cursor.fetchone()[0]
    print(f"Juncture benchmarks: {ideas:,} ideas, PostgreSQL {pg}, {os.cpu_count()} CPUs")
    out: dict = {"ideas": ideas, "postgres": pg, "requests_per_page": n}
    if "pages" not in args.skip:
        print(f"\nPages and endpoints (in-process Django test Client, {n} requests each, ms)")
        print(f"  {'':<52} {'median':>8} {'p95':>8} {'ratio':>9} {'queries':>4} {'n':>5}")
        out["pages"] = bench_pages(n, args.only)
        if args.explain:
            explain_slowest()
    if "aggregation" not in args.skip:
        print("\nAggregation (scoring.aggregation.aggregate, in-process)")
        out["aggregation"] = bench_aggregation(1 if args.quick else 3)
    if "toggles" not in args.skip:
        total = args.toggles or (400 if args.quick else 3000)
        print(
            f"\nSupport toggles (gunicorn, {gunicorn_label()}, 127.0.0.1, API tokens, "
            f"{total} requests max)"
        )
        out["toggles"] = bench_toggles(total, args.threads, max_seconds=60)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()

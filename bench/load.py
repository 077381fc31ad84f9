"""Load test: 32 concurrent clients against gunicorn (``--workers``/``--worker-class``/
``--gunicorn-threads``; default: bench.run.GUNICORN) on
127.0.0.1 for 60 seconds, mixing board views, idea pages and support toggles, on the
generated PostgreSQL data set with Redis as broker and cache.

    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/juncture_bench
        [--clients 32] [--seconds 60] [--redis-url redis://127.0.0.1:6379/0]

Reports requests/s, p50/p95 per kind and overall, and errors (must be 0); afterwards checks
that every touched idea's support counters equal its rows. Loopback only, bounded in time;
gunicorn is started here and always stopped.
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.run import (  # noqa: E402
    DEFAULT_URL,
    SECRET,
    CpuMeter,
    _free_port,
    add_gunicorn_arguments,
    configure,
    counter_drift,
    cpu_report,
    gunicorn,
    gunicorn_label,
    pct,
    use_gunicorn_arguments,
)

# The mix: most traffic reads the board and idea pages; a fifth toggles a support.
MIX = [("board", 0.35), ("board_filtered", 0.15), ("idea", 0.30), ("toggle", 0.20)]


def _prepare(clients: int) -> list[dict]:
    """Per client: a staff user's session cookie and API token, ideas to read, and an idea
    the user may support (not theirs, not yet supported)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from accounts.services import token_create
    from ideas.models import Idea, Support

    users = list(
        User.objects.filter(kind="staff", groups__isnull=True, pk__gt=5).order_by("pk")[:clients]
    )
    readable = list(
        Idea.objects.filter(status__in=["submitted", "screening", "in_review"])
        .order_by("-pk")
        .values_list("pk", flat=True)[:2000]
    )
    candidates = list(Idea.objects.filter(status="submitted").order_by("-pk")[: clients * 8])
    plan = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        _, key = token_create(user=user)
        target = next(
            i.pk
            for i in candidates
            if i.author_id != user.pk and not Support.objects.filter(idea=i, user=user).exists()
        )
        plan.append(
            {
                "cookie": f"sessionid={session.session_key}",
                "token": key,
                "toggle_idea": target,
                "ideas": readable,
            }
        )
    return plan


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    add_gunicorn_arguments(parser)
    args = parser.parse_args(argv)
    use_gunicorn_arguments(args)

    configure(args.database_url)
    from django.db import connection

    plan = _prepare(args.clients)
    connection.close()
    static_root = tempfile.mkdtemp(prefix="juncture-load-static-")
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "FEEDBACK_PEPPER": SECRET,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": static_root,
        "CELERY_BROKER_URL": args.redis_url,
        "CACHE_URL": args.redis_url.rsplit("/", 1)[0] + "/1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # DEBUG off serves hashed static names from the manifest: build it first.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    with gunicorn(env, port) as server:
        stop_at = time.monotonic() + args.seconds
        kinds, weights = zip(*MIX, strict=True)

        def client(n: int, me: dict) -> None:
            rng = random.Random(n)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            supported = False
            mine: dict[str, list[float]] = defaultdict(list)
            while time.monotonic() < stop_at:
                kind = rng.choices(kinds, weights)[0]
                headers = {"Cookie": me["cookie"]}
                if kind == "board":
                    method, path = "GET", "/ideas/"
                elif kind == "board_filtered":
                    method, path = "GET", "/ideas/?status=submitted&ordering=supported"
                elif kind == "idea":
                    method, path = "GET", f"/ideas/{rng.choice(me['ideas'])}/"
                else:
                    method = "DELETE" if supported else "POST"
                    path = f"/api/v1/ideas/{me['toggle_idea']}/support/"
                    headers = {"Authorization": f"Token {me['token']}", "Content-Length": "0"}
                start = time.perf_counter()
                try:
                    conn.request(method, path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                    if kind == "toggle" and ok:
                        supported = not supported
                    if not ok:
                        with lock:
                            errors.append(f"{method} {path}: {response.status}")
                except OSError as exc:
                    with lock:
                        errors.append(f"{method} {path}: {exc!r}")
                    conn.close()
                mine[kind].append((time.perf_counter() - start) * 1000)
            if supported:  # leave the data as it was
                conn.request(
                    "DELETE",
                    f"/api/v1/ideas/{me['toggle_idea']}/support/",
                    headers={"Authorization": f"Token {me['token']}", "Content-Length": "0"},
                )
                conn.getresponse().read()
            conn.close()
            with lock:
                for k, v in mine.items():
                    latencies[k].extend(v)

        threads = [threading.Thread(target=client, args=(n, me)) for n, me in enumerate(plan)]
        meter = CpuMeter(server.pid, args.database_url.rsplit("/", 1)[-1])
        meter.start()
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
    drift = counter_drift(me["toggle_idea"] for me in plan)
    everything = [x for v in latencies.values() for x in v]
    print(
        f"Load test: {len(plan)} clients x {args.seconds:.0f} s against gunicorn "
        f"({gunicorn_label()}), "
        f"PostgreSQL + Redis, 127.0.0.1"
    )
    print(f"  {'kind':<16}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for kind in [*kinds, "all"]:
        values = everything if kind == "all" else latencies.get(kind, [])
        if values:
            print(
                f"  {kind:<16}{len(values):>10}{len(values) / elapsed:>9.1f}"
                f"{statistics.median(values):>9.1f}{pct(values, 95):>9.1f}"
            )
    print(f"  errors: {len(errors)}; ideas whose support counters differ from their rows: {drift}")
    print(cpu_report(cpu, len(everything)))
    print(f"  load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for e in errors[:5]:
        print("   ", e)


if __name__ == "__main__":
    main()

"""A real PostgreSQL streaming replica: report pages read it, writes and the pages after them
read the primary.

The fixture copies the primary cluster with ``pg_basebackup -R -X stream`` (the suite's test
database comes along), starts the copy as a hot standby on a free port and adds it as the
``replica`` alias (``tests.replica``). Pausing its replay makes the two databases differ, so
each assertion shows which one a page read. Only committed rows reach a replica, so the tests
are transactional.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connections, transaction
from django.urls import reverse

from core.db import PRIMARY, REPLICA, reports
from ideas.models import Support
from tests import factories
from tests.replica import replica_alias
from tests.services import require, require_postgres

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA]),
]


def _pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    # initdb and pg_ctl refuse to run as root: run them as the postgres user then.
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def _primary_settings(primary: dict) -> dict:
    """What replication needs from the primary, and the limits a hot standby must match."""
    names = [
        "wal_level",
        "max_wal_senders",
        "max_connections",
        "max_worker_processes",
        "max_prepared_transactions",
        "max_locks_per_transaction",
        "max_wal_size",
    ]
    with psycopg.connect(**primary, dbname="postgres", autocommit=True) as conn:
        return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}


@pytest.fixture(scope="module")
def streaming_replica(django_db_setup, django_db_blocker):
    """A hot standby of the primary on a free port; yields its port. Stopped and removed
    afterwards, whatever happened."""
    require_postgres()
    binaries = {name: _pg_binary(name) for name in ("pg_basebackup", "pg_ctl")}
    missing = [name for name, path in binaries.items() if path is None]
    require(
        "replica",
        not missing,
        f"this test starts a streaming replica and needs {', '.join(missing)} "
        "(Debian: the postgresql package, /usr/lib/postgresql/<version>/bin)",
    )
    default = connections[PRIMARY].settings_dict
    primary = {
        "host": default["HOST"] or "127.0.0.1",
        "port": int(default["PORT"] or 5432),
        "user": default["USER"] or "postgres",
    }
    server = _primary_settings(primary)
    require(
        "replica",
        server["wal_level"] in {"replica", "logical"} and int(server["max_wal_senders"]) > 0,
        f"the primary does not stream WAL (wal_level={server['wal_level']}, "
        f"max_wal_senders={server['max_wal_senders']})",
    )
    if os.geteuid() == 0:
        require("replica", shutil.which("runuser") is not None, "runuser is needed as root")

    root = Path(tempfile.mkdtemp(prefix="juncture-replica-"))
    data = root / "data"
    port = _free_port()
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(root, postgres.pw_uid, postgres.pw_gid)
    try:
        backup = _as_postgres(
            [
                binaries["pg_basebackup"],
                *("-h", primary["host"], "-p", str(primary["port"]), "-U", primary["user"]),
                *("-D", str(data), "-R", "-X", "stream", "--checkpoint=fast"),
            ],
            timeout=600,
        )
        require(
            "replica",
            backup.returncode == 0,
            f"pg_basebackup failed: {backup.stderr.strip()} (the primary must accept "
            "replication connections from this host, e.g. pg_hba.conf: "
            "`host replication all 127.0.0.1/32 trust`, then reload)",
        )
        # Debian keeps postgresql.conf and pg_hba.conf outside the data directory: give the
        # copy its own. A hot standby needs limits at least the primary's.
        limits = "\n".join(
            f"{name} = '{server[name]}'"
            for name in (
                "max_connections",
                "max_worker_processes",
                "max_prepared_transactions",
                "max_locks_per_transaction",
                "max_wal_senders",
            )
        )
        (data / "postgresql.conf").write_text(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nhot_standby = on\n"
            f"shared_buffers = '32MB'\n{limits}\n"
        )
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        if os.geteuid() == 0:
            for path in (data / "postgresql.conf", data / "pg_hba.conf", data / "pg_ident.conf"):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
        started = _as_postgres(
            [binaries["pg_ctl"], "-D", str(data), "-l", str(root / "log"), "-w", "start"],
            timeout=180,
        )
        log = (root / "log").read_text() if (root / "log").exists() else ""
        assert started.returncode == 0, started.stderr + log
        _wait_until_accepting(primary | {"port": port})
        yield port
    finally:
        if (data / "postmaster.pid").exists():
            _as_postgres([binaries["pg_ctl"], "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_accepting(params: dict, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(**params, dbname="postgres", connect_timeout=2) as conn:
                assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture(scope="module")
def replica(streaming_replica):
    with replica_alias(HOST="127.0.0.1", PORT=streaming_replica) as connection:
        yield connection


def _on_replica(sql: str, *params):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _wait_for_replay(timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while _on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", target)[0] is not True:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.1)


@pytest.fixture
def paused(replica):
    """Replay paused on the replica: what the primary commits now stays invisible there."""
    _wait_for_replay()
    _on_replica("SELECT pg_wal_replay_pause()")
    yield
    _on_replica("SELECT pg_wal_replay_resume()")


def test_the_replica_is_a_standby_on_its_own_port(replica, streaming_replica):
    assert _on_replica("SELECT pg_is_in_recovery(), inet_server_port()") == (
        True,
        streaming_replica,
    )
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        assert cursor.fetchone() == (False, int(connections[PRIMARY].settings_dict["PORT"]))


def test_a_report_reads_the_replica_and_says_as_of_when(replica, client):
    manager = factories.ManagerFactory()
    fy = factories.FiscalYearFactory()
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("1000.00"))
    _wait_for_replay()
    _on_replica("SELECT pg_wal_replay_pause()")
    try:
        with transaction.atomic():
            factories.AllocationFactory(fiscal_year=fy, amount=Decimal("2000.00"))
        client.force_login(manager)
        body = client.get(f"/api/v1/budgets/fiscal-years/{fy.pk}/summary/").json()
        # The replica has not replayed the second allocation: the report is from before it.
        assert body["committed"] == "1000.00"
        replayed_at = _on_replica("SELECT pg_last_xact_replay_timestamp()")[0]
        assert datetime.fromisoformat(body["as_of"]) == replayed_at
        page = client.get(reverse("insights:dashboard"), {"fiscal_year": fy.pk})
        assert page.status_code == 200 and b"data-as-of=" in page.content
    finally:
        _on_replica("SELECT pg_wal_replay_resume()")
    _wait_for_replay()
    body = client.get(f"/api/v1/budgets/fiscal-years/{fy.pk}/summary/").json()
    assert body["committed"] == "3000.00"


def test_writes_and_the_page_after_them_use_the_primary(replica, paused, client):
    employee = factories.EmployeeFactory()
    idea = factories.IdeaFactory(status="submitted")
    client.force_login(employee)
    response = client.post(reverse("ideas:support", args=[idea.pk]), {"action": "add"})
    assert response.status_code == 302
    # Committed on the primary; the paused replica has not seen it.
    assert Support.objects.filter(idea=idea, user=employee).exists()
    assert _on_replica("SELECT count(*) FROM ideas_support WHERE idea_id = %s", idea.pk)[0] == 0
    # The idea page reads the primary, so its author sees the support at once.
    page = client.get(reverse("ideas:detail", args=[idea.pk]))
    assert page.status_code == 200
    assert page.context["idea"].supports_employees == 1
    # A write inside a report's pin goes to the primary too (a standby refuses writes).
    other = factories.CustomerFactory()
    with reports():
        Support.objects.create(idea=idea, user=other)
    assert Support.objects.filter(idea=idea).count() == 2

"""The documented backup and restore path (scripts/backup.sh, scripts/restore.sh) restores a
demo installation into a fresh database with the same row counts and the same media files."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.services import require, require_postgres

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], env: dict) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.django_db
def test_backup_then_restore_into_a_fresh_database_keeps_every_row_and_file(tmp_path):
    require_postgres()
    require(
        "postgres",
        bool(shutil.which("pg_dump") and shutil.which("pg_restore")),
        "pg_dump and pg_restore (postgresql-client) are needed for the backup test",
    )
    import psycopg

    s = connection.settings_dict
    base = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    source, target = (
        f"juncture_backup_{uuid.uuid4().hex[:6]}",
        f"juncture_restore_{uuid.uuid4().hex[:6]}",
    )
    admin = psycopg.connect(f"{base}/postgres", autocommit=True)
    try:
        for name in (source, target):
            admin.execute(f'CREATE DATABASE "{name}"')
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env.update(DATABASE_URL=f"{base}/{source}", MEDIA_ROOT=str(tmp_path / "media"))
        _run([sys.executable, "manage.py", "migrate", "--noinput"], env)
        _run([sys.executable, "manage.py", "seed_demo", "--quiet-logins"], env)
        attachment = tmp_path / "media" / "attachments" / "2026" / "11" / "evidence.txt"
        attachment.parent.mkdir(parents=True)
        attachment.write_text("branch survey, November: 41% waited over 20 minutes")

        _run(["bash", "scripts/backup.sh", str(tmp_path / "backup")], env)
        restored_env = {
            **env,
            "DATABASE_URL": f"{base}/{target}",
            "MEDIA_ROOT": str(tmp_path / "restored"),
        }
        _run(["bash", "scripts/restore.sh", str(tmp_path / "backup")], restored_env)

        before, after = _counts(f"{base}/{source}"), _counts(f"{base}/{target}")
        assert before == after
        assert before["accounts_user"] > 0
        restored = tmp_path / "restored" / "attachments" / "2026" / "11" / "evidence.txt"
        assert restored.read_text() == attachment.read_text()
        # The restored database is usable by the application as it stands.
        _run([sys.executable, "manage.py", "migrate", "--check"], restored_env)
    finally:
        for name in (source, target):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

"""Start the test OpenID Connect provider (serve.py) in a subprocess for a test fixture."""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

SERVE = Path(__file__).resolve().parent / "serve.py"


@contextlib.contextmanager
def oidc_provider_process(*, redirect_uris: list[str], users: list[dict]):
    """Yields ``SimpleNamespace(url, client_id, client_secret)``; the provider listens on a
    free port of 127.0.0.1 until the block ends."""
    client = {
        "client_id": "juncture",
        "client_secret": "s3cret-for-tests",
        "redirect_uris": redirect_uris,
    }
    env = {
        **os.environ,
        "OIDC_TEST_CLIENT": json.dumps(client),
        "OIDC_TEST_USERS": json.dumps(users),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen(
        [sys.executable, str(SERVE)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line.startswith("port "):
            raise RuntimeError(f"the test OIDC provider did not start: {line!r}")
        yield SimpleNamespace(url=f"http://127.0.0.1:{int(line.split()[1])}", **client)
    finally:
        proc.terminate()
        proc.wait(timeout=10)

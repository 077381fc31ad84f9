import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_skips_browser_tests_with_the_reason_when_chromium_is_absent(tmp_path):
    # A machine without Chromium: `make test` must pass, the browser tests skipped (not
    # errored while launching the browser) and the reason printed.
    env = {k: v for k, v in os.environ.items() if k != "JUNCTURE_REQUIRE_SERVICES"}
    env["JUNCTURE_CHROMIUM"] = str(tmp_path / "no-chromium-here")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e/test_roles_navigation.py", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert " error" not in out
    assert "skipped" in out
    assert "chromium unavailable: browser tests need Debian's Chromium at" in out

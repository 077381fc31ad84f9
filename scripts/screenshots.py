"""Screenshot every page as every role that may see it, at phone and laptop widths.

    make screenshots                      # everything, into screenshots/
    .venv/bin/python scripts/screenshots.py --pages board,dashboard --roles customer --widths 390

Migrates a throwaway SQLite database, loads the demo data, serves it with ``runserver`` on a
free local port, logs in through the real form as each demo role and writes
``<out>/<page>__<role>__<width>.png`` (full page). The pages and who may see them come from
``tests/e2e/pages.py``, the list the layout test sweeps. It also prints each page whose
document is wider than the window, and each console error, so a run doubles as a quick check.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("JUNCTURE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url} within {timeout:.0f} s")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "screenshots"), help="folder for the PNGs")
    p.add_argument("--widths", default="390,1366", help="comma-separated window widths")
    p.add_argument("--roles", default="", help="comma-separated roles (default: all)")
    p.add_argument("--pages", default="", help="comma-separated page keys (default: all)")
    p.add_argument("--viewport-only", action="store_true", help="the window, not the full page")
    p.add_argument(
        "--readme",
        action="store_true",
        help="write the README's four pictures into docs/img/ (1366 px, the first screen)",
    )
    return p.parse_args()


# The README's pictures: (page key, the role that shows it best, file name in docs/img/).
README_SHOTS = [
    ("board", "employee", "board.png"),
    ("scorecard", "panelist", "scorecard.png"),
    ("journey-map", "manager", "journey-map.png"),
    ("dashboard", "executive", "dashboard.png"),
]


def readme_shots(python: str) -> int:
    """Shoot the README's pictures into a scratch folder, shrink them (pngquant, when it is
    installed) and copy them to docs/img/."""
    import shutil

    scratch = Path(tempfile.mkdtemp(prefix="juncture-readme-"))
    pages = ",".join(key for key, _, _ in README_SHOTS)
    roles = ",".join(role for _, role, _ in README_SHOTS)
    command = [python, __file__, "--out", str(scratch), "--widths", "1366", "--viewport-only"]
    subprocess.run([*command, "--pages", pages, "--roles", roles], check=True)
    dest = ROOT / "docs" / "img"
    dest.mkdir(parents=True, exist_ok=True)
    pngquant = shutil.which("pngquant")
    for key, role, name in README_SHOTS:
        src = scratch / f"{key}__{role}__1366.png"
        if pngquant:
            subprocess.run(
                [pngquant, "--force", "--quality=70-90", "--output", str(dest / name), str(src)],
                check=True,
            )
        else:
            shutil.copy(src, dest / name)
        print(f"{dest / name}: {(dest / name).stat().st_size // 1024} KB")
    return 0


def main() -> int:
    args = parse_args()
    if args.readme:
        return readme_shots(sys.executable)
    widths = [int(w) for w in args.widths.split(",") if w]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="juncture-shots-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        # Production settings, so the app's own 404 and 500 pages show (runserver's debug
        # pages would not) and static files come from collectstatic as deployed.
        "DEBUG": "false",
        "SECRET_KEY": "screenshots-only-" + os.urandom(16).hex(),
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp / "static"),
        "CELERY_BROKER_URL": "",
        "RATELIMIT_ENABLE": "false",
    }
    os.environ.update(env)
    python = sys.executable
    manage = str(ROOT / "manage.py")
    print(f"demo database in {tmp}")
    subprocess.run([python, manage, "migrate", "--noinput", "-v0"], check=True, env=env)
    subprocess.run([python, manage, "collectstatic", "--noinput", "-v0"], check=True, env=env)
    subprocess.run(
        [python, manage, "seed_demo", "--quiet-logins"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from accounts.demo import DEMO_PASSWORD
    from tests.e2e.pages import LOGINS, ROLES, visits

    roles = [r for r in (args.roles.split(",") if args.roles else ROLES) if r]
    wanted = {k for k in args.pages.split(",") if k}
    plan = visits(roles, wanted)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [python, manage, "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    problems: list[str] = []
    count = 0
    try:
        wait_for(f"{base}/healthz")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for role in roles:
                context = browser.new_context(
                    viewport={"width": widths[-1], "height": 900}, reduced_motion="reduce"
                )
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda m, e=errors: m.type == "error" and e.append(m.text))
                page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
                if role != "anonymous":
                    page.goto(f"{base}/accounts/login/")
                    page.get_by_label("E-mail").fill(LOGINS[role])
                    page.get_by_label("Password").fill(DEMO_PASSWORD)
                    page.get_by_role("button", name="Log in").click()
                    page.wait_for_url(f"{base}/")
                for visit_role, key, path in plan:
                    if visit_role != role:
                        continue
                    for width in widths:
                        errors.clear()
                        page.set_viewport_size({"width": width, "height": 900})
                        page.goto(base + path, wait_until="networkidle")
                        overflow = page.evaluate(
                            "document.documentElement.scrollWidth - window.innerWidth"
                        )
                        if overflow > 0:
                            problems.append(f"{key} as {role} at {width}: {overflow}px too wide")
                        for text in errors:
                            if key.startswith("error-") and "Failed to load resource" in text:
                                continue  # the error page's own status
                            problems.append(f"{key} as {role} at {width}: console: {text}")
                        page.screenshot(
                            path=str(out / f"{key}__{role}__{width}.png"),
                            full_page=not args.viewport_only,
                        )
                        count += 1
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{count} screenshots in {out}")
    for line in problems:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

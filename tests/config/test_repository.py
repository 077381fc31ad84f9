"""The repository reads on its own: code, comments and docs never point at documents that
live outside it (the design notes the project grew from) or at issue-tracker numbers."""

import re
import subprocess

from tests.conftest import ROOT

OUTSIDE = re.compile(r"\b(?:DESIGN|STYLE)\.md\b|\bissues?\s+#?\d+\b", re.IGNORECASE)
SUFFIXES = {".py", ".md", ".html", ".js", ".css", ".toml", ".txt", ".sh", ".cfg"}


def _tracked_text_files():
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in names:
        path = ROOT / name
        if "vendor" in path.parts or not path.is_file():
            continue
        if path.suffix in SUFFIXES or path.name in {"Makefile", "run", "smoke"}:
            yield name, path


def test_it_cites_no_document_or_issue_outside_the_repository():
    this_file = "tests/config/test_repository.py"
    hits = [
        f"{name}:{number}: {line.strip()}"
        for name, path in _tracked_text_files()
        if name != this_file
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert hits == []

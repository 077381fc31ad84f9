"""A person's data across apps, without ``accounts`` importing the apps to its right.

Apps that hold personal data register, in their ``AppConfig.ready()``, an exporter (what
goes into the person's download) and an eraser (what account deletion removes or
anonymises there). Account deletion runs every eraser inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_exporters: dict[str, Callable[[Any], Any]] = {}
_erasers: dict[str, Callable[[Any], dict]] = {}


def register(
    name: str,
    *,
    export: Callable[[Any], Any] | None = None,
    erase: Callable[[Any], dict] | None = None,
) -> None:
    """``export(user)`` returns JSON-ready data; ``erase(user)`` returns counts for the audit."""
    if export is not None:
        _exporters[name] = export
    if erase is not None:
        _erasers[name] = erase


def exporters() -> dict[str, Callable[[Any], Any]]:
    return dict(_exporters)


def erasers() -> dict[str, Callable[[Any], dict]]:
    return dict(_erasers)

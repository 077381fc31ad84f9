"""Small typed readers for settings that come from the environment.

Each one fails loudly on a value it cannot parse, so a typo in a deployment
never silently turns into a default (healthchecks' ``envbool`` idea).
"""

import json
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


def env_url(name: str, schemes: tuple[str, ...]) -> str:
    """A URL whose scheme is one of ``schemes``, or "" when unset. The message on a bad
    value names only the scheme: such URLs carry passwords."""
    raw = os.environ.get(name, "").strip()
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if raw and scheme not in schemes:
        wanted = " or ".join(f"{s}://" for s in schemes)
        found = f"{scheme}://..." if scheme else "no scheme"
        raise ImproperlyConfigured(f"{name} must be a URL starting with {wanted}; got {found}")
    return raw


def env_json(name: str, default=None):
    """A JSON document (a list or an object); unset or empty gives ``default``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be valid JSON: {exc}") from None

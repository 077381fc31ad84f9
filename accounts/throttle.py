"""Rate limits shared by every app, on django-ratelimit.

Rates come from ``settings.JUNCTURE_RATES`` (environment variables RATE_*), read at request
time so tests can override them. A limited request raises ``Ratelimited``; the middleware
renders it as 429 (``config.views.ratelimited``) and the API's exception handler as a 429
JSON body.

The counters live in the cache. When the cache cannot be reached, a limit guarding sign-in
or sign-up fails closed (the attempt is refused with 429, since guessing passwords or
creating accounts unchecked is the risk), and every other limit fails open (the request goes
through uncounted, since the site must keep working).
"""

import functools
import logging

from django.conf import settings
from django_ratelimit.core import get_usage, is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

__all__ = [
    "CACHE_ERRORS",
    "Ratelimited",
    "cache_down",
    "limited_by",
    "login_failure_limited",
    "record_login_failure",
]

logger = logging.getLogger(__name__)

# What a cache that is down raises: the Redis client's errors (ConnectionError, TimeoutError)
# derive from RedisError; socket-level failures are OSError.
try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisError = OSError  # type: ignore[misc, assignment]
CACHE_ERRORS = (RedisError, OSError)


def rate(name: str):
    """A rate callable for django-ratelimit that reads JUNCTURE_RATES[name] per request."""

    def _rate(group, request):
        return settings.JUNCTURE_RATES[name]

    return _rate


def limited_by(
    name: str, *, key: str = "user_or_ip", method=ratelimit.UNSAFE, fail_closed: bool = False
):
    """Decorator: at most JUNCTURE_RATES[name] unsafe requests per key; 429 beyond.

    ``fail_closed``: refuse the request when the cache holding the counters is down
    (sign-in, sign-up); otherwise let it through."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                limited = is_ratelimited(
                    request,
                    group=f"juncture.{name}",
                    key=key,
                    rate=rate(name),
                    method=method,
                    increment=True,
                )
            except CACHE_ERRORS as exc:
                cache_down(name, exc, fail_closed)
                limited = fail_closed
            if limited:
                raise Ratelimited()
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def cache_down(name: str, exc: Exception, fail_closed: bool) -> None:
    outcome = "refusing" if fail_closed else "allowing"
    logger.warning("rate limit %s: cache unavailable, %s the request: %s", name, outcome, exc)


def _login_keys(request, email: str):
    # Count failures per client address and per e-mail, so neither one address trying many
    # accounts nor many addresses trying one account gets unlimited guesses.
    yield "ip"
    if email:
        yield lambda group, req: f"email:{email.strip().lower()}"


def login_failure_limited(request, email: str) -> bool:
    """True once the address or the e-mail has used up its failures (checked, not counted);
    also True when the cache holding the counts is down (fails closed)."""
    for key in _login_keys(request, email):
        try:
            usage = get_usage(
                request,
                group="juncture.login_failures",
                key=key,
                rate=rate("login_failures"),
                method=ratelimit.ALL,
                increment=False,
            )
        except CACHE_ERRORS as exc:
            cache_down("login_failures", exc, fail_closed=True)
            return True
        if usage is not None and usage["count"] >= usage["limit"]:
            return True
    return False


def record_login_failure(request, email: str) -> None:
    for key in _login_keys(request, email):
        try:
            is_ratelimited(
                request,
                group="juncture.login_failures",
                key=key,
                rate=rate("login_failures"),
                method=ratelimit.ALL,
                increment=True,
            )
        except CACHE_ERRORS as exc:
            # Nothing to count into; login_failure_limited already refuses while it is down.
            cache_down("login_failures", exc, fail_closed=True)
            return

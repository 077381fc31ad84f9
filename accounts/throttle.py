"""Rate limits shared by every app, on django-ratelimit.

Rates come from ``settings.JUNCTURE_RATES`` (environment variables RATE_*), read at request
time so tests can override them. A limited request raises ``Ratelimited``; the middleware
renders it as 429 (``config.views.ratelimited``) and the API's exception handler as a 429
JSON body.
"""

from django.conf import settings
from django_ratelimit.core import get_usage, is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

__all__ = ["Ratelimited", "limited_by", "login_failure_limited", "record_login_failure"]


def rate(name: str):
    """A rate callable for django-ratelimit that reads JUNCTURE_RATES[name] per request."""

    def _rate(group, request):
        return settings.JUNCTURE_RATES[name]

    return _rate


def limited_by(name: str, *, key: str = "user_or_ip", method=ratelimit.UNSAFE):
    """Decorator: at most JUNCTURE_RATES[name] unsafe requests per key; 429 beyond."""
    return ratelimit(group=f"juncture.{name}", key=key, rate=rate(name), method=method, block=True)


def _login_keys(request, email: str):
    # Count failures per client address and per e-mail, so neither one address trying many
    # accounts nor many addresses trying one account gets unlimited guesses.
    yield "ip"
    if email:
        yield lambda group, req: f"email:{email.strip().lower()}"


def login_failure_limited(request, email: str) -> bool:
    """True once the address or the e-mail has used up its failures (checked, not counted)."""
    for key in _login_keys(request, email):
        usage = get_usage(
            request,
            group="juncture.login_failures",
            key=key,
            rate=rate("login_failures"),
            method=ratelimit.ALL,
            increment=False,
        )
        if usage is not None and usage["count"] >= usage["limit"]:
            return True
    return False


def record_login_failure(request, email: str) -> None:
    for key in _login_keys(request, email):
        is_ratelimited(
            request,
            group="juncture.login_failures",
            key=key,
            rate=rate("login_failures"),
            method=ratelimit.ALL,
            increment=True,
        )

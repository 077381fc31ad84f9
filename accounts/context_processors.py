from django.utils.functional import SimpleLazyObject

from accounts import layout
from accounts.rules import email_verification_pending


def nav(request) -> dict:
    """``nav``: the navigation's permissions, each asked once per request when first read
    (``accounts.layout.Nav``)."""
    return {"nav": layout.nav(getattr(request, "user", None))}


def verification(request) -> dict:
    """``email_pending`` for the banner that offers a new confirmation link: evaluated only
    for customers (employees' addresses are vouched for), and shares the rules' cache."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.kind != "customer":
        return {"email_pending": False}
    return {"email_pending": SimpleLazyObject(lambda: email_verification_pending(user))}

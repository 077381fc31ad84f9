"""Pseudonymisation and masking applied to every feedback row before it is stored."""

import hashlib
import hmac
import re

from django.conf import settings

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A phone-like run: an optional + or 00, then digits with spaces, dots, dashes or brackets.
# Whether it is a phone is decided on its digit count (below), so amounts ("2,300"), short
# numbers and ISO dates are left alone.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ().-]{5,}\d(?!\w)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGIT = re.compile(r"\d")
MIN_PHONE_DIGITS = 8


def customer_ref(customer_id: str) -> str:
    """HMAC-SHA256 of the source's customer id with the ``FEEDBACK_PEPPER`` secret (hex).

    The id is normalised (trimmed, case-folded) but not prefixed with its source: banks share
    one customer number across their silos, and the single customer view depends on it.
    An empty id gives an empty ref (an anonymous item)."""
    normalised = (customer_id or "").strip().casefold()
    if not normalised:
        return ""
    key = settings.FEEDBACK_PEPPER.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def _phone(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if _ISO_DATE.fullmatch(text.strip()):
        return text
    if digits >= 9 or (text.startswith(("+", "00")) and digits >= MIN_PHONE_DIGITS):
        return PHONE_MASK
    return text


def mask(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by placeholders."""
    if not text:
        return ""
    # Cheap tests first (C speed): most verbatims hold no "@" and too few digits for a phone,
    # and the import masks every row.
    if "@" in text:
        text = _EMAIL.sub(EMAIL_MASK, text)
    if len(_DIGIT.findall(text)) >= MIN_PHONE_DIGITS:
        text = _PHONE.sub(_phone, text)
    return text

"""Presentation helpers every template shares: ``{% load juncture %}``.

One spelling each, so a date, an amount or a status reads the same on every page:

- ``{{ value|date_short }}`` → "10 Dec 2026"; ``{{ value|datetime_short }}`` → "10 Dec 2026, 14:05"
  (aware datetimes in the current time zone); ``{{ value|date_day }}`` → "10 Dec" (the year only
  when it is not this year).
- ``{{ amount|money:currency }}`` → "€4,000,000", "€1,250.50": symbol and grouping by the active
  language; cents only when there are any. ``{{ amount|money_short:currency }}`` → "€4M".
- ``{{ 7.04|percent }}`` → "7.0%" (``percent:0`` → "7%").
- ``{{ "in_review"|status_label }}`` → "In review"; ``{% status_badge code %}`` renders it as a
  badge with a tone and an icon, so colour is never the only signal.
- ``{% icon "lightbulb" %}`` inlines one icon of the vendored set (``static/vendor/lucide``),
  hidden from assistive technology unless given ``label="..."``.
- ``{% stepper_steps sequence current as steps %}`` feeds ``components/stepper.html``;
  ``{% stepper sequence current label="..." %}`` is both in one tag, rendered once per process.
- ``{% form_field field %}`` and ``{% form_errors form %}`` are the includes of
  ``components/field.html`` and ``components/form_errors.html``, written in Python
  (``core.forms``) with the same markup.

``core`` imports no other app, so the tone of a status is keyed by its code alone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache

from django import template
from django.contrib.staticfiles import finders
from django.template.defaultfilters import date as date_format
from django.template.loader import get_template
from django.utils import formats, numberformat, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

from core.forms import field_html, form_errors_html

register = template.Library()

# --- dates ---------------------------------------------------------------------------------
DATE_SHORT = "j M Y"
DATETIME_SHORT = "j M Y, H:i"


def _local(value):
    # Aware datetimes are shown in the current time zone, also when called from Python.
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def date_short(value: date | datetime | None) -> str:
    """The one date format: "10 Dec 2026". Empty for None."""
    if value in (None, ""):
        return ""
    return date_format(_local(value), DATE_SHORT)


@register.filter
def date_day(value: date | datetime | None) -> str:
    """A day without the year when it is this year: "10 Dec"; "3 Jan 2027" otherwise."""
    if value in (None, ""):
        return ""
    value = _local(value)
    this_year = value.year == timezone.localdate().year
    return date_format(value, "j M" if this_year else DATE_SHORT)


@register.filter
def datetime_short(value: datetime | None) -> str:
    """A date with its time: "10 Dec 2026, 14:05" (in the current time zone)."""
    if value in (None, ""):
        return ""
    return date_format(_local(value), DATETIME_SHORT)


# --- money ---------------------------------------------------------------------------------
CURRENCY_SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "CHF": "CHF",
    "SEK": "kr",
    "NOK": "kr",
    "DKK": "kr",
    "PLN": "zł",
    "CAD": "CA$",
    "AUD": "A$",
}
# Currencies written without minor units.
ZERO_DECIMAL = frozenset({"JPY", "KRW", "ISK", "CLP", "VND"})
# Languages that write the symbol after the amount ("1.250,50 €"); English and the rest put it
# before ("€1,250.50"). Separators and grouping come from Django's locale formats.
SYMBOL_AFTER = frozenset({"de", "fr", "es", "it", "pt", "fi", "sv", "da", "nb", "pl", "cs", "sk"})
MINUS = "\u2212"


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _group(amount: Decimal, places: int) -> str:
    return numberformat.format(
        amount,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=formats.get_format("NUMBER_GROUPING") or 3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def _with_symbol(number: str, currency: str, negative: bool) -> str:
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code, code)
    language = (translation.get_language() or "en").split("-")[0]
    if language in SYMBOL_AFTER:
        text = f"{number}\u00a0{symbol}" if symbol else number
    elif symbol and (len(symbol) > 1 and symbol.isalpha()):
        text = f"{symbol}\u00a0{number}"  # "CHF 1,250.50"
    else:
        text = f"{symbol}{number}"
    return f"{MINUS}{text}" if negative else text


@register.filter
def money(value, currency: str = "EUR") -> str:
    """ "€4,000,000" / "€1,250.50" / "-€75" (with a true minus sign): cents only when there are
    any; empty for None."""
    amount = _decimal(value)
    if amount is None:
        return ""
    code = (currency or "").upper()
    places = 0 if code in ZERO_DECIMAL or amount == amount.to_integral_value() else 2
    rounded = abs(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _with_symbol(_group(rounded, places), code, amount < 0)


@register.filter
def money_short(value, currency: str = "EUR") -> str:
    """A compact amount for tiles and chart labels: "€4M", "€1.3M", "€120k", "€950"."""
    amount = _decimal(value)
    if amount is None:
        return ""
    size = abs(amount)
    for step, suffix in ((Decimal(1_000_000_000), "bn"), (Decimal(1_000_000), "M")):
        if size >= step:
            scaled = (size / step).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
            places = 0 if scaled == scaled.to_integral() else 1
            return _with_symbol(f"{_group(scaled, places)}{suffix}", currency, amount < 0)
    if size >= 10_000:
        scaled = (size / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return _with_symbol(f"{_group(scaled, 0)}k", currency, amount < 0)
    return money(value, currency)


@register.filter
def percent(value, places: int = 1) -> str:
    """ "7.0%" for 7.04 (a value already in percent)."""
    number = _decimal(value)
    if number is None:
        return ""
    places = int(places)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{_group(rounded, places)}%"


# --- statuses ------------------------------------------------------------------------------
# Labels that the generic rule ("in_review" -> "In review") would get wrong.
STATUS_LABELS = {
    "in_experiment": "In experiment",
    "new_experience": "New experience",
    "new_interaction_model": "New interaction model",
    "new_technology": "New technology",
    "new_product_or_service": "New product or service",
}

# The tone of a status code, for its badge: where it stands, not which app owns it.
STATUS_TONES = {
    # moving forward, waiting on someone
    "submitted": "active",
    "screening": "active",
    "in_review": "active",
    "shortlisted": "active",
    "open": "active",
    # a good outcome
    "approved": "positive",
    "funded": "positive",
    "in_experiment": "positive",
    "launched": "positive",
    "committed": "positive",
    "closed": "positive",
    "done": "positive",
    # stopped
    "rejected": "negative",
    "overdue": "negative",
    # set aside, or not started
    "parked": "neutral",
    "merged": "neutral",
    "released": "neutral",
    "draft": "draft",
}
TONE_ICONS = {
    "active": "circle-dot",
    "positive": "circle-check",
    "negative": "circle-x",
    "neutral": "circle-pause",
    "draft": "pencil",
}


@register.filter
def status_label(value) -> str:
    """A status code as people read it: "in_review" -> "In review"."""
    if value in (None, ""):
        return ""
    code = str(value)
    if code in STATUS_LABELS:
        return STATUS_LABELS[code]
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:].lower()


@register.filter
def status_tone(value) -> str:
    """active | positive | negative | neutral | draft (``neutral`` for an unknown code)."""
    return STATUS_TONES.get(str(value), "neutral")


@register.simple_tag
def status_badge(code, label: str | None = None) -> SafeString:
    """``<span class="badge status status--active">`` with an icon and the label."""
    if label is None and type(code) in _PLAIN_TEXT:
        # A board shows twenty badges of a dozen statuses: each built once per process.
        return _status_badge(str(code), isinstance(code, SafeData))
    return _status_badge_html(code, label)


@lru_cache(maxsize=256)
def _status_badge(code: str, safe: bool) -> SafeString:
    return _status_badge_html(mark_safe(code) if safe else code, None)


def _status_badge_html(code, label: str | None) -> SafeString:
    tone = status_tone(code)
    return format_html(
        '<span class="badge status status--{} status-{}" data-status="{}">{}<span>{}</span></span>',
        tone,
        code,
        code,
        icon(TONE_ICONS[tone]),
        label or status_label(code),
    )


# --- icons ---------------------------------------------------------------------------------
# Plain text, and text marked safe (a template's string literals are): their markup can be
# kept per value.
_PLAIN_TEXT = (str, SafeString)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)


@cache
def _icon_body(name: str) -> str:
    """The inner markup of a vendored icon (paths and shapes), read once per process."""
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(f"bad icon name {name!r}")
    path = finders.find(f"vendor/lucide/icons/{name}.svg")
    if path is None:
        raise ValueError(f"no icon {name!r} in static/vendor/lucide/icons/")
    with open(path, encoding="utf-8") as fh:
        svg = fh.read()
    start = _SVG_OPEN.search(svg)
    end = svg.rindex("</svg>")
    return " ".join(svg[start.end() : end].split())


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20, css: str = "") -> SafeString:
    """An inline icon (no request, no CSP exception). Decorative unless ``label`` is given.

    Its markup depends on the arguments alone, so each combination is built once per process
    (a page shows up to ~120 icons); a label that is not plain text (lazy, or marked safe) is
    built every time."""
    if type(name) in _PLAIN_TEXT and type(label) in _PLAIN_TEXT and type(css) in _PLAIN_TEXT:
        safe = (isinstance(label, SafeData), isinstance(css, SafeData))
        return _icon(str(name), str(label), int(size), str(css), safe)
    return _icon_html(name, label, size, css)


@lru_cache(maxsize=1024)
def _icon(name: str, label: str, size: int, css: str, safe: tuple[bool, bool]) -> SafeString:
    # Text marked safe (a template's string literals are) is not escaped: keep that apart.
    label = mark_safe(label) if safe[0] else label
    css = mark_safe(css) if safe[1] else css
    return _icon_html(name, label, size, css)


def _icon_html(name: str, label, size, css: str) -> SafeString:
    body = _icon_body(name)
    a11y = (
        format_html('role="img" aria-label="{}"', label)
        if label
        else mark_safe('aria-hidden="true" focusable="false"')
    )
    return format_html(
        '<svg class="icon icon-{}{}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        "{}>{}</svg>",
        name,
        f" {css}" if css else "",
        int(size),
        int(size),
        a11y,
        mark_safe(body),
    )


# --- stepper -------------------------------------------------------------------------------
@register.simple_tag
def stepper_steps(sequence, current, labels=None) -> list[dict]:
    """Steps for ``components/stepper.html`` from an ordered sequence of codes (a list, or a
    space-separated string) and the current code: each step is ``done``, ``current`` or
    ``todo``. A current code outside the sequence (parked, rejected) marks no step, so the
    page shows that status beside the stepper. ``labels`` maps a code to its label
    (default: ``status_label``)."""
    codes = sequence.split() if isinstance(sequence, str) else list(sequence)
    position = codes.index(current) if current in codes else -1
    steps = []
    for i, code in enumerate(codes):
        state = "done" if i < position else "current" if i == position else "todo"
        label = (labels or {}).get(code) or status_label(code)
        steps.append({"code": code, "label": label, "state": state})
    return steps


# --- form fields -------------------------------------------------------------------------
@register.simple_tag
def form_field(field) -> SafeString:
    """``{% include "components/field.html" %}`` with ``field``, in Python (``core.forms``)."""
    return field_html(field)


@register.simple_tag
def form_errors(form) -> SafeString:
    """``{% include "components/form_errors.html" %}`` with ``form``, in Python."""
    return form_errors_html(form)


@register.simple_tag
def stepper(sequence, current, label="") -> SafeString:
    """``{% stepper_steps sequence current as steps %}`` then ``{% include
    "components/stepper.html" %}`` with ``label``, in one tag. The markup depends on the
    three strings alone, so each combination is rendered once per process (an idea page
    renders the same eight steps for every idea in a status)."""
    if (
        type(sequence) in _PLAIN_TEXT
        and type(current) in _PLAIN_TEXT
        and type(label) in _PLAIN_TEXT
    ):
        return _stepper(str(sequence), str(current), str(label), isinstance(label, SafeData))
    return _stepper_html(sequence, current, label)


@lru_cache(maxsize=256)
def _stepper(sequence: str, current: str, label: str, safe: bool) -> SafeString:
    return _stepper_html(sequence, current, mark_safe(label) if safe else label)


def _stepper_html(sequence, current, label) -> SafeString:
    steps = stepper_steps(sequence, current)
    return get_template("components/stepper.html").render({"steps": steps, "label": label})


# --- navigation ----------------------------------------------------------------------------
@register.simple_tag(takes_context=True)
def aria_current(context, url: str, exact: bool = False, unless: str = "") -> str:
    """``aria-current="page"`` on the nav link of the section the request is in: the path
    equals ``url`` or (unless ``exact``) starts with it, and is not ``unless``."""
    request = context.get("request")
    return aria_current_attribute(getattr(request, "path", ""), url, exact, unless)


_ARIA_CURRENT = mark_safe(' aria-current="page"')


def aria_current_attribute(path: str, url: str, exact: bool = False, unless: str = "") -> str:
    """The attribute ``{% aria_current %}`` writes, for the request's ``path``."""
    if not url or (unless and path == unless):
        return ""
    hit = path == url if exact or url == "/" else path.startswith(url)
    return _ARIA_CURRENT if hit else ""

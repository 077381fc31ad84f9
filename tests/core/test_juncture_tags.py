"""The shared presentation filters: one date format, one money format, status labels."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.juncture import (
    date_short,
    datetime_short,
    money,
    money_short,
    percent,
    status_label,
    status_tone,
    stepper_steps,
)


def test_it_writes_one_short_date():
    assert date_short(date(2026, 12, 10)) == "10 Dec 2026"
    assert date_short(None) == ""


def test_it_writes_a_datetime_in_the_current_time_zone(settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    # 13:05 UTC is 14:05 in Amsterdam in winter.
    assert datetime_short(datetime(2026, 12, 10, 13, 5, tzinfo=UTC)) == "10 Dec 2026, 14:05"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("4000000.00"), "EUR", "€4,000,000"),
        (Decimal("1250.50"), "EUR", "€1,250.50"),
        ("1250.5", "eur", "€1,250.50"),
        (Decimal("0.005"), "EUR", "€0.01"),
        (-75, "GBP", "\u2212£75"),
        (1000, "JPY", "¥1,000"),
        (Decimal("1250.50"), "CHF", "CHF\u00a01,250.50"),
        (Decimal("12"), "XYZ", "XYZ\u00a012"),
        (None, "EUR", ""),
        ("n/a", "EUR", ""),
    ],
)
def test_it_formats_money_with_symbol_and_grouping(amount, currency, shown):
    assert money(amount, currency) == shown


def test_it_formats_money_by_the_active_language():
    with translation.override("de"):
        assert money(Decimal("1250.50"), "EUR") == "1.250,50\u00a0€"


def test_it_shortens_money_for_tiles():
    assert money_short(4_000_000, "EUR") == "€4M"
    assert money_short(1_250_000, "EUR") == "€1.3M"
    assert money_short(120_000, "EUR") == "€120k"
    assert money_short(950, "EUR") == "€950"


def test_it_formats_a_percentage():
    assert percent(Decimal("7.04")) == "7.0%"
    assert percent("7.05", 0) == "7%"


def test_it_labels_statuses_the_same_way_everywhere():
    assert status_label("in_review") == "In review"
    assert status_label("in_experiment") == "In experiment"
    assert status_label("submitted") == "Submitted"
    assert status_tone("funded") == "positive"
    assert status_tone("rejected") == "negative"
    assert status_tone("no-such-code") == "neutral"


def test_the_status_badge_carries_a_label_and_an_icon_not_only_a_colour():
    html = Template('{% load juncture %}{% status_badge "in_review" %}').render(Context())
    assert "status--active" in html
    assert "<svg" in html and 'aria-hidden="true"' in html
    assert "<span>In review</span>" in html


def test_an_icon_is_decorative_unless_labelled():
    plain = Template('{% load juncture %}{% icon "bell" %}').render(Context())
    named = Template('{% load juncture %}{% icon "bell" label="Notifications" %}').render(Context())
    assert 'aria-hidden="true"' in plain
    assert 'role="img" aria-label="Notifications"' in named


def test_an_unknown_icon_is_an_error_not_a_blank():
    with pytest.raises(ValueError):
        Template('{% load juncture %}{% icon "no-such-icon" %}').render(Context())


def test_the_stepper_marks_done_current_and_todo():
    steps = stepper_steps("draft submitted screening", "submitted")
    assert [(s["label"], s["state"]) for s in steps] == [
        ("Draft", "done"),
        ("Submitted", "current"),
        ("Screening", "todo"),
    ]
    assert {s["state"] for s in stepper_steps(["draft", "submitted"], "parked")} == {"todo"}


def test_icons_and_badges_kept_per_value_escape_as_before():
    # Built once per value and kept: plain text is escaped, text marked safe is not, and the
    # two never share a kept copy.
    from django.utils.safestring import mark_safe

    from core.templatetags.juncture import icon, status_badge

    plain = icon("bell", label="a&b")
    safe = icon("bell", label=mark_safe("a&b"))
    assert 'aria-label="a&amp;b"' in plain and 'aria-label="a&b"' in safe
    assert icon("bell", label="a&b") == plain and icon("bell", size="16") == icon("bell", size=16)
    assert status_badge("in_review") == status_badge("in_review", None)
    assert "In review" in status_badge("in_review") and "Hi" in status_badge("x", "Hi")

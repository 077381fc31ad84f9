"""Which fiscal year a page shows when none is chosen."""

from datetime import date

from budgets.models import FiscalYear
from budgets.selectors import default_fiscal_year


def _fy(label, starts_on, ends_on):
    return FiscalYear(label=label, starts_on=starts_on, ends_on=ends_on)


def test_it_picks_the_year_containing_today():
    fy2027 = _fy("FY2027", date(2027, 1, 1), date(2027, 12, 31))
    fy2026 = _fy("FY2026", date(2026, 1, 1), date(2026, 12, 31))
    assert default_fiscal_year([fy2027, fy2026], today=date(2026, 11, 30)) is fy2026


def test_it_falls_back_to_the_newest_year_when_none_contains_today():
    fy2025 = _fy("FY2025", date(2025, 1, 1), date(2025, 12, 31))
    fy2024 = _fy("FY2024", date(2024, 1, 1), date(2024, 12, 31))
    assert default_fiscal_year([fy2025, fy2024], today=date(2026, 11, 30)) is fy2025


def test_it_is_none_without_years():
    assert default_fiscal_year([], today=date(2026, 11, 30)) is None

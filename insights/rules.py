"""Permissions of the insights pages, each defined once and checked by name everywhere
(views, the DRF permission class, the nav).

- ``insights.view_journey_map``: the journey map and its cell panels, page and API (staff
  only; customers never see the map).
- ``insights.view_funding``: money on the map (allocated per stage, the funding heat) — the
  people who read the budget dashboard: managers and executives.
- ``insights.view_dashboard``: the executive dashboard, its CSV export and the summary API.
- ``insights.view_portfolio``: the portfolio (what the money bought), page, CSV and API.
- ``insights.view_accuracy``: panel accuracy (scores against experiment outcomes), page
  and API. Creating a scorecard version from its suggestion is ``scoring.manage_scorecards``.
"""

import rules

from accounts.rules import is_employee, is_executive, is_manager

rules.add_perm("insights.view_journey_map", is_employee | is_manager)
rules.add_perm("insights.view_funding", is_manager | is_executive)
rules.add_perm("insights.view_dashboard", is_manager | is_executive)
# The headline KPIs on the home page: the executives' start (managers start from triage,
# with the dashboard a click away).
rules.add_perm("insights.view_headline", is_executive)
rules.add_perm("insights.view_portfolio", is_manager | is_executive)
rules.add_perm("insights.view_accuracy", is_manager | is_executive)

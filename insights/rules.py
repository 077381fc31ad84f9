"""Permissions of the insights pages, each defined once and checked by name everywhere
(views, the DRF permission class, the nav).

- ``insights.view_journey_map``: the journey map and its cell panels, page and API (staff
  only; customers never see the map).
- ``insights.view_funding``: money on the map (allocated per stage, the funding heat) — the
  people who read the budget dashboard: managers and executives.
- ``insights.view_dashboard``: the executive dashboard, its CSV export and the summary API.
"""

import rules

from accounts.rules import is_employee, is_executive, is_manager

rules.add_perm("insights.view_journey_map", is_employee | is_manager)
rules.add_perm("insights.view_funding", is_manager | is_executive)
rules.add_perm("insights.view_dashboard", is_manager | is_executive)

"""Permissions of the budgets app, each defined once and checked by name everywhere
(HTML views, the DRF permission class, templates)."""

import rules

from accounts.rules import is_executive, is_manager

can_read_budgets = is_manager | is_executive

# Executives and innovation managers read the fiscal years, allocations and spend (the
# dashboard built on them is insights.view_dashboard).
rules.add_perm("budgets.view_fiscalyear", can_read_budgets)
rules.add_perm("budgets.view_allocation", can_read_budgets)
rules.add_perm("budgets.view_spend", can_read_budgets)
# Only innovation managers write: fiscal years (and their management page), allocations,
# releases and spend.
rules.add_perm("budgets.manage_fiscalyear", is_manager)
rules.add_perm("budgets.add_allocation", is_manager)
rules.add_perm("budgets.release_allocation", is_manager)
rules.add_perm("budgets.add_spend", is_manager)

"""Permissions of the journeys app, each defined once and checked by name everywhere.

- ``journeys.view_map``: the journeys API (journeys and their stages; staff only, as the
  map built on them in insights).
- ``journeys.manage_journey``: edit journeys, stages and moments (innovation managers).
- ``journeys.choose_moment``: read a stage's moment names to fill the idea form's select
  (anyone signed in: customers submit ideas too).
"""

import rules

from accounts.rules import is_employee, is_manager, is_signed_in

rules.add_perm("journeys.view_map", is_employee | is_manager)
rules.add_perm("journeys.manage_journey", is_manager)
rules.add_perm("journeys.choose_moment", is_signed_in)

"""Permissions of the outcomes app, each defined once and checked by name everywhere
(HTML views, the API's RulesPermission, templates with ``{% has_perm %}``, services).

Objects: an Idea, an Experiment, a Measurement or a ValueRecord (the rule finds the idea).
Experiments and value records are internal facts: customers never see them (value records
are money). The idea's accountable owner and innovation managers write; other employees
(executives included) read.
"""

import rules

from accounts.rules import is_employee, is_manager
from ideas.models import Idea
from outcomes.models import Experiment, Measurement, ValueRecord


def _idea(obj) -> Idea | None:
    if isinstance(obj, Idea):
        return obj
    if isinstance(obj, Experiment | ValueRecord):
        return obj.idea
    if isinstance(obj, Measurement):
        return obj.experiment.idea
    return None


@rules.predicate
def is_idea_owner(user, obj) -> bool:
    idea = _idea(obj)
    return idea is not None and user.is_authenticated and idea.owner_id == user.pk


@rules.predicate
def can_see_idea(user, obj) -> bool:
    idea = _idea(obj)
    if idea is None:
        return bool(user and user.is_authenticated)
    return idea.is_visible_to(user)


is_staff_reader = is_employee | is_manager
is_owner_or_manager = is_manager | (is_employee & is_idea_owner)

# Reading: employees who may see the idea.
rules.add_perm("outcomes.view_experiment", is_staff_reader & can_see_idea)
rules.add_perm("outcomes.view_value", is_staff_reader & can_see_idea)
# Writing: the idea's accountable owner or an innovation manager.
rules.add_perm("outcomes.add_experiment", can_see_idea & is_owner_or_manager)
rules.add_perm("outcomes.change_experiment", can_see_idea & is_owner_or_manager)
rules.add_perm("outcomes.add_measurement", can_see_idea & is_owner_or_manager)
rules.add_perm("outcomes.decide_experiment", can_see_idea & is_owner_or_manager)
rules.add_perm("outcomes.add_value", can_see_idea & is_owner_or_manager)

"""Permissions of the scoring app, each defined once and checked by name everywhere."""

import rules

from accounts.rules import is_employee, is_manager


@rules.predicate
def is_panelist(user) -> bool:
    """A member of any panel (the nav's "My reviews"). Cached on the user object for the
    request, as django-rules does for group membership: the nav asks on every page. A
    session's user arrives with it already set (``is_panelist_expression``)."""
    if not (user and user.is_authenticated):
        return False
    if not hasattr(user, "_scoring_is_panelist"):
        user._scoring_is_panelist = user.panels.exists()
    return user._scoring_is_panelist


def is_panelist_expression():
    """The same fact as an expression on the user query (see ``accounts.layout``)."""
    from django.db.models import Exists, OuterRef

    from scoring.models import Panel

    return Exists(Panel.members.through.objects.filter(user=OuterRef("pk")))


@rules.predicate
def is_assigned_reviewer(user, assignment) -> bool:
    return assignment is not None and assignment.reviewer_id == getattr(user, "pk", None)


@rules.predicate
def is_round_closed(user, round) -> bool:
    return round is not None and round.status == "closed"


@rules.predicate
def is_member_of_round_panel(user, round) -> bool:
    if round is None or not getattr(user, "is_authenticated", False):
        return False
    return round.panel.members.filter(pk=user.pk).exists()


rules.add_perm("scoring.review", is_panelist)
rules.add_perm("scoring.score_assignment", is_assigned_reviewer)
rules.add_perm("scoring.view_signals", is_employee)
rules.add_perm("scoring.manage_rounds", is_manager)
rules.add_perm("scoring.manage_panels", is_manager)
# New scorecard versions (e.g. from the weights panel accuracy suggests).
rules.add_perm("scoring.manage_scorecards", is_manager)
rules.add_perm("scoring.view_round", is_manager)
rules.add_perm("scoring.recompute", is_manager)
# Results: managers at any time; the round's panelists once it has closed.
rules.add_perm("scoring.view_results", is_manager | (is_round_closed & is_member_of_round_panel))

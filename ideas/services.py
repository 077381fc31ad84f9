"""Writes of the ideas app. HTML views, the API, commands, tasks and other apps call these."""

from ideas.models import Idea, IdeaTransition
from ideas.workflow import TransitionError
from ideas.workflow import idea_transition as _workflow_transition

__all__ = ["TransitionError", "idea_transition"]


def idea_transition(
    *,
    idea: Idea,
    to: str,
    actor,
    reason: str = "",
    override: bool = False,
    expected_from: str | None = None,
) -> IdeaTransition:
    """Move an idea through the stage-gate workflow (see ideas.workflow.idea_transition).

    This is the entry point every caller uses (views, API, scoring, budgets): it is where the
    side effects of a status change (follower notifications, e-mail) hang.
    """
    return _workflow_transition(
        idea=idea, to=to, actor=actor, reason=reason, override=override, expected_from=expected_from
    )

"""Reads of the ideas app shared by the HTML views and the API (the reusable ones that start
from a model are QuerySet methods in ``ideas.models``)."""

from ideas.models import Comment, Idea


def visible_comments(idea: Idea, user):
    """Comments of ``idea`` the user may read: internal ones only for employees; hidden
    ones only for moderators (flagged), gone for everyone else."""
    qs = Comment.objects.filter(idea=idea).select_related("author")
    if not user.has_perm("ideas.view_internal_comments"):
        qs = qs.filter(is_internal=False)
    if not user.has_perm("ideas.moderate_comment"):
        qs = qs.filter(is_hidden=False)
    return qs

"""Reads of the ideas app shared by the HTML views and the API (the reusable ones that start
from a model are QuerySet methods in ``ideas.models``)."""

from django.db.models import Q

from ideas.models import Comment, Idea, published


def visible_comments(idea: Idea, user):
    """Comments of ``idea`` the user may read: internal ones only for employees; of other
    people's comments only the published ones, except for moderators (who see held,
    rejected and hidden comments with their state). Authors always see their own."""
    # The idea and its campaign ride along: the rules asked per comment (may this reader
    # flag it?) read them.
    qs = Comment.objects.filter(idea=idea).select_related("author", "idea__campaign")
    if not user.has_perm("ideas.view_internal_comments"):
        qs = qs.filter(is_internal=False)
    if not user.has_perm("ideas.moderate"):
        qs = qs.filter(published() | Q(author=user))
    return qs

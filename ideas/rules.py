"""Permissions of the ideas app, each defined once and checked by name everywhere
(HTML views, the API's RulesPermission, templates with ``{% has_perm %}``, services).

Objects: most perms take an Idea; comment perms take a Comment or an Idea; attachment
download takes an Attachment; campaign perms take a Campaign. Without an object a perm
answers "could this person do this to some object" (used for list pages and nav).
"""

import rules

from accounts.models import Kind
from accounts.rules import (
    is_customer,
    is_employee,
    is_manager,
    is_moderator,
    is_signed_in,
    is_verified_or_staff,
)
from ideas.models import (
    CUSTOMER_AUDIENCES,
    OPEN,
    Attachment,
    Comment,
    Evidence,
    Idea,
    Moderation,
    Status,
)

EDITABLE = {Status.DRAFT, Status.SUBMITTED}


def _idea(obj):
    if isinstance(obj, Idea):
        return obj
    if isinstance(obj, Comment | Attachment | Evidence):
        return obj.idea
    return None


@rules.predicate
def can_see_idea(user, obj) -> bool:
    idea = _idea(obj)
    if idea is None:
        return bool(user and user.is_authenticated)
    return idea.is_visible_to(user)


@rules.predicate
def is_idea_author(user, obj) -> bool:
    idea = _idea(obj)
    return idea is not None and user.is_authenticated and idea.author_id == user.pk


@rules.predicate
def is_idea_owner(user, obj) -> bool:
    idea = _idea(obj)
    return idea is not None and user.is_authenticated and idea.owner_id == user.pk


@rules.predicate
def is_evidence_adder(user, obj) -> bool:
    return isinstance(obj, Evidence) and user.is_authenticated and obj.added_by_id == user.pk


@rules.predicate
def takes_evidence(user, obj) -> bool:
    """Evidence goes to ideas still open (not launched, rejected or merged)."""
    idea = _idea(obj)
    return idea is None or idea.status in OPEN - {Status.MERGED}


@rules.predicate
def is_editable(user, obj) -> bool:
    idea = _idea(obj)
    return idea is None or idea.status in EDITABLE


@rules.predicate
def is_draft(user, obj) -> bool:
    idea = _idea(obj)
    return idea is not None and idea.status == Status.DRAFT


@rules.predicate
def is_engageable(user, obj) -> bool:
    """Supports, comments and follows go to ideas that are out in the open and not merged."""
    idea = _idea(obj)
    return idea is None or idea.status not in {Status.DRAFT, Status.MERGED}


@rules.predicate
def is_hidden_authors_step(user, transition) -> bool:
    """A status change made by the author of an anonymous idea (their "created" and
    "submitted" steps): naming its actor would name the author."""
    if transition is None:
        return False
    idea = transition.idea  # cached when listed through ``idea.transitions``
    return idea.is_anonymous and transition.actor_id == idea.author_id


@rules.predicate
def is_transition_idea_author(user, transition) -> bool:
    return transition is not None and is_idea_author(user, transition.idea)


@rules.predicate
def can_read_content(user, obj) -> bool:
    """The idea, or the comment, is one the user reads: the idea is visible to them, and a
    comment is public or (internal) they are staff."""
    if not can_see_idea(user, obj):
        return False
    if isinstance(obj, Comment) and obj.is_internal:
        return user.kind == Kind.STAFF
    return True


@rules.predicate
def is_content_author(user, obj) -> bool:
    return isinstance(obj, Idea | Comment) and obj.author_id == user.pk


@rules.predicate
def is_published(user, obj) -> bool:
    """Readers flag what is out in the open (held content already waits for a moderator)."""
    if isinstance(obj, Comment):
        return obj.moderation == Moderation.PUBLISHED and obj.idea.status != Status.DRAFT
    if isinstance(obj, Idea):
        return obj.moderation == Moderation.PUBLISHED and obj.status != Status.DRAFT
    return obj is None


@rules.predicate
def can_see_campaign(user, campaign) -> bool:
    if not (user and user.is_authenticated):
        return False
    if campaign is None or user.kind != Kind.CUSTOMER:
        return True
    return campaign.audience in CUSTOMER_AUDIENCES


# Reading
rules.add_perm("ideas.view_board", is_signed_in)
# The board as a dense table (status, type, journey, origin, supports by kind): managers.
rules.add_perm("ideas.view_board_table", is_manager)
rules.add_perm("ideas.view_idea", can_see_idea)
rules.add_perm("ideas.view_campaign", can_see_campaign)
# Internal facts (owner, cost, expected value, outcome note, internal comments): employees.
rules.add_perm("ideas.view_internal", is_employee | is_manager)
rules.add_perm("ideas.view_internal_comments", is_employee | is_manager)
rules.add_perm("ideas.view_attachment", can_see_idea)
# Evidence (takes an Idea; the file download takes an Evidence): employees read all of it,
# customers only what they added themselves (their own story) and the counts.
rules.add_perm("ideas.view_evidence", can_see_idea & (is_employee | is_manager))
rules.add_perm(
    "ideas.view_evidence_file",
    can_see_idea & (is_employee | is_manager | is_evidence_adder),
)
# Who moved an idea (takes an IdeaTransition): internal, and never the author of an
# anonymous idea unless the viewer may know the author (managers, the author).
rules.add_perm(
    "ideas.view_transition_actor",
    is_manager
    | (is_employee & ~is_hidden_authors_step)
    | (is_employee & is_transition_idea_author),
)

# Writing ideas
rules.add_perm("ideas.add_idea", (is_customer | is_employee) & is_verified_or_staff)
rules.add_perm("ideas.change_idea", is_manager | (is_idea_author & is_editable))
rules.add_perm("ideas.add_attachment", is_manager | (is_idea_author & is_editable))
rules.add_perm("ideas.submit_draft", is_idea_author & is_draft)
rules.add_perm("ideas.transition_idea", is_manager)
# Setting a gate aside, and the money fields the idea form shows to staff only.
rules.add_perm("ideas.override_gate", is_manager)
rules.add_perm("ideas.set_internal_fields", is_employee | is_manager)
rules.add_perm("ideas.set_owner", is_manager)
rules.add_perm("ideas.merge_idea", is_manager)
# Authors, owners and managers add evidence of any kind; a customer who can see the idea adds
# their own story (kind "other" only: ideas.evidence enforces the kind) once their e-mail
# address is verified, as for supports and comments.
rules.add_perm(
    "ideas.add_evidence",
    can_see_idea
    & takes_evidence
    & (
        is_manager
        | (is_employee & (is_idea_author | is_idea_owner))
        | (is_customer & is_verified_or_staff)
    ),
)
# A manager confirms or corrects the innovation type and horizon at screening.
rules.add_perm("ideas.confirm_type", is_manager)
# Expected value (generated, protected, confidence, non-financial KPI): staff-only facts that
# the approval gate reads; managers set them.
rules.add_perm("ideas.set_expected_value", is_manager)

# Taking part. Executives are employees too; read-only applies to money, not to opinions.
# Customers take part once their e-mail address is verified.
rules.add_perm(
    "ideas.support_idea", can_see_idea & is_engageable & ~is_idea_author & is_verified_or_staff
)
rules.add_perm("ideas.comment_idea", can_see_idea & is_engageable & is_verified_or_staff)
rules.add_perm("ideas.add_internal_comment", is_employee | is_manager)
rules.add_perm("ideas.follow_idea", can_see_idea)
# Moderation (takes nothing, an Idea or a Comment): the queue, approve, reject, hide; and
# a reader's flag on someone else's idea or comment, once their e-mail is verified.
rules.add_perm("ideas.moderate", is_moderator)
rules.add_perm(
    "ideas.flag_content",
    is_verified_or_staff & can_read_content & is_published & ~is_content_author,
)

# Managing
rules.add_perm("ideas.export_ideas", is_manager)
rules.add_perm("ideas.manage_campaigns", is_manager)

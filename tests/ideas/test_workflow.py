"""The stage-gate graph: every (from, to) pair, allowed or refused, and the gates."""

import itertools

import pytest

from ideas import notifications, services, workflow
from ideas.models import FORWARD, OPEN, PARKABLE, IdeaTransition, Status
from ideas.workflow import TransitionError
from tests.factories import EmployeeFactory, IdeaFactory

# The graph written out by hand from the design (not derived from the code).
EXPECTED_ALLOWED = {
    ("draft", "submitted"),
    ("submitted", "screening"),
    ("screening", "in_review"),
    ("in_review", "shortlisted"),
    ("shortlisted", "approved"),
    ("approved", "funded"),
    ("funded", "in_experiment"),
    ("in_experiment", "launched"),
    ("parked", "screening"),
    ("in_experiment", "parked"),  # an experiment decided stop or iterate
    *{
        (s, t)
        for s in ("submitted", "screening", "in_review", "shortlisted")
        for t in ("parked", "rejected")
    },
    *{
        (s, "merged")
        for s in (
            "draft",
            "submitted",
            "screening",
            "in_review",
            "shortlisted",
            "approved",
            "funded",
            "in_experiment",
            "parked",
        )
    },
}
ALL_PAIRS = list(itertools.product(Status.values, Status.values))


def test_it_matches_the_graph_in_the_design():
    assert {(s, t) for s, t in ALL_PAIRS if t in workflow.allowed_targets(s)} == EXPECTED_ALLOWED
    assert len(FORWARD) == 8 and len(PARKABLE) == 4 and Status.LAUNCHED not in OPEN


def _ready(idea, to, manager):
    """Meet the ideas-owned gates for a move to ``to``."""
    if to == Status.APPROVED:
        idea.owner = manager
    if to == Status.MERGED:
        idea.merged_into = IdeaFactory()
    idea.save()


@pytest.mark.parametrize(("start", "to"), sorted(EXPECTED_ALLOWED))
def test_it_allows_every_move_of_the_graph(open_gates, manager, start, to):
    idea = IdeaFactory(status=start)
    _ready(idea, to, manager)
    transition = services.idea_transition(idea=idea, to=to, actor=manager, reason="Because.")
    idea.refresh_from_db()
    assert idea.status == to
    assert (transition.from_status, transition.to_status, transition.actor) == (start, to, manager)


@pytest.mark.parametrize(("start", "to"), sorted(set(ALL_PAIRS) - EXPECTED_ALLOWED))
def test_it_refuses_every_move_outside_the_graph_and_changes_nothing(
    open_gates, manager, start, to
):
    target = IdeaFactory() if start == "merged" else None
    idea = IdeaFactory(status=start, owner=manager, merged_into=target)
    with pytest.raises(TransitionError) as exc:
        services.idea_transition(idea=idea, to=to, actor=manager, reason="Because.")
    assert exc.value.code == "not_allowed"
    idea.refresh_from_db()
    assert idea.status == start
    assert not IdeaTransition.objects.filter(idea=idea).exists()


@pytest.mark.parametrize("to", ["parked", "rejected"])
def test_it_requires_a_reason_to_park_or_reject(open_gates, manager, to):
    idea = IdeaFactory(status="screening")
    with pytest.raises(TransitionError, match="reason is required"):
        services.idea_transition(idea=idea, to=to, actor=manager, reason="  ")
    services.idea_transition(idea=idea, to=to, actor=manager, reason="Out of scope.")
    assert IdeaTransition.objects.get(idea=idea).reason == "Out of scope."


def test_it_requires_an_owner_to_approve(open_gates, manager, employee):
    idea = IdeaFactory(status="shortlisted")
    with pytest.raises(TransitionError, match="accountable owner"):
        services.idea_transition(idea=idea, to="approved", actor=manager)
    services.idea_set_owner(idea=idea, owner=employee, actor=manager)
    services.idea_transition(idea=idea, to="approved", actor=manager)
    idea.refresh_from_db()
    assert idea.status == "approved"


def test_it_records_the_outcome_note_when_launching(open_gates, manager):
    idea = IdeaFactory(status="in_experiment")
    with pytest.raises(TransitionError, match="outcome"):
        services.idea_transition(idea=idea, to="launched", actor=manager)
    services.idea_transition(idea=idea, to="launched", actor=manager, reason="NPS +9 in pilot.")
    idea.refresh_from_db()
    assert idea.outcome_note == "NPS +9 in pilot."


def test_it_refuses_merged_through_a_plain_transition(open_gates, manager):
    idea = IdeaFactory(status="submitted")
    with pytest.raises(TransitionError, match="Use merge"):
        services.idea_transition(idea=idea, to="merged", actor=manager)


@pytest.mark.parametrize(
    ("start", "to"),
    [("screening", "in_review"), ("in_review", "shortlisted"), ("approved", "funded")],
)
def test_an_external_gate_refuses_while_no_check_is_registered(gates, manager, start, to):
    idea = IdeaFactory(status=start, owner=manager)
    with pytest.raises(TransitionError, match="Not possible yet") as exc:
        services.idea_transition(idea=idea, to=to, actor=manager)
    assert exc.value.code == "gate"
    idea.refresh_from_db()
    assert idea.status == start


def test_a_registered_check_decides_and_sees_the_override(gates, manager):
    seen = []

    def needs_override(ctx):
        seen.append(ctx.override)
        return None if ctx.override else "The panel score does not pass the gate."

    workflow.register_gate(Status.SHORTLISTED, needs_override)
    workflow.register_gate(Status.SHORTLISTED, needs_override)  # idempotent
    idea = IdeaFactory(status="in_review")
    with pytest.raises(TransitionError, match="does not pass"):
        services.idea_transition(idea=idea, to="shortlisted", actor=manager)
    t = services.idea_transition(
        idea=idea, to="shortlisted", actor=manager, reason="Strategic", override=True
    )
    assert t.override is True and seen == [False, True]


def test_it_refuses_a_stale_move(open_gates, manager):
    idea = IdeaFactory(status="submitted")
    with pytest.raises(TransitionError) as exc:
        services.idea_transition(idea=idea, to="screening", actor=manager, expected_from="draft")
    assert exc.value.code == "stale"


def test_followers_are_notified_and_emailed_on_commit(
    open_gates, manager, django_capture_on_commit_callbacks, mailoutbox, eager_celery
):
    author = EmployeeFactory(email="author@example.com")
    idea = services.idea_submit(
        author=author,
        title="Activate the card in the app",
        customer_need="PIN letters arrive after the card (2,300 calls a month).",
        innovation_type="new_technology",
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.idea_transition(idea=idea, to="screening", actor=manager)
    assert len(callbacks) == 1
    note = author.notifications.get()
    assert note.verb == "status_changed" and "submitted to screening" in note.message
    assert note.emailed_at is not None
    assert [m.to for m in mailoutbox] == [["author@example.com"]]
    # The task is safe to run twice: the claim stops a second e-mail.
    assert notifications.notification_emails_send(notification_ids=[note.pk]) == 0
    assert len(mailoutbox) == 1
    # The actor is never notified of their own move.
    assert not manager.notifications.exists()

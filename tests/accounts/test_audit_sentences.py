"""The audit log reads as sentences: one formatter per action kind, a safe fallback."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.audit import SENTENCES, WHOLE_SENTENCES, audit_record, audit_sentence
from accounts.models import AuditEvent
from budgets.services import allocation_create
from ideas.services import idea_merge, idea_set_owner
from ideas.workflow import transition_apply
from tests import factories

pytestmark = pytest.mark.django_db

# Every action kind the application writes (grep audit_record): each has a formatter.
WRITTEN_ACTIONS = [
    "allocation.create", "allocation.override", "allocation.release", "comment.hide",
    "comment.show", "experiment.decide", "feedback.customer_deleted", "fiscal_year.create",
    "fiscal_year.update", "idea.confirm_type", "idea.expected_value", "idea.gate_override",
    "idea.transition", "idea.merge", "idea.owner", "invitation.accept", "invitation.send",
    "login", "login.failed", "panel.members", "person.activate", "person.deactivate",
    "person.function", "person.provision", "privacy.delete", "privacy.export", "role.change",
    "round.close", "round.open", "scorecard.settings", "scorecard.version", "spend.record", "token.create",
    "token.revoke", "user.flags", "value.import", "value.record",
]  # fmt: skip


def event(actor, action, summary="", **data):
    return audit_record(actor=actor, action=action, summary=summary, data=data)


@pytest.fixture
def ana():
    return factories.ManagerFactory(display_name="Ana Ruiz", email="ana@example.com")


def test_it_has_one_formatter_for_every_action_written():
    missing = [a for a in WRITTEN_ACTIONS if a not in SENTENCES and a not in WHOLE_SENTENCES]
    assert not missing


def test_it_says_who_moved_which_idea_between_which_statuses(ana):
    idea = factories.IdeaFactory(title="Instant card freeze", status="submitted")
    transition_apply(idea=idea, to="screening", actor=ana)
    e = AuditEvent.objects.get(action="idea.transition")
    assert audit_sentence(e) == "Ana Ruiz moved “Instant card freeze” from Submitted to Screening"


def test_it_names_an_older_transition_by_number_and_says_the_reason(ana):
    e = event(ana, "idea.gate_override", "x", **{"from": "in_review", "to": "shortlisted"})
    e.target_id = "12"
    e.data["reason"] = "Board asked"
    assert audit_sentence(e) == (
        "Ana Ruiz moved idea #12 from In review to Shortlisted, overriding the gate (“Board asked”)"
    )


def test_it_formats_the_money_of_an_allocation(ana):
    fy = factories.FiscalYearFactory(marketing_budget=Decimal("1000000"))
    idea = factories.IdeaFactory(title="Round-up savings", status="approved", owner=ana)
    allocation_create(fiscal_year=fy, idea=idea, amount=Decimal("12500.50"), actor=ana)
    e = AuditEvent.objects.get(action="allocation.create")
    assert audit_sentence(e) == "Ana Ruiz allocated €12,500.50 to “Round-up savings”"


def test_it_names_the_owner_and_both_ideas_of_a_merge(ana):
    owner = factories.EmployeeFactory(display_name="Erin Employee")
    a = factories.IdeaFactory(title="Card freeze", status="submitted")
    b = factories.IdeaFactory(title="Freeze my card", status="submitted")
    idea_set_owner(idea=a, owner=owner, actor=ana)
    idea_merge(source=b, target=a, actor=ana)
    assert audit_sentence(AuditEvent.objects.get(action="idea.owner")) == (
        "Ana Ruiz made Erin Employee the owner of “Card freeze”"
    )
    assert audit_sentence(AuditEvent.objects.get(action="idea.merge")) == (
        "Ana Ruiz merged “Freeze my card” into “Card freeze”"
    )


def test_it_reads_roles_logins_and_the_system(ana):
    assert audit_sentence(event(ana, "role.change", added=["Executives"], removed=[])) == (
        "Ana Ruiz added the role Executives"
    )
    assert audit_sentence(event(None, "login.failed", email="x@example.com")) == (
        "Failed login for x@example.com"
    )
    assert audit_sentence(event(None, "round.close", "Round 3 closed")) == (
        "The system closed Round 3"
    )


def test_it_falls_back_to_the_summary_for_unknown_kinds_and_odd_data(ana):
    assert audit_sentence(event(ana, "brand.new", "Something happened")) == (
        "Ana Ruiz: Something happened"
    )
    # A known kind whose data lacks what the formatter reads: no error, the summary.
    assert audit_sentence(event(ana, "idea.transition", "Idea 1: a → b")) == (
        "Ana Ruiz: Idea 1: a → b"
    )
    assert audit_sentence(event(ana, "allocation.create", "", amount=None)) == (
        "Ana Ruiz: allocation.create"
    )


def test_the_page_shows_sentences_with_the_time(client, ana):
    idea = factories.IdeaFactory(title="Instant card freeze", status="submitted")
    when = datetime(2026, 12, 3, 14, 5, tzinfo=ZoneInfo("Europe/Madrid"))
    with time_machine.travel(when, tick=False):
        transition_apply(idea=idea, to="screening", actor=ana)
    client.force_login(ana)
    html = client.get(reverse("accounts:audit")).content.decode()
    assert "Ana Ruiz moved “Instant card freeze” from Submitted to Screening" in html
    assert "3 Dec 2026, 13:05" in html  # 14:05 in Madrid, shown in the site time zone (UTC)
    assert "<code>" not in html
    assert 'value="idea.transition">Idea transition</option>' in html

"""The idea page's side panel: every move the graph allows, asked of its gates now; the
blocked ones name what is missing and link to the fix (``ideas.workflow.moves_for``)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas.workflow import moves_for
from tests.factories import FiscalYearFactory, IdeaFactory, ManagerFactory, ReviewRoundFactory

pytestmark = pytest.mark.django_db


def _by_status(moves):
    return {m.to: m for m in moves}


def test_it_offers_screening_and_asks_a_reason_to_park_or_reject(manager):
    moves = _by_status(moves_for(IdeaFactory(status="submitted"), manager))
    assert list(moves) == ["screening", "parked", "rejected"]
    assert moves["screening"].ok and not moves["screening"].needs_reason
    assert moves["parked"].ok and moves["parked"].needs_reason
    assert moves["rejected"].ok and moves["rejected"].needs_reason


def test_review_without_evidence_or_round_links_to_both_fixes(manager):
    idea = IdeaFactory(status="screening", evidence=0)
    review = _by_status(moves_for(idea, manager))["in_review"]
    assert not review.ok
    fixes = [(f.label, f.url) for b in review.blockers for f in b.fixes]
    assert fixes == [
        ("Add evidence", "#evidence"),
        ("Add to a review round", reverse("scoring:round_new") + f"?ideas={idea.pk}"),
    ]


def test_an_idea_in_a_draft_round_is_sent_to_open_it(manager):
    idea = IdeaFactory(status="screening")
    round = ReviewRoundFactory(ideas=[idea], status="draft")
    review = _by_status(moves_for(idea, manager))["in_review"]
    assert [f.label for b in review.blockers for f in b.fixes] == ["Open the review round"]
    assert review.blockers[0].fixes[0].url == reverse("scoring:round", args=[round.pk])


def test_approval_names_the_owner_and_the_expected_value(manager):
    idea = IdeaFactory(status="shortlisted")
    approve = _by_status(moves_for(idea, manager))["approved"]
    assert not approve.ok
    assert [f.label for f in approve.blockers[0].fixes] == [
        "Set the owner",
        "Set the expected value",
    ]
    assert "accountable owner" in approve.blockers[0].message


def test_funding_links_to_the_allocation_form_of_this_years_budget(manager):
    today = timezone.localdate()
    fy = FiscalYearFactory(starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31))
    idea = IdeaFactory(status="approved", owner=ManagerFactory())
    fund = _by_status(moves_for(idea, manager))["funded"]
    fix = fund.blockers[0].fixes[0]
    assert fix.label == "Allocate budget"
    assert fix.url == reverse("budgets:fiscal_year", args=[fy.pk]) + f"?idea={idea.pk}#allocate"


def test_shortlisting_without_a_score_may_be_overridden(manager):
    moves = _by_status(moves_for(IdeaFactory(status="in_review"), manager))
    assert not moves["shortlisted"].ok and moves["shortlisted"].overridable


def test_the_page_shows_only_possible_moves_as_buttons_and_fixes_as_links(client, manager):
    idea = IdeaFactory(status="screening", evidence=0)
    client.force_login(manager)
    html = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Move to in review</button>" not in html
    assert 'href="#evidence">Add evidence</a>' in html
    assert f'href="/rounds/new/?ideas={idea.pk}">Add to a review round</a>' in html
    assert 'id="owner"' in html and 'id="expected-value-form"' in html


def test_the_round_form_ticks_the_idea_from_the_link(client, manager):
    idea = IdeaFactory(status="screening")
    client.force_login(manager)
    html = client.get(reverse("scoring:round_new") + f"?ideas={idea.pk}").content.decode()
    assert f'value="{idea.pk}"' in html and "checked" in html


def test_the_allocation_form_chooses_the_idea_from_the_link(client, manager):
    fy = FiscalYearFactory()
    idea = IdeaFactory(status="approved", owner=ManagerFactory())
    client.force_login(manager)
    html = client.get(reverse("budgets:fiscal_year", args=[fy.pk]) + f"?idea={idea.pk}").content
    assert f'<option value="{idea.pk}" selected>'.encode() in html

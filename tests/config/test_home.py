"""Home is a dashboard per role: each block the person's roles call for, each read by one
selector of the app that owns it, and a page of at most about ten queries."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ideas import engagement, services
from tests.factories import (
    AssignmentFactory,
    CampaignFactory,
    FiscalYearFactory,
    IdeaFactory,
    ManagerFactory,
    PanelFactory,
    ReviewRoundFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(customer, employee, manager):
    campaign = CampaignFactory(audience="everyone", title="Branches of the future")
    mine = [IdeaFactory(author=employee, campaign=campaign, title=f"My idea {i}") for i in range(3)]
    followed = IdeaFactory(campaign=campaign, title="Followed and moved")
    engagement.follow_set(idea=followed, user=employee, following=True)
    engagement.follow_set(idea=followed, user=customer, following=True)
    services.idea_transition(idea=followed, to="screening", actor=manager)
    IdeaFactory(status="approved", owner=None, title="Approved, nobody owns it")
    stale = IdeaFactory(status="screening", title="Stuck in screening")
    type(stale).objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=30))
    return {"mine": mine, "followed": followed}


def test_a_customer_sees_their_ideas_campaigns_and_followed_moves(
    client, customer, world, django_assert_num_queries
):
    IdeaFactory(author=customer, campaign=CampaignFactory(), title="My customer idea")
    client.force_login(customer)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 e-mail addresses
    # (verified: may submit), 4 my ideas, 5 open campaigns, 6 followed ideas that moved
    with django_assert_num_queries(6):
        html = client.get("/").content.decode()
    assert "My customer idea" in html and "Branches of the future" in html
    assert "Followed and moved" in html
    assert 'data-testid="home-triage"' not in html and 'data-testid="home-kpis"' not in html


def test_an_employee_without_ideas_is_told_what_to_do(client, db, django_assert_num_queries):
    from tests.factories import EmployeeFactory

    client.force_login(EmployeeFactory())
    html = client.get("/").content.decode()
    assert "You have not submitted an idea yet." in html
    assert "No campaign is open right now." in html
    assert "Nothing moved in the last 14 days." in html


def test_a_panelist_sees_reviews_due_soonest_first(
    client, panelist, world, django_assert_num_queries
):
    late = ReviewRoundFactory(status="open", due_at=timezone.now() + timedelta(days=9))
    soon = ReviewRoundFactory(status="open", due_at=timezone.now() + timedelta(days=2))
    AssignmentFactory(round=late, reviewer=panelist, idea=IdeaFactory(title="Due later"))
    AssignmentFactory(round=soon, reviewer=panelist, idea=IdeaFactory(title="Due soon"))
    client.force_login(panelist)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 my ideas, 4 open
    # campaigns, 5 followed moves, 6 reviews due with round and idea
    with django_assert_num_queries(6):
        html = client.get("/").content.decode()
    assert html.index("Due soon") < html.index("Due later")


def test_a_manager_sees_the_triage(client, manager, world, django_assert_num_queries):
    ReviewRoundFactory(status="open", due_at=timezone.now() + timedelta(days=3), name="Q4 round")
    client.force_login(manager)
    # 1 session, 2 user (with groups, panel membership, unread count and the moderation
    # queue's waiting count: a manager moderates), 3 my ideas, 4 open campaigns, 5 followed
    # moves, 6 triage counts, 7 triage ideas, 8 rounds closing with their progress
    with django_assert_num_queries(8):
        html = client.get("/").content.decode()
    assert "Approved, nobody owns it" in html and "needs an owner" in html
    assert "Stuck in screening" in html and "Q4 round" in html
    assert 'data-testid="home-kpis"' not in html


def test_an_executive_sees_the_headline_figures(
    client, executive, world, django_assert_num_queries
):
    today = timezone.localdate()
    FiscalYearFactory(
        label="FY now", starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31)
    )
    client.force_login(executive)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 my ideas, 4 open
    # campaigns, 5 followed moves, 6 fiscal years, 7 the year's headline money (committed
    # groups with their maintained spent; no snapshot series)
    with django_assert_num_queries(7):
        html = client.get("/").content.decode()
    assert 'data-testid="home-kpis"' in html and "FY now target of 10.0%" in html
    assert 'data-testid="home-triage"' not in html


def test_a_manager_who_is_on_a_panel_sees_both_blocks(client, world):
    manager = ManagerFactory()
    PanelFactory(members=[manager])
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert 'data-testid="home-triage"' in html and 'data-testid="home-reviews"' in html


def test_the_triage_counts_each_reason_and_stops_counting_stuck_ideas_at_the_cap(
    client, manager, world, monkeypatch
):
    from ideas import selectors

    long_ago = timezone.now() - timedelta(days=20)
    for title in ("Stuck in review", "Stuck when approved"):
        idea = IdeaFactory(status="in_review" if "review" in title else "approved", title=title)
        type(idea).objects.filter(pk=idea.pk).update(updated_at=long_ago)
    IdeaFactory(status="funded", owner=manager, title="Funded and owned")  # no reason
    IdeaFactory(status="launched", title="Launched long ago")  # closed: never triaged
    # By hand: awaiting = the world's three submitted "My idea"s; without an owner = the
    # world's approved idea and "Stuck when approved" (approved, no owner); stuck = the
    # world's screening idea, "Stuck in review" and "Stuck when approved" (14 days).
    found = selectors.triage(stuck_days=14)
    assert (found.awaiting, found.no_owner, found.stuck) == (3, 2, 3)
    assert not found.stuck_more
    # The oldest first: the world's idea (30 days), then the two of 20 days in creation order;
    # an idea with two reasons shows "needs an owner".
    assert [(i.title, i.triage) for i in found.ideas[:3]] == [
        ("Stuck in screening", "stuck"),
        ("Stuck in review", "stuck"),
        ("Stuck when approved", "no_owner"),
    ]

    monkeypatch.setattr(selectors, "STUCK_CAP", 2)
    capped = selectors.triage(stuck_days=14)
    assert capped.stuck == 3 and capped.stuck_more and capped.stuck_shown == 2
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert "<strong>2+</strong> unchanged for 14+ days" in html

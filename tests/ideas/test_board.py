"""The board: cards by default with support in the card, Mine / Following / Supported tabs,
a table for managers (remembered in the address), and customers' closed ideas behind a
filter. Query counts per tab: the tab is a condition in the page's one query."""

import pytest
from django.urls import reverse

from ideas import engagement
from tests.factories import CampaignFactory, IdeaFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "idea-list"}


@pytest.fixture
def board(employee, customer):
    campaign = CampaignFactory(audience="everyone")
    mine = IdeaFactory(author=employee, campaign=campaign, title="Mine: card pause")
    followed = IdeaFactory(campaign=campaign, title="Followed: branch queue")
    supported = IdeaFactory(campaign=campaign, title="Supported: instant PIN")
    rejected = IdeaFactory(campaign=campaign, status="rejected", title="Closed: fax forms")
    others = [IdeaFactory(campaign=campaign, title=f"Other idea {i}") for i in range(4)]
    engagement.follow_set(idea=followed, user=employee, following=True)
    engagement.support_add(idea=supported, user=employee)
    return {
        "mine": mine,
        "followed": followed,
        "supported": supported,
        "rejected": rejected,
        "others": others,
    }


def _titles(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("mine", "Mine: card pause"),
        ("following", "Followed: branch queue"),
        ("supported", "Supported: instant PIN"),
    ],
)
def test_each_tab_lists_its_ideas_in_one_query(
    client, employee, board, tab, expected, django_assert_num_queries
):
    client.force_login(employee)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 count, 4 the page of
    # ideas (the tab and "supported by me" are subqueries in it)
    with django_assert_num_queries(4):
        response = client.get(f"/ideas/?tab={tab}", **HTMX)
    html = _titles(response)
    assert expected in html
    assert html.count('class="card card--link idea-card"') == 1


def test_the_all_tab_as_a_page(client, employee, board, django_assert_num_queries):
    client.force_login(employee)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 count, 4 the page of
    # ideas, 5 campaigns for the filter, 6 stages for the filter
    with django_assert_num_queries(6):
        response = client.get("/ideas/")
    html = response.content.decode()
    assert html.count('class="card card--link idea-card"') == 8
    assert 'aria-current="page">All</a>' in html
    # the card's own support button shows what the person already supports
    assert html.count('aria-pressed="true"') == 1


def test_customers_see_live_ideas_unless_they_show_closed_ones(
    client, customer, board, django_assert_num_queries
):
    client.force_login(customer)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 count, 4 the page of
    # ideas, 5 the customer's e-mail addresses (verified? the card's support button; once per
    # request)
    with django_assert_num_queries(5):
        html = client.get("/ideas/", **HTMX).content.decode()
    assert "Closed: fax forms" not in html and "closed ideas hidden" in html
    html = client.get("/ideas/?closed=1", **HTMX).content.decode()
    assert "Closed: fax forms" in html


def test_employees_see_closed_ideas(client, employee, board):
    client.force_login(employee)
    assert "Closed: fax forms" in client.get("/ideas/", **HTMX).content.decode()


def test_the_table_is_for_managers_and_stays_in_the_address(
    client, manager, employee, board, django_assert_num_queries
):
    client.force_login(manager)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 count, 4 the page of
    # ideas with their owners joined
    with django_assert_num_queries(4):
        html = client.get("/ideas/?view=table&status=submitted", **HTMX).content.decode()
    assert 'data-testid="board-table"' in html and "idea-card" not in html
    assert "view=table" in client.get("/ideas/?view=table").content.decode()
    client.force_login(employee)
    html = client.get("/ideas/?view=table", **HTMX).content.decode()
    assert 'data-testid="board-table"' not in html and "idea-card" in html


def test_supporting_from_a_card_swaps_the_card_footer(client, customer, board):
    idea = board["others"][0]
    client.force_login(customer)
    response = client.post(
        reverse("ideas:support", args=[idea.pk]),
        {"action": "add", "next": "board"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"card-support-{idea.pk}",
    )
    html = response.content.decode()
    assert f'id="card-support-{idea.pk}"' in html and 'aria-pressed="true"' in html
    assert "<html" not in html
    idea.refresh_from_db()
    assert idea.supports_customers == 1


def test_supporting_from_a_card_without_javascript_comes_back_to_the_board(client, customer, board):
    idea = board["others"][1]
    client.force_login(customer)
    response = client.post(
        reverse("ideas:support", args=[idea.pk]),
        {"action": "add", "next": "board", "back": "tab=all&closed=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/ideas/?tab=all&closed=1#idea-{idea.pk}"


def test_a_long_list_is_counted_up_to_a_cap_and_says_so(client, employee, board, monkeypatch):
    from ideas import pagination, views

    # The employee sees the 8 ideas of the fixture; counted exactly up to 4, 2 a page.
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 4)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(employee)
    html = client.get("/ideas/").content.decode()
    assert "4+ ideas" in html and "Page 1 of 2+" in html and 'rel="next"' in html
    # Further pages count up to themselves (6 > 4), so the next page is always offered...
    html = client.get("/ideas/?page=3").content.decode()
    assert "6+ ideas" in html and "Page 3 of 3+" in html and 'rel="next"' in html
    # ...and the last one knows it is the last.
    html = client.get("/ideas/?page=4").content.decode()
    assert "8 ideas" in html and "Page 4 of 4" in html and 'rel="next"' not in html
    assert html.count('class="card card--link idea-card"') == 2


def test_the_count_below_the_cap_is_exact(client, employee, board):
    client.force_login(employee)
    html = client.get("/ideas/").content.decode()
    assert "8 ideas" in html and "+ ideas" not in html


def test_the_tabs_and_views_link_to_their_own_address(client, manager, board):
    client.force_login(manager)
    html = client.get("/ideas/?status=submitted&page=2").content.decode()
    assert '<a href="?status=submitted&amp;tab=mine">Mine</a>' in html
    assert 'href="?status=submitted&amp;view=table"' in html
    assert "??" not in html

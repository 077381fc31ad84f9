"""The board's page read by statements compiled once per connection (``ideas.board``): the
same ideas, in the same order, with the same joined objects and annotations as the ORM's
queryset, for every role, tab and filter; and a statement shared by two people never shows
one the other's drafts or supports."""

import pytest
from django.db import connection
from django.test import RequestFactory

from ideas import board, engagement
from ideas.board import BoardIdeas, CompiledBoardPaginator
from ideas.filters import IdeaFilter
from ideas.pagination import CappedCountPaginator
from ideas.selectors import board_ideas
from ideas.views import _board_page_ideas
from journeys.models import Stage
from tests.factories import CampaignFactory, EmployeeFactory, IdeaFactory

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "status=submitted&ordering=supported",
    "q=refund",
    "ordering=score",
    "ordering=oldest&has_evidence=false",
    "tab=mine",
    "tab=supported",
    "closed=1&ordering=title",
    "status=nope&stage=abc",
]


@pytest.fixture
def ideas(employee, customer):
    campaign = CampaignFactory(audience="everyone")
    staff_only = CampaignFactory(audience="employees")
    stage = Stage.objects.filter(journey__is_default=True).first()
    rows = [
        IdeaFactory(campaign=campaign, stage=stage, title="Refund in a day"),
        IdeaFactory(campaign=staff_only, title="Branch queue", is_anonymous=True),
        IdeaFactory(campaign=campaign, status="rejected", title="Fax forms refund"),
        IdeaFactory(campaign=None, stage=None, author=employee, title="Mine, no campaign"),
        IdeaFactory(campaign=campaign, status="draft", author=employee, title="My draft"),
        IdeaFactory(campaign=campaign, author=customer, title="A customer's refund"),
    ]
    rows += [IdeaFactory(campaign=campaign, title=f"Other {i}") for i in range(5)]
    engagement.support_add(idea=rows[0], user=employee)
    engagement.support_add(idea=rows[5], user=employee)
    return rows


def _pages(user, query: str, per_page: int = 4):
    """Every page of the board for ``user`` at ``query``, compiled and through the ORM."""
    http = RequestFactory().get(f"/ideas/?{query}")
    http.user = user
    tab = http.GET.get("tab", "all")
    closed = http.GET.get("closed") == "1"
    filterset = IdeaFilter(http.GET or None, queryset=board_ideas(user), request=http)
    form = filterset.form
    valid = filterset.is_bound and form.is_valid()
    cleaned = tuple(sorted(form.cleaned_data.items())) if filterset.is_bound else None

    def build(person):
        filters = IdeaFilter(
            http.GET or None,
            queryset=board_ideas(person, tab=tab, show_closed=closed),
            request=http,
        )
        return _board_page_ideas(filters.qs, False)

    compiled = CompiledBoardPaginator(
        BoardIdeas(
            user, (tab, closed, False, filterset.is_bound, valid, cleaned), build, "default"
        ),
        per_page,
    )
    orm = CappedCountPaginator(build(user), per_page)
    assert compiled.count == orm.count and compiled.num_pages == orm.num_pages
    for number in orm.page_range:
        yield list(compiled.page(number).object_list), list(orm.page(number).object_list)


def _facts(idea) -> tuple:
    return (
        idea.pk,
        idea.title,
        idea.status,
        idea.is_supported,
        getattr(idea, "support_total", None),
        idea.supports_total,
        idea.created_at,
        idea.stage and idea.stage.name,
        idea.campaign and (idea.campaign.title, idea.campaign.audience),
        idea.author.display_name,
        sorted(idea.get_deferred_fields()),
    )


@pytest.mark.parametrize("role", ["employee", "customer", "manager"])
@pytest.mark.parametrize("query", QUERIES)
def test_it_reads_the_pages_the_orm_reads(request, ideas, role, query):
    user = request.getfixturevalue(role)
    pages = list(_pages(user, query))
    assert pages
    for compiled, orm in pages:
        assert [_facts(i) for i in compiled] == [_facts(i) for i in orm]


def test_people_of_the_same_kind_share_a_statement_but_not_their_ideas(client, employee, ideas):
    other = EmployeeFactory()
    # more than a page each (a shorter list is another slice, so another statement)
    for i in range(20):
        IdeaFactory(title=f"More {i}")
    IdeaFactory(status="draft", author=employee, title="My newest draft")
    engagement.support_add(idea=IdeaFactory(title="Newest, supported"), user=employee)
    client.force_login(employee)
    mine = client.get("/ideas/").content.decode()
    statements = len(getattr(connection, board._ATTRIBUTE, {}))
    client.force_login(other)
    theirs = client.get("/ideas/").content.decode()
    # the same statements (no new ones compiled), other rows
    assert len(getattr(connection, board._ATTRIBUTE, {})) == statements
    assert "My newest draft" in mine and "My newest draft" not in theirs
    assert "Newest, supported" in theirs
    assert mine.count('aria-pressed="true"') == 1 and theirs.count('aria-pressed="true"') == 0


def test_a_filter_that_matches_nothing_reads_through_the_orm(client, employee, ideas):
    client.force_login(employee)
    response = client.get("/ideas/?campaign=99999999999999999999999")
    assert response.status_code == 200
    assert "No idea matches these filters." in response.content.decode()

"""The board's filter fields (``ideas.filters.board_filter_fields``), rendered once per process
for what they show, against the template loop that rendered them on every page: the same
markup for every role and every kind of submitted value (valid, invalid, escaped), and never
an answer cached for other choices, values, sorts or roles."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from ideas import filters
from ideas.filters import HIDDEN_FROM_CUSTOMERS, IdeaFilter, board_filter_fields
from ideas.selectors import board_ideas
from journeys.models import Stage
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

# The loop ideas/board.html had, after ``use_select_widgets`` and (for customers) the fields
# they are not shown were removed from the form.
TEMPLATE_FIELDS = Template(
    '{% for field in filterset.form %}{% include "components/field.html" %}{% endfor %}'
)

QUERIES = [
    "",
    "page=2",
    "status=submitted&ordering=supported",
    "status=nope&ordering=score&stage=abc&q=a%26b%3Cc%3E",
    "campaign=cards-and-campaigns&innovation_type=new_technology&horizon=core"
    "&has_evidence=true&origin=customer&q=refund",
    "stage=0&has_evidence=maybe&ordering=title&status=submitted&status=draft",
]


def _filterset(user, query: str) -> IdeaFilter:
    http = RequestFactory().get(f"/ideas/?{query}")
    http.user = user
    filterset = IdeaFilter(http.GET or None, queryset=board_ideas(user), request=http)
    filterset.qs  # noqa: B018 -- validates the form, as the board does before rendering
    return filterset


def _from_template(user, query: str, customer: bool) -> str:
    filterset = _filterset(user, query)
    filters.use_select_widgets(filterset, user, Stage.objects.filter(journey__is_default=True))
    if customer:
        for name in HIDDEN_FROM_CUSTOMERS:
            filterset.form.fields.pop(name, None)
    return TEMPLATE_FIELDS.render(Context({"filterset": filterset}))


@pytest.fixture
def campaigns():
    return [
        CampaignFactory(
            audience="everyone", title="Cards & <campaigns>", slug="cards-and-campaigns"
        ),
        CampaignFactory(audience="employees", title="Staff only"),
    ]


@pytest.mark.parametrize("role", ["employee", "customer", "manager"])
@pytest.mark.parametrize("query", QUERIES)
def test_it_writes_the_fields_the_template_wrote(request, campaigns, role, query):
    user = request.getfixturevalue(role)
    customer = role == "customer"
    expected = _from_template(user, query, customer)
    # twice: rendered, then from the process's cache
    for _ in range(2):
        html = board_filter_fields(_filterset(user, query), user, customer=customer)
        assert html == expected
    assert ("Staff only" in html) is not customer
    assert ('name="origin"' in html) is not customer


def test_a_new_campaign_or_stage_name_shows_at_once(employee, campaigns):
    before = board_filter_fields(_filterset(employee, ""), employee, customer=False)
    CampaignFactory(title="Just opened")
    stage = Stage.objects.filter(journey__is_default=True).first()
    stage.name = "Renamed stage"
    stage.save()
    after = board_filter_fields(_filterset(employee, ""), employee, customer=False)
    assert "Just opened" not in before and "Just opened" in after
    assert "Renamed stage" in after
    assert after == _from_template(employee, "", customer=False)


def test_the_submitted_values_and_sorts_are_the_users_own(employee, customer, campaigns):
    mine = board_filter_fields(_filterset(employee, "q=refund"), employee, customer=False)
    other = board_filter_fields(_filterset(employee, "q=pickup"), employee, customer=False)
    assert 'value="refund"' in mine and 'value="pickup"' in other
    # the score sort is offered to those who see scores only (not customers)
    assert 'value="score"' in mine
    theirs = board_filter_fields(_filterset(customer, "q=refund"), customer, customer=True)
    assert 'value="score"' not in theirs and 'value="refund"' in theirs

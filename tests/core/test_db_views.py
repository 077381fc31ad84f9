"""Report views read the replica alias; writes and the pages after them read the primary.

The alias is a second connection to the test database (``tests.replica``), so these tests
are transactional: like a real replica, it sees only committed rows.
"""

import pytest
from django.db import connections
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.db import PRIMARY, REPLICA
from ideas.models import Support
from tests import factories
from tests.replica import replica_alias

pytestmark = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup, django_db_blocker):
    # Module-scoped, so the alias exists before each test declares it among its databases.
    with replica_alias() as connection:
        yield connection


@pytest.fixture
def people():
    manager = factories.ManagerFactory()
    employee = factories.EmployeeFactory()
    idea = factories.IdeaFactory(status="submitted")
    return manager, employee, idea


def _queries(client, method: str, url: str, **data):
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = getattr(client, method)(url, data)
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)
    return response, [q["sql"] for q in primary], [q["sql"] for q in replica]


REPORTS = {
    "dashboard": lambda fy, journey: reverse("insights:dashboard"),
    "summary csv": lambda fy, journey: reverse("insights:summary_csv", args=[fy.pk]),
    "summary api": lambda fy, journey: f"/api/v1/budgets/fiscal-years/{fy.pk}/summary/",
    "portfolio": lambda fy, journey: reverse("insights:portfolio"),
    "portfolio csv": lambda fy, journey: reverse("insights:portfolio_csv", args=[fy.pk]),
    "portfolio api": lambda fy, journey: "/api/v1/insights/portfolio/",
    "accuracy": lambda fy, journey: reverse("insights:accuracy"),
    "accuracy api": lambda fy, journey: "/api/v1/insights/accuracy/",
    "journey map": lambda fy, journey: reverse("insights:journey_map", args=[journey.pk]),
    "journey map api": lambda fy, journey: f"/api/v1/journeys/{journey.pk}/map/",
    "board csv": lambda fy, journey: reverse("ideas:export"),
}


@pytest.mark.parametrize("report", REPORTS)
def test_a_report_reads_the_replica(people, client, report):
    manager, *_ = people
    fy, journey = factories.FiscalYearFactory(), factories.JourneyFactory()
    client.force_login(manager)
    response, primary, on_replica = _queries(client, "get", REPORTS[report](fy, journey))
    assert response.status_code == 200
    assert on_replica, "the report read nothing from the replica"
    if report.endswith("api"):
        assert response.json()["as_of"]
    elif not report.endswith("csv"):
        assert b"data-as-of=" in response.content
    # Only who is asking (session, user, roles) is read before the view pins its reads.
    who = ('FROM "django_session"', 'FROM "accounts_user"', 'FROM "auth_group"')
    assert primary and all(any(table in sql for table in who) for sql in primary), primary


def test_a_write_and_the_page_after_it_stay_on_the_primary(people, client):
    _, employee, idea = people
    client.force_login(employee)
    response, primary, on_replica = _queries(
        client, "post", reverse("ideas:support", args=[idea.pk]), action="add"
    )
    assert response.status_code == 302
    assert any("INSERT INTO" in sql for sql in primary)
    assert on_replica == [] and Support.objects.filter(idea=idea, user=employee).exists()
    # The idea page shows the support just given: it reads the primary.
    response, _, on_replica = _queries(client, "get", reverse("ideas:detail", args=[idea.pk]))
    assert response.status_code == 200 and on_replica == []

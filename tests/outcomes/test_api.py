"""The outcomes API: shapes, writes through the services, 404/403/409, query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"api:outcomes:{name}", args=args)


def test_it_creates_reads_and_patches_an_experiment(funded, owner):
    client = api_as(owner)
    response = client.post(
        url("idea-experiments", funded.pk),
        {
            "hypothesis": "Pre-filled income cuts abandonment.",
            "metric": "Completion rate",
            "unit": "%",
            "direction": "increase",
            "baseline": "40",
            "target": "60",
            "starts_on": "2026-01-01",
            "decision": "scale",  # read-only: ignored
            "attainment": 5,  # read-only: ignored
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["decision"] == "pending" and body["attainment"] is None
    assert body["baseline"] == "40.0000" and body["idea"] == funded.pk
    pk = body["id"]
    response = client.post(
        url("experiment-measurements", pk),
        {"measured_on": "2026-02-01", "value": "55"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    # (55 - 40) / (60 - 40) = 0.75
    assert client.get(url("experiment-detail", pk)).json()["attainment"] == 0.75
    response = client.patch(
        url("experiment-detail", pk), {"segment": "All branches", "attainment": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["segment"] == "All branches" and response.json()["attainment"] == 0.75
    response = client.patch(url("experiment-detail", pk), {"target": "70"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "measured"


def test_it_decides_once(experiment, owner):
    client = api_as(owner)
    response = client.post(
        url("experiment-decide", experiment.pk),
        {"decision": "stop", "note": "No effect."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["decision"] == "stop" and response.json()["decided_by"] == owner.pk
    response = client.post(
        url("experiment-decide", experiment.pk), {"decision": "scale"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "decided"
    response = client.post(
        url("experiment-decide", factories.ExperimentFactory().pk),
        {"decision": "maybe"},
        format="json",
    )
    assert response.status_code in (400, 403)


def test_bad_input_is_a_400_with_field_messages(experiment, owner):
    client = api_as(owner)
    response = client.post(
        url("experiment-measurements", experiment.pk),
        {"measured_on": "2025-12-01", "value": "5"},
        format="json",
    )
    assert response.status_code == 400 and "measured_on" in response.json()
    response = client.post(
        url("idea-experiments", experiment.idea_id),
        {"baseline": "40", "target": "30"},
        format="json",
    )
    # The idea already has a pending experiment: that conflict comes first.
    assert response.status_code == 409 and response.json()["code"] == "pending_exists"


def test_customers_get_404_and_readers_403(experiment, customer, employee, executive):
    idea = experiment.idea
    assert api_as(customer).get(url("idea-experiments", idea.pk)).status_code == 404
    assert api_as(customer).get(url("experiment-detail", experiment.pk)).status_code == 404
    assert api_as(executive).get(url("experiment-detail", experiment.pk)).status_code == 200
    response = api_as(employee).post(url("experiment-decide", experiment.pk), {"decision": "scale"})
    assert response.status_code == 403


def test_value_records_round_trip_and_overlap_is_409(launched, owner, customer):
    client = api_as(owner)
    body = {
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "revenue_generated": "12000.00",
        "revenue_protected": "3000.50",
        "note": "Q1",
    }
    response = client.post(url("idea-value", launched.pk), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["recorded_by"] == owner.pk
    response = client.post(
        url("idea-value", launched.pk),
        {**body, "period_start": "2026-03-31", "period_end": "2026-04-30"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "overlap"
    listing = client.get(url("idea-value", launched.pk)).json()
    assert listing["count"] == 1
    assert listing["results"][0]["revenue_protected"] == "3000.50"
    assert api_as(customer).get(url("idea-value", launched.pk)).status_code == 404


def test_list_endpoints_query_counts(
    django_assert_num_queries, experiment, launched, manager, owner
):
    for day in range(1, 6):
        factories.MeasurementFactory(experiment=experiment, measured_on=date(2026, 2, day))
    factories.ExperimentFactory(
        idea=experiment.idea, decision="stop", decided_at="2026-01-15T10:00Z"
    )
    for month in (1, 2, 3):
        factories.ValueRecordFactory(
            idea=launched, period_start=date(2026, month, 1), period_end=date(2026, month, 28)
        )

    def client():
        # A fresh user object per request, as in production (rules caches groups on it).
        return api_as(type(owner).objects.get(pk=owner.pk))

    # 1 the owner's groups (the manager rule, then cached on the user), 2 the idea (visible_to,
    # with campaign),
    # 3 count, 4 page of experiments with their attainment (subqueries, one statement)
    c = client()
    with django_assert_num_queries(4):
        response = c.get(url("idea-experiments", experiment.idea_id))
    assert response.json()["count"] == 2
    # 1 groups, 2 the experiment with attainment and idea, 3 count, 4 page of measurements
    c = client()
    with django_assert_num_queries(4):
        response = c.get(url("experiment-measurements", experiment.pk))
    assert response.json()["count"] == 5
    # 1 groups, 2 the idea, 3 count, 4 page of value records
    c = client()
    with django_assert_num_queries(4):
        response = c.get(url("idea-value", launched.pk))
    assert response.json()["count"] == 3
    assert Decimal(response.json()["results"][0]["revenue_generated"]) == Decimal("10000.00")


NASTY = [
    None,
    "",
    "x" * 5000,
    -1,
    1e308,
    "1e400",
    "NaN",
    "Infinity",
    [],
    {},
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    99999999999999999999,
]


def test_bad_input_never_makes_a_server_error(experiment, launched, owner):
    client = api_as(owner)
    writes = [
        (
            "post",
            url("idea-experiments", experiment.idea_id),
            ["baseline", "target", "direction", "metric", "starts_on"],
        ),
        (
            "patch",
            url("experiment-detail", experiment.pk),
            ["baseline", "target", "ends_on", "starts_on", "direction"],
        ),
        ("post", url("experiment-measurements", experiment.pk), ["measured_on", "value", "note"]),
        ("post", url("experiment-decide", experiment.pk), ["decision", "note"]),
        (
            "post",
            url("idea-value", launched.pk),
            ["period_start", "period_end", "revenue_generated", "revenue_protected"],
        ),
    ]
    for method, target, fields in writes:
        for name in fields:
            for value in NASTY:
                response = getattr(client, method)(target, {name: value}, format="json")
                assert response.status_code < 500, (method, target, name, value, response.content)
    assert client.get(url("experiment-detail", 2**70)).status_code in (400, 404)

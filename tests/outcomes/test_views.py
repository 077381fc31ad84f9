"""The outcomes pages: render, write through the services, htmx partials, query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from outcomes.models import Experiment
from tests import factories

pytestmark = pytest.mark.django_db

# Every signed-in page: the session, and the user loaded with their groups (rules, then cached)
# and the shared layout's facts (panel membership for the nav, unread notifications for the
# bell; accounts.layout).
SESSION = 2


def test_the_idea_page_links_to_experiments_for_staff_only(client, experiment, owner, customer):
    idea = experiment.idea
    idea.campaign = factories.CampaignFactory(audience="everyone")
    idea.save()
    client.force_login(owner)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert reverse("outcomes:idea_experiments", args=[idea.pk]) in page
    client.force_login(customer)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert reverse("outcomes:idea_experiments", args=[idea.pk]) not in page


def test_an_owner_creates_an_experiment_from_the_form(client, funded, owner):
    client.force_login(owner)
    new = reverse("outcomes:experiment_new", args=[funded.pk])
    assert client.get(new).status_code == 200
    response = client.post(
        new,
        {
            "hypothesis": "Pre-filled income cuts abandonment.",
            "metric": "Completion rate",
            "unit": "%",
            "direction": "increase",
            "baseline": "40",
            "target": "30",
        },
    )
    assert response.status_code == 400
    assert "above the baseline" in response.content.decode()
    response = client.post(
        new,
        {
            "hypothesis": "Pre-filled income cuts abandonment.",
            "metric": "Completion rate",
            "direction": "increase",
            "baseline": "40",
            "target": "60",
        },
    )
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:experiment", args=[experiment.pk])
    response = client.post(new, {"metric": "Another", "direction": "increase"})
    assert response.status_code == 409 and "waiting for a decision" in response.content.decode()


def test_measurements_plain_and_htmx_then_chart_data(client, experiment, owner):
    client.force_login(owner)
    add = reverse("outcomes:measurement_add", args=[experiment.pk])
    response = client.post(add, {"measured_on": "2026-02-01", "value": "48"})
    assert response.status_code == 302
    response = client.post(
        add,
        {"measured_on": "2026-02-08", "value": "55", "note": "week 2"},
        headers={"HX-Request": "true", "HX-Target": "measurements"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="measurements"' in body and 'class="experiment-chart" data-chart=' in body
    assert 'id="m_measured_on"' in body  # the form comes back with the region
    # (55 - 40) / (60 - 40) = 0.75
    assert 'data-testid="attainment">0.75<' in body
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]
    response = client.post(add, {"measured_on": "2026-02-08", "value": "56"})
    assert response.status_code == 400 and "already a measurement" in response.content.decode()
    page = client.get(reverse("outcomes:experiment", args=[experiment.pk])).content.decode()
    assert "js/outcomes-experiment.js" in page and "experiment-chart" in page


def test_a_csv_import_reports_rejected_rows(client, experiment, owner):
    client.force_login(owner)
    csv = b"measured_on,value,note\n2026-02-01,44,ok\nnot-a-date,45,\n2026-02-03,46,ok\n"
    response = client.post(
        reverse("outcomes:measurement_import", args=[experiment.pk]),
        {"file": SimpleUploadedFile("m.csv", csv, content_type="text/csv")},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Imported 2 of 3 rows; rejected 1." in body and "not-a-date" in body
    assert experiment.measurements.count() == 2


def test_deciding_from_the_page_is_audited(client, experiment, owner):
    client.force_login(owner)
    decide = reverse("outcomes:decide", args=[experiment.pk])
    response = client.post(decide, {"decision": "scale", "note": "Met the target."})
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert experiment.decision == "scale"
    assert AuditEvent.objects.filter(action="experiment.decide").count() == 1
    response = client.post(decide, {"decision": "stop"})
    assert response.status_code == 409


def test_value_page_records_and_refuses_overlaps(client, launched, owner, employee):
    client.force_login(owner)
    page = reverse("outcomes:value", args=[launched.pk])
    data = {
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "revenue_generated": "12000.00",
        "revenue_protected": "500.00",
    }
    assert client.post(page, data).status_code == 302
    response = client.post(page, {**data, "period_start": "2026-02-01", "period_end": "2026-04-30"})
    assert response.status_code == 409 and "overlaps" in response.content.decode()
    client.force_login(employee)
    body = client.get(page).content.decode()
    assert 'data-testid="total">€12,500<' in body
    assert "Record a period" not in body  # readers do not get the forms
    assert client.post(page, data).status_code == 403


def test_page_query_counts(client, django_assert_num_queries, experiment, launched, owner):
    for day in range(1, 8):
        factories.MeasurementFactory(
            experiment=experiment, measured_on=date(2026, 2, day), value=Decimal(40 + day)
        )
    factories.ExperimentFactory(
        idea=experiment.idea, decision="stop", decided_at="2026-01-15T10:00Z"
    )
    for month in (1, 2, 3):
        factories.ValueRecordFactory(
            idea=launched, period_start=date(2026, month, 1), period_end=date(2026, month, 28)
        )
    client.force_login(owner)
    # session, user; 3 the idea with campaign and owner; 4 experiments with attainment
    with django_assert_num_queries(SESSION + 2):
        assert (
            client.get(reverse("outcomes:idea_experiments", args=[experiment.idea_id])).status_code
            == 200
        )
    # session, user; 3 the experiment with attainment, idea, campaign, owner, decider, creator;
    # 4 its measurements with who entered them
    with django_assert_num_queries(SESSION + 2):
        assert client.get(reverse("outcomes:experiment", args=[experiment.pk])).status_code == 200
    # the htmx partial: the same without the layout
    with django_assert_num_queries(SESSION + 2):
        response = client.get(
            reverse("outcomes:experiment", args=[experiment.pk]),
            headers={"HX-Request": "true", "HX-Target": "measurements"},
        )
        assert response.status_code == 200
    # session, user; 3 the idea; 4 its value records with who recorded them
    with django_assert_num_queries(SESSION + 2):
        assert client.get(reverse("outcomes:value", args=[launched.pk])).status_code == 200

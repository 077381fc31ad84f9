"""The feedback API: JSON upsert, file imports and the filtered list."""

import json
from datetime import date

import pytest

from feedback.models import FeedbackItem
from feedback.privacy import PHONE_MASK, customer_ref
from tests.conftest import api_as
from tests.feedback.conftest import csv_file

ITEM = {
    "source": "app-store",
    "external_id": "r-1",
    "channel": "app_review",
    "text": "Locked out of the app, call 0612345678",
    "received_on": "2026-03-01",
    "customer_id": "C-42",
    "score": 1,
    "score_scale": "csat",
}


def test_it_upserts_a_list_of_items(manager, journey_places):
    client = api_as(manager)
    second = {**ITEM, "external_id": "r-2", "text": "Great card", "score": 5}
    response = client.post("/api/v1/feedback/", [ITEM, second], format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"imported": 2, "updated": 0, "unchanged": 0}
    item = FeedbackItem.objects.get(external_id="r-1")
    assert item.text == f"Locked out of the app, call {PHONE_MASK}"
    assert item.customer_ref == customer_ref("C-42")
    assert item.is_negative and not FeedbackItem.objects.get(external_id="r-2").is_negative

    changed = {**second, "text": "Great card, quick delivery"}
    response = client.post("/api/v1/feedback/", [ITEM, changed], format="json")
    assert response.json() == {"imported": 0, "updated": 1, "unchanged": 1}
    assert FeedbackItem.objects.count() == 2


def test_one_bad_item_refuses_the_request(manager, journey_places):
    bad = {**ITEM, "external_id": "r-3", "channel": "pigeon", "received_on": "yesterday"}
    response = api_as(manager).post("/api/v1/feedback/", [ITEM, bad], format="json")
    assert response.status_code == 400
    (message,) = response.json()["items"]
    assert message.startswith("item 1:") and "pigeon" in message and "not a date" in message
    assert not FeedbackItem.objects.exists()


def test_it_refuses_more_than_1000_items_and_non_lists(manager, journey_places):
    items = [{**ITEM, "external_id": str(i)} for i in range(1001)]
    assert api_as(manager).post("/api/v1/feedback/", items, format="json").status_code == 400
    assert api_as(manager).post("/api/v1/feedback/", ITEM, format="json").status_code == 400


def test_it_imports_a_file_with_a_mapping(
    manager, journey_places, django_capture_on_commit_callbacks
):
    upload = csv_file(
        [
            ["Id", "Kind", "Said", "On"],
            ["1", "chat", "Why is my card blocked?", "2026-02-01"],
            ["2", "chat", "", "2026-02-01"],
        ]
    )
    mapping = {"external_id": "Id", "channel": "Kind", "text": "Said", "received_on": "On"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(manager).post(
            "/api/v1/feedback/imports/",
            {"file": upload, "mapping": json.dumps(mapping), "source": "chatbot"},
            format="multipart",
        )
    assert response.status_code == 202, response.json()
    # The import runs when the request's transaction commits; the caller polls it.
    response = api_as(manager).get(f"/api/v1/feedback/imports/{response.json()['id']}/")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "total", "imported", "updated", "rejected")} == {
        "status": "done",
        "total": 2,
        "imported": 1,
        "updated": 0,
        "rejected": 1,
    }


def test_an_import_without_a_mapping_uses_the_column_names(
    manager, journey_places, django_capture_on_commit_callbacks
):
    upload = csv_file(
        [
            ["source", "external_id", "channel", "text", "received_on"],
            ["web", "1", "email", "Mail me at a@b.com", "2026-02-01"],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(manager).post(
            "/api/v1/feedback/imports/", {"file": upload}, format="multipart"
        )
    assert response.status_code == 202
    batch_id = response.json()["id"]
    assert api_as(manager).get(f"/api/v1/feedback/imports/{batch_id}/").json()["imported"] == 1


def test_a_bad_mapping_is_a_400(manager, journey_places):
    upload = csv_file([["a"], ["b"]])
    for mapping in ("not json", json.dumps({"colour": "a"}), json.dumps({"text": "a"})):
        response = api_as(manager).post(
            "/api/v1/feedback/imports/", {"file": upload, "mapping": mapping}, format="multipart"
        )
        assert response.status_code == 400, mapping
        upload.seek(0)


@pytest.fixture
def items(journey_places):
    make = FeedbackItem.objects.create
    return [
        make(
            source="s",
            external_id="1",
            channel="complaint",
            text="Locked out of the mobile app",
            received_on=date(2026, 1, 10),
            stage=journey_places["use"],
            is_negative=True,
        ),
        make(
            source="s",
            external_id="2",
            channel="survey",
            text="The dispute took two weeks",
            received_on=date(2026, 2, 10),
            stage=journey_places["get_help"],
        ),
        make(
            source="s",
            external_id="3",
            channel="call",
            text="Locked card, nobody answered",
            received_on=date(2026, 3, 10),
        ),
    ]


def test_it_lists_and_filters(employee, items, journey_places):
    client = api_as(employee)

    def ids(query):
        response = client.get("/api/v1/feedback/", query)
        assert response.status_code == 200
        return [r["external_id"] for r in response.json()["results"]]

    assert ids({}) == ["3", "2", "1"]
    assert ids({"q": "locked"}) == ["3", "1"]
    assert ids({"channel": "survey"}) == ["2"]
    assert ids({"stage": journey_places["use"].pk}) == ["1"]
    assert ids({"received_after": "2026-02-01"}) == ["3", "2"]
    assert client.get("/api/v1/feedback/", {"channel": "pigeon"}).status_code == 400


def test_customers_and_employees_cannot_write(customer, employee, journey_places):
    assert api_as(customer).get("/api/v1/feedback/").status_code == 403
    assert api_as(employee).post("/api/v1/feedback/", [ITEM], format="json").status_code == 403

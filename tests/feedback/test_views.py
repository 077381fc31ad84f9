"""The HTML pages: a curator imports a file, watches it, places and links feedback."""

from datetime import date

import pytest

from feedback.models import FeedbackItem, FeedbackLink, ImportBatch
from feedback.privacy import customer_ref
from journeys.models import Journey
from tests.factories import IdeaFactory
from tests.feedback.conftest import csv_file, xlsx_file

ROWS = [
    ["Ticket", "Type", "Verbatim", "Date", "Customer"],
    ["T-1", "call", "Locked out of the app, call me on 0612345678", "2026-03-01", "C-1"],
    ["T-2", "complaint", "Nobody explained the disputed card payment", "2026-03-02", "C-1"],
    ["T-3", "fax", "Bad channel", "2026-03-02", ""],
]


def test_a_curator_imports_a_file_through_the_pages(
    client, manager, journey_places, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    assert client.get("/feedback/imports/new/").status_code == 200
    response = client.post(
        "/feedback/imports/new/", {"file": xlsx_file(ROWS), "default_source": "contact-centre"}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/feedback/imports/{batch.pk}/mapping/"

    page = client.get(f"/feedback/imports/{batch.pk}/mapping/")
    assert page.status_code == 200
    mapping = {
        "map_external_id": "Ticket",
        "map_channel": "Type",
        "map_text": "Verbatim",
        "map_received_on": "Date",
        "map_customer_id": "Customer",
        "default_source": "contact-centre",
    }
    # The preview (an htmx change of a select) shows rows as they will be stored.
    preview = client.post(
        f"/feedback/imports/{batch.pk}/mapping/",
        mapping,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="import-preview",
    )
    body = preview.content.decode()
    assert "<html" not in body and "[phone]" in body and "0612345678" not in body
    assert "fax" in body and "refused" in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/feedback/imports/{batch.pk}/mapping/", {**mapping, "start": "1"})
    assert response["Location"] == f"/feedback/imports/{batch.pk}/"
    batch.refresh_from_db()
    assert (batch.status, batch.imported, batch.rejected) == ("done", 2, 1)

    page = client.get(f"/feedback/imports/{batch.pk}/").content.decode()
    assert 'value="100"' in page and "hx-trigger" not in page  # finished: no more polling
    rejected = client.get(f"/feedback/imports/{batch.pk}/rejected.csv")
    lines = b"".join(rejected.streaming_content).decode().splitlines()
    assert lines[0] == "row,reasons,Ticket,Type,Verbatim,Date,Customer"
    assert lines[1].startswith("4,") and "fax" in lines[1]


def test_the_progress_region_polls_while_the_import_runs(client, manager):
    batch = ImportBatch.objects.create(
        file_format="csv", original_name="f.csv", status="running", total=200, processed=50
    )
    client.force_login(manager)
    response = client.get(
        f"/feedback/imports/{batch.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="batch-progress"
    )
    body = response.content.decode()
    assert "<html" not in body and 'hx-trigger="every 1s"' in body and 'value="25"' in body
    assert "HX-Request" in response["Vary"]


def test_the_mapping_page_refuses_an_incomplete_mapping(client, manager, journey_places):
    client.force_login(manager)
    client.post("/feedback/imports/new/", {"file": csv_file(ROWS)})
    batch = ImportBatch.objects.get()
    response = client.post(f"/feedback/imports/{batch.pk}/mapping/", {"start": "1"})
    assert response.status_code == 400
    assert "Map a column to" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "mapping"


@pytest.fixture
def item(journey_places):
    return FeedbackItem.objects.create(
        source="crm",
        external_id="1",
        channel="complaint",
        text="Locked out of the app after the update",
        received_on=date(2026, 3, 1),
        customer_ref=customer_ref("C-1"),
        is_negative=True,
        suggested_moment=journey_places["login"],
    )


def test_a_curator_confirms_and_corrects_placements(client, manager, item, journey_places):
    other = FeedbackItem.objects.create(
        source="crm",
        external_id="2",
        channel="call",
        text="Card payment I do not know",
        received_on=date(2026, 3, 1),
        suggested_moment=journey_places["login"],
    )
    client.force_login(manager)
    page = client.get("/feedback/placements/").content.decode()
    assert "Locked out of the app" in page
    client.post(
        "/feedback/placements/",
        {
            "item": [item.pk, other.pk],
            f"moment-{item.pk}": journey_places["login"].pk,
            f"moment-{other.pk}": journey_places["dispute"].pk,  # corrected
        },
    )
    item.refresh_from_db()
    other.refresh_from_db()
    assert (item.stage, item.moment) == (journey_places["use"], journey_places["login"])
    assert (other.stage, other.moment) == (journey_places["get_help"], journey_places["dispute"])


def test_staff_search_ideas_and_link_an_item(client, employee, item):
    idea = IdeaFactory(title="Unlock the app with a selfie", status="submitted")
    client.force_login(employee)
    found = client.get(
        f"/feedback/{item.pk}/",
        {"q": "selfie"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="idea-search",
    )
    assert "Unlock the app with a selfie" in found.content.decode()
    client.post(f"/feedback/{item.pk}/link/", {"idea": idea.pk})
    assert FeedbackLink.objects.filter(item=item, idea=idea, linked_by=employee).exists()
    page = client.get(f"/feedback/ideas/{idea.pk}/").content.decode()
    assert 'data-testid="customers-affected">1<' in page
    client.post(f"/feedback/{item.pk}/unlink/{idea.pk}/")
    assert not FeedbackLink.objects.exists()


def test_the_customer_view_lists_items_in_time_order(client, employee, item):
    FeedbackItem.objects.create(
        source="survey",
        external_id="9",
        channel="survey",
        text="Earlier survey answer",
        received_on=date(2026, 1, 1),
        customer_ref=item.customer_ref,
    )
    client.force_login(employee)
    page = client.get(f"/feedback/customers/{item.customer_ref}/").content.decode()
    assert page.index("Earlier survey answer") < page.index("Locked out of the app")
    assert "Delete all" not in page  # erasure is for managers
    assert client.get("/feedback/customers/unknown/").status_code == 404


def test_the_journey_overlay_page(client, employee, item, journey_places):
    FeedbackItem.objects.filter(pk=item.pk).update(
        stage=journey_places["use"], moment=journey_places["login"], received_on=date.today()
    )
    client.force_login(employee)
    journey = Journey.objects.default()
    page = client.get(f"/feedback/journey/{journey.pk}/", {"days": 30}).content.decode()
    assert "Pain without an idea" in page
    moment = journey_places["login"]
    assert f"/ideas/new/?stage={moment.stage_id}&amp;moment={moment.pk}" in page


def test_the_list_filters(client, employee, item, journey_places):
    client.force_login(employee)
    assert "Locked out" in client.get("/feedback/", {"q": "locked"}).content.decode()
    assert "Locked out" not in client.get("/feedback/", {"channel": "survey"}).content.decode()
    use = journey_places["use"].pk
    assert "Locked out" not in client.get("/feedback/", {"stage": use}).content.decode()
    FeedbackItem.objects.filter(pk=item.pk).update(stage=use)
    assert "Locked out" in client.get("/feedback/", {"stage": use}).content.decode()


def test_the_list_counts_up_to_a_cap(client, employee, item, monkeypatch):
    from feedback import views

    for i in range(3):
        FeedbackItem.objects.create(
            source="t", external_id=str(i), channel="chat", text="x", received_on=date.today()
        )
    client.force_login(employee)
    monkeypatch.setattr(views, "COUNT_CAP", 2)
    page = client.get("/feedback/").content.decode()
    assert "More than 2 items" in page
    monkeypatch.setattr(views, "COUNT_CAP", 10)
    page = client.get("/feedback/").content.decode()
    assert "More than" not in page and "4 items" in page

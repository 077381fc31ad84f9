"""Query counts of every feedback list page, htmx partial and list endpoint.

Each page is rendered with several items, links and moments, so an N+1 would show. The
permission lookups (the user's groups, for the role rules) are cached on the user object for
the request.
"""

from datetime import date, timedelta

import pytest

from feedback.models import FeedbackItem, FeedbackLink, ImportBatch, ImportRejection
from feedback.privacy import customer_ref
from journeys.models import Journey
from tests.conftest import api_as
from tests.factories import IdeaFactory


@pytest.fixture
def world(journey_places, employee):
    ideas = [IdeaFactory(status="submitted") for _ in range(3)]
    ref = customer_ref("C-1")
    items = []
    for i in range(8):
        item = FeedbackItem.objects.create(
            source="crm",
            external_id=str(i),
            channel="complaint" if i % 2 else "survey",
            text=f"Locked out of the app, story {i}",
            received_on=date.today() - timedelta(days=i),
            customer_ref=ref,
            is_negative=bool(i % 2),
            stage=journey_places["use"] if i < 4 else None,
            moment=journey_places["login"] if i < 4 else None,
            suggested_moment=None if i < 4 else journey_places["dispute"],
        )
        for idea in ideas[: i % 3]:
            FeedbackLink.objects.create(item=item, idea=idea, linked_by=employee)
        items.append(item)
    batch = ImportBatch.objects.create(
        file_format="csv", original_name="f.csv", status="running", total=10, processed=5
    )
    ImportRejection.objects.bulk_create(
        ImportRejection(batch=batch, row_number=n, reasons="bad") for n in range(2, 6)
    )
    return {"ideas": ideas, "items": items, "ref": ref, "batch": batch}


def test_the_feedback_list(client, employee, world, django_assert_num_queries):
    client.force_login(employee)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 stages for the filter,
    # 4 the page of items (one more than the page: no count for a search) with stage, moment
    # and suggested moment joined, 5 the default journey's id (overlay link)
    with django_assert_num_queries(5):
        response = client.get("/feedback/", {"q": "locked"})
    assert response.status_code == 200
    assert response.content.decode().count("Locked out of the app, story") == 8
    assert "Matches 1\u20138" in response.content.decode()
    # Without a search the list counts (capped): 1 session, 2 user, 3 stages, 4 count,
    # 5 the page, 6 the journey's id
    with django_assert_num_queries(6):
        response = client.get("/feedback/", {"channel": "complaint"})
    assert "4 items" in response.content.decode()


def test_a_search_pages_with_next_and_no_count(
    client, employee, world, django_assert_num_queries, monkeypatch
):
    from feedback import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client.force_login(employee)
    first = client.get("/feedback/", {"q": "locked"}).content.decode()
    assert "Matches 1\u20133" in first and 'rel="next"' in first and 'rel="prev"' not in first
    assert "Page 1" in first and " of " not in first.split("Page 1")[1][:10]
    # the last page (8 matches, 3 a page): 1 session, 2 user, 3 the rows, no count
    with django_assert_num_queries(3):
        last = client.get(
            "/feedback/",
            {"q": "locked", "page": "3"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="feedback-list",
        ).content.decode()
    assert "Matches 7\u20138" in last and 'rel="next"' not in last and 'rel="prev"' in last
    beyond = client.get("/feedback/", {"q": "locked", "page": "9"}).content.decode()
    assert "No more matches" in beyond
    # A page number past any offset the database takes is an empty page, not an error.
    huge = client.get("/feedback/", {"q": "locked", "page": "9" * 30})
    assert huge.status_code == 200 and "No more matches" in huge.content.decode()


def test_the_feedback_list_partial(client, employee, world, django_assert_num_queries):
    client.force_login(employee)
    # 1 session, 2 user, 3 count, 4 the page of items (an employee needs no group lookup)
    with django_assert_num_queries(4):
        response = client.get(
            "/feedback/",
            {"channel": "complaint"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="feedback-list",
        )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_the_api_list(employee, world, django_assert_num_queries):
    client = api_as(employee)
    # 1 count, 2 the page of items (the rule is settled by the user's kind: no groups)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/feedback/", {"channel": "complaint"})
    assert response.json()["count"] == 4


def test_the_progress_partial(client, manager, world, django_assert_num_queries):
    client.force_login(manager)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the batch with its
    # uploader
    with django_assert_num_queries(3):
        response = client.get(
            f"/feedback/imports/{world['batch'].pk}/",
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="batch-progress",
        )
    assert response.status_code == 200


def test_the_import_page_with_recent_imports(client, manager, world, django_assert_num_queries):
    ImportBatch.objects.bulk_create(
        ImportBatch(file_format="csv", original_name=f"f{i}.csv", created_by=manager)
        for i in range(5)
    )
    client.force_login(manager)
    # 1 session, 2 user (with groups, panel membership, unread count and the moderation
    # queue's waiting count: a manager moderates), 3 the ten latest batches with their uploader
    with django_assert_num_queries(3):
        response = client.get("/feedback/imports/new/")
    assert response.content.decode().count("f0.csv") == 1


def test_the_placements_page(client, manager, world, django_assert_num_queries):
    client.force_login(manager)
    # 1 session, 2 user (with groups, panel membership, unread count and the moderation
    # queue's waiting count: a manager moderates), 3 count, 4 the page of items with their
    # suggestion, 5 the journey's moments with their stages
    with django_assert_num_queries(5):
        response = client.get("/feedback/placements/")
    assert response.status_code == 200


def test_the_linked_feedback_of_an_idea(client, employee, world, django_assert_num_queries):
    client.force_login(employee)
    idea = world["ideas"][0]
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the idea, 4 customers
    # affected (live links), 5 retained counts, 6 the linked items with stage and moment
    with django_assert_num_queries(6):
        response = client.get(
            f"/feedback/ideas/{idea.pk}/",
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="linked-feedback",
        )
    assert response.status_code == 200


def test_the_customer_view(client, employee, world, django_assert_num_queries):
    client.force_login(employee)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the customer's items
    # with stage and moment, 4 their links (prefetch), 5 the linked ideas visible to the viewer
    with django_assert_num_queries(5):
        response = client.get(f"/feedback/customers/{world['ref']}/")
    assert response.status_code == 200


def test_the_journey_overlay(client, employee, world, django_assert_num_queries):
    client.force_login(employee)
    journey = Journey.objects.default()
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the journey, 4 counts
    # per stage and moment, 5 destroying moments without a live idea, 6 stages, 7 their moments
    # (prefetch)
    with django_assert_num_queries(7):
        response = client.get(f"/feedback/journey/{journey.pk}/")
    assert response.status_code == 200


def test_the_idea_page_with_linked_feedback(client, employee, world, django_assert_num_queries):
    idea = world["ideas"][0]  # five linked items; a sixth makes the panel count them
    FeedbackLink.objects.create(item=world["items"][0], idea=idea, linked_by=employee)
    client.force_login(employee)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the idea with its
    # joins, whether the user supports and follows it, and whether it has attachments (no:
    # no query), evidence rows and linked feedback (yes), 4 comments, 5 transitions, 6 the
    # first six linked items with stage and moment (the idea has no manual evidence: its
    # counter says so, no query), 7 their count
    with django_assert_num_queries(7):
        response = client.get(f"/ideas/{idea.pk}/")
    body = response.content.decode()
    assert body.count('data-testid="linked-feedback-item"') == 5
    assert "and 6 linked feedback items" in body

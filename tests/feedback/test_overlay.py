"""The journey overlay: volume, share negative and trend per stage and moment, and the
moments that hurt with no live idea. Numbers worked out by hand below."""

import io
from datetime import date, timedelta

from django.db import connection

from feedback import selectors, services
from feedback.models import FeedbackDay, FeedbackItem
from journeys.models import Journey
from tests.factories import IdeaFactory, MomentFactory

TODAY = date(2026, 6, 30)


def _items(n, *, moment, negative: bool, days_ago: int, start: int):
    for i in range(n):
        FeedbackItem.objects.create(
            source="t",
            external_id=f"{start + i}",
            channel="complaint" if negative else "survey",
            text="x",
            received_on=TODAY - timedelta(days=days_ago),
            stage_id=moment.stage_id,
            moment=moment,
            is_negative=negative,
        )


def test_it_counts_volume_negative_share_and_trend(journey_places):
    journey = Journey.objects.default()
    login, dispute = journey_places["login"], journey_places["dispute"]
    # login: current 30 days: 6 negative + 2 positive; previous 30 days: 4
    _items(6, moment=login, negative=True, days_ago=1, start=0)
    _items(2, moment=login, negative=False, days_ago=29, start=100)
    _items(4, moment=login, negative=True, days_ago=30, start=200)
    # dispute: 3 negative now, none before; it has a live idea, so it is no "pain"
    _items(3, moment=dispute, negative=True, days_ago=5, start=300)
    IdeaFactory(status="screening", stage=dispute.stage, moment=dispute)
    # a destroying moment with only positive feedback is no pain either
    calm = MomentFactory(stage=journey_places["use"], name="Calm")
    _items(2, moment=calm, negative=False, days_ago=2, start=400)
    # older than both periods: ignored
    _items(5, moment=login, negative=True, days_ago=61, start=500)

    overlay = selectors.journey_overlay(journey, days=30, today=TODAY)

    cell = overlay["moments"][login.pk]
    assert (cell["volume"], cell["negative"], cell["before"]) == (8, 6, 4)
    assert cell["negative_share"] == 6 / 8
    assert cell["trend"] == (8 - 4) / 4  # +100 %
    assert overlay["moments"][dispute.pk]["trend"] is None  # nothing before
    use = overlay["stages"][login.stage_id]
    assert (use["volume"], use["negative"], use["before"]) == (10, 6, 4)  # login + calm
    assert [p["moment"] for p in overlay["pain"]] == [login]


def test_linking_changes_customers_affected(manager, employee, journey_places):
    from feedback.privacy import customer_ref

    idea = IdeaFactory(status="submitted")
    a = [
        FeedbackItem.objects.create(
            source="t",
            external_id=str(i),
            channel="chat",
            text="x",
            received_on=TODAY,
            customer_ref=customer_ref(ref),
        )
        for i, ref in enumerate(["A", "A", "B", ""])
    ]
    for item in a:
        services.link_create(item=item, idea=idea, actor=employee)
    services.link_create(item=a[0], idea=idea, actor=employee)  # twice: one link
    assert selectors.linked_items(idea).count() == 4
    assert selectors.customers_affected(idea) == 2  # A and B; the anonymous item not
    services.link_delete(item=a[2], idea_id=idea.pk, actor=employee)
    assert selectors.customers_affected(idea) == 1


def test_top_verbatims_put_negative_items_first(employee, journey_places):
    idea = IdeaFactory(status="in_review")
    items = [
        FeedbackItem.objects.create(
            source="t",
            external_id=str(i),
            channel=channel,
            text=f"verbatim {i}",
            received_on=TODAY - timedelta(days=i),
            is_negative=channel == "complaint",
        )
        for i, channel in enumerate(["survey", "complaint", "survey", "complaint"])
    ]
    for item in items:
        services.link_create(item=item, idea=idea, actor=employee)
    top = [i.external_id for i in selectors.top_verbatims(idea, limit=3)]
    assert top == ["1", "3", "0"]  # negatives newest first, then the newest other


def test_the_overlay_follows_placements_erasure_and_deleted_moments(manager, journey_places):
    """On PostgreSQL the overlay reads a roll-up kept by triggers: it must follow every kind
    of write to the items, not only inserts."""
    from feedback.privacy import customer_ref

    journey = Journey.objects.default()
    login, dispute = journey_places["login"], journey_places["dispute"]
    ref = customer_ref("A")
    items = [
        FeedbackItem.objects.create(
            source="t",
            external_id=str(i),
            channel="complaint",
            text="x",
            received_on=TODAY,
            customer_ref=ref if i < 2 else "",
            suggested_moment=login,
            is_negative=True,
        )
        for i in range(4)
    ]

    def volume(moment):
        cell = selectors.journey_overlay(journey, days=30, today=TODAY)["moments"].get(moment.pk)
        return cell["volume"] if cell else 0

    assert volume(login) == 0  # suggestions are not placements
    services.placements_confirm(choices={i.pk: login.pk for i in items}, actor=manager)
    assert volume(login) == 4
    services.placements_confirm(choices={items[3].pk: dispute.pk}, actor=manager)
    assert (volume(login), volume(dispute)) == (3, 1)
    services.customer_delete(customer_ref=ref, actor=manager)  # items 0 and 1
    assert volume(login) == 1
    use = journey_places["use"]
    login.delete()  # the item keeps its stage, loses its moment
    stage_cell = selectors.journey_overlay(journey, days=30, today=TODAY)["stages"][use.pk]
    assert stage_cell["volume"] == 1


def test_the_overlay_follows_upserts_that_move_an_item(manager, journey_places):
    journey = Journey.objects.default()
    login, dispute = journey_places["login"], journey_places["dispute"]
    item = {
        "source": "api",
        "external_id": "1",
        "channel": "complaint",
        "text": "Locked out",
        "received_on": date.today().isoformat(),
        "moment": login.name,
    }
    services.items_upsert(items=[item, {**item, "external_id": "2"}], actor=manager)
    services.items_upsert(
        items=[{**item, "moment": dispute.name}, {**item, "external_id": "3"}], actor=manager
    )
    overlay = selectors.journey_overlay(journey, days=30)
    assert overlay["moments"][login.pk]["volume"] == 2  # items 2 and 3
    assert overlay["moments"][dispute.pk]["volume"] == 1  # item 1, moved


def _roll_up() -> set[tuple]:
    return set(
        FeedbackDay.objects.filter(volume__gt=0).values_list(
            "stage_id", "moment_key", "day", "volume", "negative"
        )
    )


def test_the_rebuilt_roll_up_equals_the_maintained_one(
    manager, journey_places, django_capture_on_commit_callbacks
):
    """Import, re-import with moves, placements, erasure: on PostgreSQL the triggers keep the
    roll-up; ``manage.py rebuild_feedback_days`` recomputes it from the items, and both agree
    (elsewhere the rebuild alone is checked against the items)."""
    from django.core.management import call_command

    from feedback.privacy import customer_ref
    from tests.feedback.conftest import make_file, run_import

    login, dispute = journey_places["login"], journey_places["dispute"]
    header = ["source", "external_id", "channel", "text", "received_on", "customer_id", "moment"]
    rows = [header] + [
        [
            "crm",
            str(i),
            "complaint" if i % 3 else "survey",
            "Locked out of the app" if i % 2 else "A card payment I do not know",
            (TODAY - timedelta(days=i % 5)).isoformat(),
            f"C{i % 4}",
            [login.name, dispute.name, ""][i % 3],
        ]
        for i in range(30)
    ]
    run_import(django_capture_on_commit_callbacks, make_file("csv", rows), manager)
    moved = [[*r[:6], dispute.name] if r[1] in {"1", "4"} else r for r in rows]
    run_import(django_capture_on_commit_callbacks, make_file("csv", moved), manager)
    unplaced = FeedbackItem.objects.filter(stage__isnull=True).order_by("pk")[:3]
    services.placements_confirm(choices={i.pk: login.pk for i in unplaced}, actor=manager)
    services.customer_delete(customer_ref=customer_ref("C1"), actor=manager)

    expected = {
        (
            s,
            m or 0,
            d,
            FeedbackItem.objects.filter(stage_id=s, moment_id=m, received_on=d).count(),
            FeedbackItem.objects.filter(
                stage_id=s, moment_id=m, received_on=d, is_negative=True
            ).count(),
        )
        for s, m, d in FeedbackItem.objects.filter(stage__isnull=False)
        .values_list("stage_id", "moment_id", "received_on")
        .distinct()
    }
    assert expected  # the scenario placed items
    if connection.vendor == "postgresql":
        assert _roll_up() == expected  # maintained by the triggers
    call_command("rebuild_feedback_days", stdout=io.StringIO())
    assert _roll_up() == expected

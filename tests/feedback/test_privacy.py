"""Masking, pseudonymous references, erasure by customer and the retention purge."""

from datetime import UTC, date

import pytest

from accounts.models import AuditEvent
from feedback import selectors, services
from feedback.models import FeedbackItem, FeedbackLink, RetainedCount
from feedback.privacy import customer_ref, mask
from tests.factories import IdeaFactory


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Mail jane.doe+bank@mail.co.uk now", "Mail [email] now"),
        ("Call +44 20 7946 0958.", "Call [phone]."),
        ("My mobile is 06-12345678", "My mobile is [phone]"),
        ("ring (020) 7946 0958 please", "ring [phone] please"),
        ("0031 6 1234 5678", "[phone]"),
        # Not phones: amounts, short numbers, dates, percentages.
        ("Paid 2,300 EUR on 2026-03-05, ref 12345", "Paid 2,300 EUR on 2026-03-05, ref 12345"),
        ("waited 27 minutes, 3.1% of 100000", "waited 27 minutes, 3.1% of 100000"),
    ],
)
def test_it_masks_emails_and_phone_numbers(text, masked):
    assert mask(text) == masked


def test_customer_refs_are_keyed_hashes(settings):
    ref = customer_ref(" C-42 ")
    assert len(ref) == 64 and "42" not in ref
    assert ref == customer_ref("c-42")  # trimmed and case-folded
    assert customer_ref("") == ""
    settings.FEEDBACK_PEPPER = "another pepper"
    assert customer_ref("C-42") != ref


def _item(n: int, ref: str, received_on: date) -> FeedbackItem:
    return FeedbackItem.objects.create(
        source="s",
        external_id=str(n),
        channel="complaint",
        text=f"item {n}",
        received_on=received_on,
        customer_ref=ref,
        is_negative=True,
    )


def test_deleting_a_customer_removes_every_item_and_is_audited(manager, employee):
    idea = IdeaFactory(status="submitted")
    a, b = customer_ref("A"), customer_ref("B")
    mine = [_item(1, a, date(2026, 1, 1)), _item(2, a, date(2026, 2, 1))]
    _item(3, b, date(2026, 2, 1))
    FeedbackLink.objects.create(item=mine[0], idea=idea, linked_by=employee)

    assert services.customer_delete(customer_ref=a, actor=manager) == 2
    assert list(FeedbackItem.objects.values_list("external_id", flat=True)) == ["3"]
    assert not FeedbackLink.objects.exists()
    event = AuditEvent.objects.get(action="feedback.customer_deleted")
    assert event.data == {"customer_ref": a, "items": 2}
    assert event.actor == manager


def test_only_managers_delete_customers(employee):
    from django.core.exceptions import PermissionDenied

    _item(1, customer_ref("A"), date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        services.customer_delete(customer_ref=customer_ref("A"), actor=employee)


def test_the_retention_purge_keeps_only_counts_on_ideas(settings, employee):
    settings.FEEDBACK_RETENTION_MONTHS = 12
    today = date(2026, 6, 15)  # cutoff 2025-06-15
    idea = IdeaFactory(status="submitted")
    a, b, c = customer_ref("A"), customer_ref("B"), customer_ref("C")
    old_a = _item(1, a, date(2025, 1, 1))
    old_b1 = _item(2, b, date(2025, 2, 1))
    old_b2 = _item(3, b, date(2025, 3, 1))
    new_a = _item(4, a, date(2026, 1, 1))  # A keeps a linked item: not counted twice
    new_c = _item(5, c, date(2026, 2, 1))
    _item(6, "", date(2024, 1, 1))  # old, unlinked, anonymous
    for item in (old_a, old_b1, old_b2, new_a, new_c):
        FeedbackLink.objects.create(item=item, idea=idea, linked_by=employee)
    assert selectors.customers_affected(idea) == 3  # A, B, C

    # chunk=2: the purge crosses chunks, and B's two items fall in different ones
    assert services.retention_purge(today=today, chunk=2) == 4
    assert set(FeedbackItem.objects.values_list("external_id", flat=True)) == {"4", "5"}
    retained = RetainedCount.objects.get(idea=idea)
    # items: old_a, old_b1, old_b2; customers: B only (A still has item 4)
    assert (retained.items, retained.customers) == (3, 1)
    assert selectors.customers_affected(idea) == 3  # A and C live, B retained
    assert services.retention_purge(today=today) == 0  # a second run finds nothing


def test_the_purge_also_removes_old_rejected_rows(settings, db):
    from datetime import datetime

    from feedback.models import ImportBatch, ImportRejection

    settings.FEEDBACK_RETENTION_MONTHS = 12
    old = ImportBatch.objects.create(file_format="csv", created_at=datetime(2024, 1, 1, tzinfo=UTC))
    new = ImportBatch.objects.create(file_format="csv")
    for batch in (old, new):
        ImportRejection.objects.create(batch=batch, row_number=2, reasons="x", data=["C-1"])
    services.retention_purge()
    assert list(ImportRejection.objects.values_list("batch", flat=True)) == [new.pk]


def test_retention_zero_keeps_everything(settings, db):
    settings.FEEDBACK_RETENTION_MONTHS = 0
    _item(1, "", date(2000, 1, 1))
    assert services.retention_purge() == 0
    assert FeedbackItem.objects.count() == 1


def test_the_purge_runs_nightly_through_a_registered_task(settings, db):
    from config.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["feedback-retention-purge-nightly"]
    assert entry["task"] in app.tasks


def test_the_purge_task_purges(settings, db):
    from feedback.tasks import purge_expired_task

    settings.FEEDBACK_RETENTION_MONTHS = 1
    _item(1, "", date(2000, 1, 1))
    assert purge_expired_task.delay().get() == 1
    assert not FeedbackItem.objects.exists()

"""Linked feedback is evidence of an idea's need: it moves ``customers_affected`` wherever the
idea shows it, meets the review gate, shows in the idea page's evidence section (to staff),
and a new idea started from a painful moment takes that moment's top verbatims."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import selectors, services
from feedback.models import FeedbackItem, FeedbackLink
from feedback.privacy import customer_ref
from ideas.evidence import customers_recount, evidence_add
from ideas.models import Idea
from ideas.services import idea_recount
from ideas.workflow import GateContext, _own_gates
from journeys.models import Journey
from tests.conftest import api_as
from tests.factories import IdeaFactory, guided_idea_post


def _item(n: int, ref: str = "", *, days_ago: int = 1, **fields) -> FeedbackItem:
    values = {
        "source": "t",
        "external_id": str(n),
        "channel": "complaint",
        "text": f"Verbatim {n}: locked out, reach me at [email]",
        "received_on": timezone.localdate() - timedelta(days=days_ago),
        "customer_ref": customer_ref(ref) if ref else "",
        "is_negative": True,
        **fields,
    }
    return FeedbackItem.objects.create(**values)


def _affected(idea) -> int:
    return Idea.objects.values_list("customers_affected", flat=True).get(pk=idea.pk)


def test_linked_customers_add_to_the_manual_figures(employee, manager):
    idea = IdeaFactory(status="submitted")
    evidence_add(idea=idea, added_by=manager, kind="survey", summary="Q1", customers_affected=40)
    items = [_item(i, ref) for i, ref in enumerate(["A", "A", "B", ""])]
    for item in items:
        services.link_create(item=item, idea=idea, actor=employee)
    assert _affected(idea) == 40 + 2  # A and B; the item without a customer adds no one
    # The recount from the rows (the ideas' maintenance command) agrees with the maintained.
    Idea.objects.filter(pk=idea.pk).update(customers_affected=0)
    idea_recount(ids=[idea.pk])
    assert _affected(idea) == 42
    services.link_delete(item=items[2], idea_id=idea.pk, actor=employee)
    assert _affected(idea) == 41
    # Evidence added afterwards still counts on top.
    evidence_add(idea=idea, added_by=manager, kind="other", summary="A story")
    assert _affected(idea) == 42
    # Erasure of a customer takes their part away; nothing is kept for them.
    services.customer_delete(customer_ref=customer_ref("A"), actor=manager)
    assert _affected(idea) == 41


def test_the_retention_purge_keeps_the_figure(settings, employee):
    settings.FEEDBACK_RETENTION_MONTHS = 12
    idea = IdeaFactory(status="submitted")
    for item in [_item(1, "A", days_ago=800), _item(2, "B", days_ago=800), _item(3, "B")]:
        services.link_create(item=item, idea=idea, actor=employee)
    assert _affected(idea) == 2
    assert services.retention_purge() == 2
    assert FeedbackLink.objects.filter(idea=idea).count() == 1
    assert _affected(idea) == 2  # A is retained as a count, B still has a live item
    customers_recount(ids=[idea.pk])
    assert _affected(idea) == 2


def test_the_api_idea_detail_counts_linked_customers(employee):
    idea = IdeaFactory(status="submitted")
    for i, ref in enumerate(["A", "B", "C"]):
        services.link_create(item=_item(i, ref), idea=idea, actor=employee)
    body = api_as(employee).get(f"/api/v1/ideas/{idea.pk}/").json()
    assert body["customers_affected"] == 3


def test_linked_feedback_meets_the_review_gate(employee):
    idea = IdeaFactory(status="screening", evidence=0)
    ctx = GateContext(idea=idea, to="in_review", actor=employee, reason="", override=False)
    assert "evidence" in _own_gates(ctx)
    services.link_create(item=_item(1, "A"), idea=idea, actor=employee)
    assert _own_gates(ctx) is None


def test_the_idea_page_lists_linked_feedback_to_staff_only(client, employee, customer):
    idea = IdeaFactory(status="submitted", author=customer)
    services.link_create(
        item=_item(1, "A", text="Locked out again, mail [email]", channel="chat"),
        idea=idea,
        actor=employee,
    )
    client.force_login(employee)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert page.count('data-testid="linked-feedback-item"') == 1
    assert "Locked out again, mail [email]" in page and "Chat" in page
    assert "evidence and 1 linked feedback item, speaking for <strong>1</strong> customer" in page
    # The author is a customer: they see the count, never the feedback itself.
    client.force_login(customer)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "linked-feedback" not in page and "Locked out again" not in page
    assert "linked feedback item" not in page
    assert "speaking for <strong>1</strong> customer" in page


def test_top_verbatims_are_masked_with_channel_and_date(employee):
    idea = IdeaFactory(status="in_review")
    services.link_create(item=_item(1, "A"), idea=idea, actor=employee)
    (top,) = selectors.top_verbatims(idea, limit=3)
    assert "[email]" in top.text
    assert (top.get_channel_display(), top.received_on) == ("Complaint", _item_date(1))


def _item_date(days_ago: int):
    return timezone.localdate() - timedelta(days=days_ago)


@pytest.fixture
def pain(journey_places):
    """A value-destroying moment with seven negative items and no idea."""
    login = journey_places["login"]
    login.effect = "destroys_value"
    login.save()
    items = [
        _item(
            i,
            f"C{i % 5}",
            days_ago=i + 1,
            stage_id=login.stage_id,
            moment=login,
            channel="survey",
            score=i % 7,
            score_scale="nps",
        )
        for i in range(7)
    ]
    _item(99, "Z", days_ago=200, stage_id=login.stage_id, moment=login)  # outside 90 days
    _item(98, "Z", stage_id=login.stage_id, moment=login, is_negative=False, channel="chat")
    return {"moment": login, "items": items}


def test_pain_without_an_idea_starts_a_prefilled_idea_with_the_top_verbatims(
    client, employee, pain
):
    moment = pain["moment"]
    client.force_login(employee)
    journey = Journey.objects.default()
    overlay = client.get(f"/feedback/journey/{journey.pk}/", {"days": 90})
    (row,) = overlay.context["overlay"]["pain"]
    url = row["idea_url"]
    assert 'data-testid="pain-start-idea"' in overlay.content.decode()
    query = parse_qs(urlparse(url).query)
    assert query["stage"] == [str(moment.stage_id)] and query["moment"] == [str(moment.pk)]
    assert query["evidence_from"] == [f"feedback:moment:{moment.pk}:90"]

    form_page = client.get(url)
    form = form_page.context["form"]
    assert (form.initial["stage"], form.initial["moment"]) == (moment.stage_id, moment.pk)
    assert form.initial["customer_need"].startswith(f"Customers feel pain at “{moment.name}”")
    assert "7 negative feedback items of 8" in form.initial["customer_need"]
    page = form_page.content.decode()
    assert 'data-testid="evidence-from"' in page and "5 most telling" in page

    # The evidence step starts from what will be attached.
    assert "5 most telling" in form.initial["evidence_summary"]
    response = client.post(
        reverse("ideas:new"),
        guided_idea_post(
            title="Unlock the app without a call",
            customer_need=form.initial["customer_need"],
            evidence_kind="complaint",
            evidence_summary=form.initial["evidence_summary"],
            customers_affected=0,  # beyond the linked feedback, which counts itself
            horizon="core",
            stage=moment.stage_id,
            moment=moment.pk,
            evidence_from=query["evidence_from"][0],
        ),
    )
    assert response.status_code == 302
    idea = Idea.objects.get(title="Unlock the app without a call")
    linked = list(selectors.linked_items(idea).order_by("score", "-received_on"))
    # The five most telling: NPS 0, 1, 2, 3, 4 (the 5 and 6 stay out), all masked.
    assert [i.score for i in linked] == [0, 1, 2, 3, 4]
    assert all("[email]" in i.text for i in linked)
    assert {link.linked_by for link in FeedbackLink.objects.filter(idea=idea)} == {employee}
    assert idea.customers_affected == 5  # C0 … C4
    # The moment now has a live idea: no more pain without one.
    overlay = client.get(f"/feedback/journey/{journey.pk}/", {"days": 90})
    assert overlay.context["overlay"]["pain"] == []


def test_a_customer_cannot_attach_feedback_through_the_form(client, customer, pain):
    client.force_login(customer)
    key = f"feedback:moment:{pain['moment'].pk}:90"
    page = client.get(reverse("ideas:new"), {"evidence_from": key}).content.decode()
    assert "evidence-from" not in page
    response = client.post(
        reverse("ideas:new"),
        guided_idea_post(title="Let me in, please", evidence_from=key),
    )
    assert response.status_code == 302
    assert not FeedbackLink.objects.exists()


def test_an_unknown_key_attaches_nothing(client, employee, pain):
    client.force_login(employee)
    for key in ["feedback:moment:999999:90", "feedback:moment:x:90", "other:thing"]:
        page = client.get(reverse("ideas:new"), {"evidence_from": key}).content.decode()
        assert "evidence-from" not in page

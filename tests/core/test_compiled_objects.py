"""core.compiled.compiled_objects: a model query compiled once per connection, run with
its sentinels replaced, gives the instances iterating the queryset gives."""

from decimal import Decimal

import pytest
from django.db import connections
from django.db.models import Exists, OuterRef

from core.compiled import _ATTRIBUTE, compiled_objects
from ideas.models import Idea, Support
from tests.factories import CampaignFactory, IdeaFactory

pytestmark = pytest.mark.django_db

SENTINEL = -5_550_001


def _query():
    return (
        Idea.objects.filter(pk__gte=SENTINEL)
        .select_related("campaign", "owner")
        .defer("search_vector")
        .annotate(supported=Exists(Support.objects.filter(idea=OuterRef("pk"))))
        .order_by("id")
    )


def test_it_gives_the_instances_the_queryset_gives(employee, manager):
    ideas = [
        IdeaFactory(campaign=CampaignFactory(), owner=manager, estimated_cost=Decimal("12.50")),
        IdeaFactory(campaign=None),
    ]
    built = []

    def build():
        built.append(1)
        return _query()

    connections["default"].__dict__.get(_ATTRIBUTE, {}).pop("tests.compiled_objects", None)
    query = compiled_objects("default", "tests.compiled_objects", build)
    found = query.fetch({SENTINEL: ideas[0].pk})
    again = compiled_objects("default", "tests.compiled_objects", build).fetch(
        {SENTINEL: ideas[1].pk}
    )
    assert built == [1]  # compiled once on this connection
    expected = list(_query().filter(pk__gte=ideas[0].pk))
    assert [i.pk for i in found] == [i.pk for i in expected] == [ideas[0].pk, ideas[1].pk]
    assert [i.pk for i in again] == [ideas[1].pk]
    first = found[0]
    assert first.estimated_cost == Decimal("12.50")
    assert first.created_at == expected[0].created_at
    assert first.campaign.title == ideas[0].campaign.title
    assert first.owner.email == manager.email
    assert first.supported is False
    assert found[1].campaign is None and found[1].owner is None
    assert "search_vector" in first.get_deferred_fields()
    assert first._state.db == "default" and not first._state.adding
    connections["default"].__dict__[_ATTRIBUTE].pop("tests.compiled_objects")


def test_it_runs_one_query():
    with pytest.raises(ValueError):
        compiled_objects(
            "default", "tests.compiled_prefetch", lambda: Idea.objects.prefetch_related("comments")
        )

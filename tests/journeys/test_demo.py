import pytest

from journeys import demo
from journeys.models import Moment

pytestmark = pytest.mark.django_db


def test_it_seeds_about_twenty_moments_idempotently():
    first = demo.seed()
    demo.seed()
    assert len(first) == 21
    assert Moment.objects.filter(stage__journey__is_default=True).count() == 21
    effects = set(Moment.objects.values_list("effect", flat=True))
    assert effects == {"creates_value", "destroys_value"}


def test_it_names_value_destroying_gap_moments_for_the_ideas_demo():
    moments = demo.seed()
    assert 3 <= len(demo.GAP_MOMENT_NAMES) <= 4
    for name in demo.GAP_MOMENT_NAMES:
        assert moments[name].effect == "destroys_value", name

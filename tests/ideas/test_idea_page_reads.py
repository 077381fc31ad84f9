"""The idea page's compiled reads (the idea, its comments, its timeline) against the
querysets they stand for: the same rows, fields, annotations and related objects for every
kind of viewer, one viewer after another on the same connection (the statements are
compiled once per shape of the rules, then reused with other ids); and its URLs, reversed
once per process, against the ``{% url %}`` tag's."""

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.models import User
from ideas import engagement, services
from ideas.models import Moderation
from ideas.page import _ROUTES, IdeaUrls
from ideas.selectors import page_comments, page_transitions, visible_comments
from ideas.views import _page_idea, _page_ideas
from journeys.models import Stage
from tests.factories import (
    CampaignFactory,
    CommentFactory,
    CustomerFactory,
    IdeaFactory,
    ModeratorFactory,
    MomentFactory,
    add_evidence,
)

pytestmark = pytest.mark.django_db

ANNOTATIONS = (
    "is_supported",
    "is_following",
    "has_attachments",
    "evidence_own_exists",
    "evidence_feedback_exists",
)
RELATED = ("campaign", "stage", "moment", "author", "owner")


@pytest.fixture
def viewers(employee, customer, manager, executive):
    return [employee, customer, manager, executive, ModeratorFactory(), CustomerFactory()]


@pytest.fixture
def ideas(employee, customer, manager, png, open_gates):
    staff_only = CampaignFactory(audience="employees")
    for_customers = CampaignFactory(audience="everyone")
    stage = Stage.objects.filter(journey__is_default=True).first()
    rows = [
        IdeaFactory(campaign=for_customers, stage=stage, moment=MomentFactory(stage=stage)),
        IdeaFactory(campaign=staff_only, is_anonymous=True, owner=manager),
        IdeaFactory(campaign=None, author=employee, status="draft"),
        IdeaFactory(campaign=for_customers, moderation=Moderation.HELD, author=customer),
        IdeaFactory(campaign=for_customers, moderation=Moderation.REJECTED),
        IdeaFactory(campaign=for_customers, is_anonymous=True, author=customer),
    ]
    add_evidence(rows[0])
    services.attachment_add(idea=rows[1], uploaded_by=manager, file=png)
    engagement.support_add(idea=rows[0], user=employee)
    engagement.follow_set(idea=rows[0], user=customer, following=True)
    for idea in rows:
        CommentFactory(idea=idea)
        CommentFactory(idea=idea, is_internal=True)
        CommentFactory(idea=idea, author=customer, moderation=Moderation.HELD)
        CommentFactory(idea=idea, author=employee, moderation=Moderation.HIDDEN)
    services.idea_transition(idea=rows[0], to="screening", actor=manager, reason="Looks good")
    services.idea_transition(idea=rows[0], to="in_review", actor=manager)
    services.idea_transition(idea=rows[1], to="screening", actor=manager)
    return rows


def _fresh(user):
    # As a session loads the person: a new object each request.
    return User.objects.get(pk=user.pk)


def _fields(obj) -> dict:
    """The loaded fields (reading a deferred one would load it), and which are deferred."""
    deferred = obj.get_deferred_fields()
    loaded = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in deferred
    }
    return {"deferred": sorted(deferred), **loaded}


def test_the_idea_is_the_one_its_queryset_reads(viewers, ideas):
    shown = 0
    for viewer in viewers:
        for idea in ideas:
            expected = _page_ideas(_fresh(viewer)).filter(pk=idea.pk).first()
            if expected is None:
                with pytest.raises(Http404):
                    _page_idea(_fresh(viewer), idea.pk)
                continue
            shown += 1
            got = _page_idea(_fresh(viewer), idea.pk)
            assert "search_vector" not in got.__dict__
            assert _fields(got) == _fields(expected)
            for name in ANNOTATIONS:
                assert getattr(got, name) == getattr(expected, name), name
            for name in RELATED:
                got_related, expected_related = getattr(got, name), getattr(expected, name)
                assert (got_related and _fields(got_related)) == (
                    expected_related and _fields(expected_related)
                ), name
    # every viewer sees some ideas and not others
    assert 0 < shown < len(viewers) * len(ideas)
    assert _page_idea(_fresh(viewers[0]), ideas[0].pk).is_supported is True
    assert _page_idea(_fresh(viewers[1]), ideas[0].pk).is_following is True


def test_a_missing_idea_is_not_found(employee):
    with pytest.raises(Http404):
        _page_idea(_fresh(employee), 987_654)


def test_the_comments_are_the_ones_the_reader_may_read(viewers, ideas):
    for viewer in viewers:
        for idea in ideas:
            viewer = _fresh(viewer)
            expected = list(visible_comments(idea, viewer))
            got = page_comments(idea, viewer)
            assert [_fields(c) for c in got] == [_fields(c) for c in expected]
            assert [_fields(c.author) for c in got] == [_fields(c.author) for c in expected]
            assert all(c.idea is idea for c in got)


def test_the_timeline_is_the_ideas_transitions(ideas):
    for idea in ideas:
        expected = list(idea.transitions.select_related("actor"))
        got = page_transitions(idea)
        assert [_fields(t) for t in got] == [_fields(t) for t in expected]
        assert [t.actor and _fields(t.actor) for t in got] == [
            t.actor and _fields(t.actor) for t in expected
        ]
        assert all(t.idea is idea for t in got)
    assert len(page_transitions(ideas[0])) == 2


def test_the_page_urls_are_the_ones_the_url_tag_gives(ideas):
    for idea in ideas:
        urls = IdeaUrls(idea.pk)
        for name, route in _ROUTES.items():
            assert getattr(urls, name) == reverse(route, args=[idea.pk]), name
    with pytest.raises(AttributeError):
        IdeaUrls(1).detail  # noqa: B018


def test_a_route_of_an_app_that_is_not_there_gives_no_url(monkeypatch):
    # as ``{% url ... as var %}``: the template then leaves the link out
    monkeypatch.setitem(_ROUTES, "elsewhere", "nowhere:idea")
    assert IdeaUrls(7).elsewhere == ""

"""A round's progress (``ReviewerProgress``) is kept by the services that write assignments,
equals what the rebuild counts from the assignments, and is what the pages show."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from scoring import selectors, services
from scoring.models import Assignment, ReviewerProgress, ReviewRound
from scoring.progress import idea_count_refresh, progress_rebuild, progress_refresh
from tests.factories import EmployeeFactory, IdeaFactory, PanelFactory, default_scorecard

pytestmark = pytest.mark.django_db

KEYS = ["importance", "evidence", "uniqueness", "defensibility"]


def _full(value=4):
    return [{"signal": k, "value": value, "rationale": "why"} for k in KEYS]


def _submit(assignment):
    services.scores_save(assignment=assignment, scores=_full(), actor=assignment.reviewer)
    services.assignment_submit(assignment=assignment, actor=assignment.reviewer)


def _progress(round) -> dict[str, tuple[int, int]]:
    rows = ReviewerProgress.objects.filter(round=round).select_related("reviewer")
    return {p.reviewer.display_name: (p.assigned, p.submitted) for p in rows}


@pytest.fixture
def people(db):
    return [
        EmployeeFactory(function=f, display_name=n)
        for f, n in [("product", "Ana"), ("sales", "Ben"), ("it", "Cy"), ("service", "Di")]
    ]


def _round(people, manager, ideas, days=3):
    return services.round_create(
        panel=PanelFactory(members=people),
        scorecard=default_scorecard(),
        ideas=ideas,
        due_at=timezone.now() + timedelta(days=days),
        actor=manager,
    )


def test_it_counts_what_the_services_write(people, manager):
    ana, ben, cy, di = people
    # Three ideas, the first by Ana (she is never assigned her own idea).
    ideas = [IdeaFactory(status="screening", author=ana)]
    ideas += [IdeaFactory(status="screening") for _ in range(2)]
    round = _round(people, manager, ideas)
    assert _progress(round) == {}  # a draft has no assignments
    assert ReviewRound.objects.get(pk=round.pk).idea_count == 3

    services.round_open(round=round, actor=manager)
    # By hand: 3 ideas each for Ben, Cy and Di; 2 for Ana.
    assert _progress(round) == {"Ana": (2, 0), "Ben": (3, 0), "Cy": (3, 0), "Di": (3, 0)}

    mine = Assignment.objects.filter(round=round).order_by("pk")
    for a in mine.filter(reviewer__in=[ana, ben]):
        _submit(a)
    # A draft save does not count; a second submission of the same assignment neither.
    services.scores_save(assignment=mine.filter(reviewer=cy).first(), scores=_full(), actor=cy)
    _submit(mine.filter(reviewer=ana).first())
    assert _progress(round) == {"Ana": (2, 2), "Ben": (3, 3), "Cy": (3, 0), "Di": (3, 0)}

    # A stale copy submitted again (a double click: loaded before the first submission).
    stale = Assignment.objects.get(pk=mine.filter(reviewer=di).first().pk)
    _submit(mine.filter(reviewer=di).first())
    services.assignment_submit(assignment=stale, actor=di)
    assert stale.submitted_at is not None
    assert _progress(round)["Di"] == (3, 1)

    assert progress_rebuild() == 0  # rebuilt == maintained


def test_the_rebuild_equals_the_maintained_rows_after_a_series_of_writes(people, manager):
    ana, ben, cy, di = people
    first = _round(people, manager, [IdeaFactory(status="screening") for _ in range(3)])
    second = _round(people[1:], manager, [IdeaFactory(status="screening", author=ben)], days=5)
    _round(people, manager, [IdeaFactory(status="screening")])  # stays a draft
    services.round_open(round=first, actor=manager)
    services.round_open(round=second, actor=manager)
    for a in Assignment.objects.filter(round=first, reviewer=ana):
        _submit(a)
    _submit(Assignment.objects.filter(round=first, reviewer=cy).order_by("pk").first())
    for a in Assignment.objects.filter(round=second):
        _submit(a)
    services.round_close(round=second, actor=manager)
    assert list(ReviewRound.objects.order_by("pk").values_list("idea_count", flat=True)) == [
        3,
        1,
        1,
    ]
    maintained = {
        (p.round_id, p.reviewer_id, p.assigned, p.submitted) for p in ReviewerProgress.objects.all()
    }
    # By hand: the first round 3 ideas x 4 reviewers, Ana's 3 and Cy's first submitted; the
    # second one idea by Ben, so Cy and Di only, both submitted.
    assert maintained == {
        (first.pk, ana.pk, 3, 3),
        (first.pk, ben.pk, 3, 0),
        (first.pk, cy.pk, 3, 1),
        (first.pk, di.pk, 3, 0),
        (second.pk, cy.pk, 1, 1),
        (second.pk, di.pk, 1, 1),
    }
    assert progress_rebuild() == 0
    assert {
        (p.round_id, p.reviewer_id, p.assigned, p.submitted) for p in ReviewerProgress.objects.all()
    } == maintained


def test_the_command_corrects_drift_and_a_bulk_writer_refreshes_its_round(people, manager):
    round = _round(people, manager, [IdeaFactory(status="screening") for _ in range(2)])
    services.round_open(round=round, actor=manager)
    # Drift: a row wrong, a row missing, a row for nobody's assignment, a wrong idea count.
    ReviewerProgress.objects.filter(round=round, reviewer=people[0]).update(submitted=2)
    ReviewerProgress.objects.filter(round=round, reviewer=people[1]).delete()
    ReviewerProgress.objects.create(round=round, reviewer=EmployeeFactory(), assigned=1)
    ReviewRound.objects.filter(pk=round.pk).update(idea_count=7)
    out = StringIO()
    call_command("rebuild_round_progress", stdout=out)
    assert "4 row(s) corrected" in out.getvalue()
    assert _progress(round) == {"Ana": (2, 0), "Ben": (2, 0), "Cy": (2, 0), "Di": (2, 0)}
    assert ReviewRound.objects.get(pk=round.pk).idea_count == 2

    # A bulk write around the services (the demo data submits a whole round at once).
    Assignment.objects.filter(round=round, reviewer=people[2]).update(submitted_at=timezone.now())
    assert progress_refresh(round.pk) == 1
    assert _progress(round)["Cy"] == (2, 2)
    # The admin changes a round's ideas, then recounts them.
    round.ideas.add(IdeaFactory())
    idea_count_refresh(round.pk)
    assert ReviewRound.objects.get(pk=round.pk).idea_count == 3
    assert progress_rebuild() == 0


def test_the_pages_show_the_maintained_progress(client, people, manager, django_assert_num_queries):
    round = _round(people, manager, [IdeaFactory(status="screening") for _ in range(2)])
    round.name = "Closing soon"
    round.save(update_fields=["name"])
    services.round_open(round=round, actor=manager)
    for a in Assignment.objects.filter(round=round, reviewer=people[0]):
        _submit(a)
    _submit(Assignment.objects.filter(round=round, reviewer=people[1]).first())
    # By hand: 2 ideas x 4 reviewers = 8 scorecards, Ana's 2 and one of Ben's in.
    with django_assert_num_queries(1):  # 1 open rounds due this week with their progress
        closing = selectors.rounds_closing()
    assert [(r.name, r.submitted_count, r.assignment_count) for r in closing] == [
        ("Closing soon", 3, 8)
    ]
    listed = ReviewRound.objects.with_progress().get(pk=round.pk)
    assert (listed.assignment_count, listed.submitted_count) == (8, 3)

    client.force_login(manager)
    assert "3 of 8 scorecards in" in client.get("/").content.decode()
    html = client.get(reverse("scoring:round", args=[round.pk])).content.decode()
    reviewers = html.split('id="by-reviewer"')[1].split("</table>")[0]
    # Ana, Ben, Cy and Di, by name
    assert re.findall(r"</progress> (\d+/\d+)</td>", reviewers) == ["2/2", "1/2", "0/2", "0/2"]
    assert "3/8" in client.get(reverse("scoring:rounds")).content.decode()

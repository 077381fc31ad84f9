"""Build a round straight from a table of scores (no services), for aggregation tests."""

import itertools

from django.utils import timezone

from accounts.models import User
from scoring.defaults import ensure_defaults
from scoring.models import Assignment, Score, Signal
from scoring.progress import progress_refresh
from tests.factories import IdeaFactory, PanelFactory, ReviewRoundFactory

_seq = itertools.count()

SIGNALS = ["importance", "evidence", "uniqueness", "defensibility"]


def build_round(table, functions, *, order=None, status="open", scorecard=None):
    """``table`` is ``{(idea, reviewer, signal): value}`` with names as labels;
    ``functions`` maps each reviewer label to a function. Returns (round, ideas, reviewers)
    with ideas/reviewers as ``{label: object}``. ``order`` permutes the insertion order."""
    ensure_defaults()
    # Users made without password hashing: these tests create hundreds of them.
    reviewers = {label: _person(label, func) for label, func in functions.items()}
    author = _person("Author", "other")
    idea_labels = sorted({i for i, _, _ in table})
    ideas = {
        label: IdeaFactory(title=label, status="in_review", author=author) for label in idea_labels
    }
    extra = {} if scorecard is None else {"scorecard": scorecard}
    round = ReviewRoundFactory(
        panel=PanelFactory(members=list(reviewers.values())),
        ideas=list(ideas.values()),
        status=status,
        **extra,
    )
    signals = {s.key: s for s in Signal.objects.all()}
    keys = list(table) if order is None else [list(table)[k] for k in order]
    assignments = {}
    for idea, reviewer, signal in keys:
        a = assignments.get((idea, reviewer))
        if a is None:
            a = assignments[(idea, reviewer)] = Assignment.objects.create(
                round=round,
                idea=ideas[idea],
                reviewer=reviewers[reviewer],
                submitted_at=timezone.now(),
            )
        Score.objects.create(
            assignment=a, signal=signals[signal], value=table[(idea, reviewer, signal)]
        )
    progress_refresh(round.pk)  # assignments written around the services
    return round, ideas, reviewers


def _person(label, function):
    return User.objects.create(
        email=f"{label.lower()}-{next(_seq)}@example.com",
        display_name=label,
        kind="staff",
        function=function,
        password="!",
    )


def results(round):
    """``{idea title: (rank, overall, passes, contested, reviewers, functions,
    {signal key: (raw, calibrated, sd, n)}, function_means)}`` read back from the tables."""
    out = {}
    for s in round.results.select_related("idea").prefetch_related("signal_results__signal"):
        out[s.idea.title] = (
            s.rank,
            s.overall,
            s.passes_gate,
            s.contested,
            s.reviewers,
            s.functions,
            {r.signal.key: (r.raw, r.calibrated, r.sd, r.n) for r in s.signal_results.all()},
            s.function_means,
        )
    return out

"""Reads of the scoring app that pages outside it show (the home page's blocks)."""

from datetime import timedelta

from django.utils import timezone

from scoring.models import Assignment, ReviewRound, RoundStatus

# Rounds due within this many days are "closing" on the managers' home.
CLOSING_DAYS = 7


def reviews_due(user, limit: int = 5) -> list[Assignment]:
    """The reviewer's unsubmitted assignments in open rounds, soonest due first, with their
    round and idea. One query."""
    return list(
        Assignment.objects.for_reviewer(user)
        .filter(round__status=RoundStatus.OPEN, submitted_at__isnull=True)
        .select_related("round", "idea")
        .only(
            "id",
            "round__id",
            "round__name",
            "round__status",
            "round__due_at",
            "idea__id",
            "idea__title",
        )
        .order_by("round__due_at", "round_id", "idea__title", "id")[:limit]
    )


def rounds_closing(*, days: int = CLOSING_DAYS, limit: int = 5) -> list[ReviewRound]:
    """Open rounds due within ``days`` days (or overdue), soonest first, each with
    ``assignment_count`` and ``submitted_count`` of its scorecards (its maintained progress,
    a row per reviewer). One query."""
    until = timezone.now() + timedelta(days=days)
    return list(
        ReviewRound.objects.filter(status=RoundStatus.OPEN, due_at__lte=until)
        .order_by("due_at", "id")
        .with_progress()[:limit]
    )

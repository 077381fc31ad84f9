from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

# Labels of the default 1-5 scale, shown next to each radio button of the scorecard.
FIVE_POINT_LABELS = {1: "Not at all", 2: "Slightly", 3: "Moderately", 4: "Very", 5: "Extremely"}


class SignalGroup(models.TextChoices):
    NEED = "need", "Customer need"
    DIFFERENTIATION = "differentiation", "Differentiation"


class SignalQuerySet(models.QuerySet):
    def for_round(self, round) -> "SignalQuerySet":
        """The signals reviewers score in ``round``: its scorecard's active signals, plus any
        inactive one already scored in it. So ``active = False`` takes a signal out of every
        new round, while a round that has scores on it keeps them (and its results)."""
        scored = Score.objects.filter(signal=models.OuterRef("pk"), assignment__round=round)
        return self.filter(scorecards=round.scorecard_id).filter(
            Q(active=True) | models.Exists(scored)
        )


class Signal(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    question = models.CharField(max_length=200)
    group = models.CharField(max_length=16, choices=SignalGroup.choices)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    # What each point of the scale means, ``{"<value>": "description"}``: the rubric the
    # scorecard shows beside each radio button. Wording belongs to the signal, so it reads
    # the same on every scorecard that uses it; it is not versioned (weights and the gate
    # are: a new scorecard version), so managers fix a description in place.
    rubric = models.JSONField(default=dict, blank=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max")), name="signal_scale_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def values(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    def scale(self) -> list[tuple[int, str, str]]:
        """The values a reviewer may pick, each with its label (the 1-5 scale has a word for
        every value; another scale names its two ends) and its rubric description."""
        if (self.scale_min, self.scale_max) == (1, 5):
            labels = FIVE_POINT_LABELS
        else:
            labels = {self.scale_min: "Not at all", self.scale_max: "Extremely"}
        rubric = self.rubric if isinstance(self.rubric, dict) else {}
        return [(v, labels.get(v, ""), rubric.get(str(v), "")) for v in self.values()]


class Scorecard(models.Model):
    name = models.CharField(max_length=120)
    signals = models.ManyToManyField(Signal, through="ScorecardSignal", related_name="scorecards")
    gate_threshold = models.DecimalField(max_digits=4, decimal_places=2, default=3.5)
    min_reviews = models.PositiveSmallIntegerField(default=3)
    min_functions = models.PositiveSmallIntegerField(default=3)
    is_default = models.BooleanField(default=False)
    # Reviewers must say why, signal by signal, before they submit (checked by
    # ``services.assignment_submit``, so the form and the API refuse alike).
    rationale_required = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="scorecard_single_default"
            ),
            models.CheckConstraint(
                condition=Q(gate_threshold__gte=1, gate_threshold__lte=5),
                name="scorecard_threshold_on_scale",
            ),
            models.CheckConstraint(
                condition=Q(min_reviews__gte=1) & Q(min_functions__gte=1),
                name="scorecard_minimums_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScorecardSignal(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="weights")
    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)

    class Meta:
        ordering = ["signal__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "signal"], name="scorecard_signal_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="scorecard_weight_positive"),
        ]


class PanelQuerySet(models.QuerySet):
    def with_coverage(self):
        """Annotate ``member_count`` and ``function_count`` (distinct functions of members)."""
        return self.annotate(
            member_count=models.Count("members", distinct=True),
            function_count=models.Count("members__function", distinct=True),
        )


class Panel(models.Model):
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="panels", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PanelQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReviewRoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=RoundStatus.OPEN)

    def with_progress(self):
        """Annotate ``assignment_count`` and ``submitted_count``: summed over the round's
        maintained progress, one row per reviewer (not counted over its assignments)."""
        rows = ReviewerProgress.objects.filter(round=models.OuterRef("pk")).order_by()
        rows = rows.values("round")

        def total(field: str):
            summed = rows.annotate(n=models.Sum(field)).values("n")
            return Coalesce(models.Subquery(summed, output_field=models.IntegerField()), 0)

        return self.annotate(assignment_count=total("assigned"), submitted_count=total("submitted"))


class ReviewRound(models.Model):
    name = models.CharField(max_length=160, blank=True)
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="rounds")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="rounds")
    ideas = models.ManyToManyField("ideas.Idea", related_name="review_rounds", blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    # Maintained: how many ideas ``ideas`` holds, written with them (``round_create``, the
    # admin) so the round page's paginator does not count a 10,000-idea round;
    # ``manage.py rebuild_round_progress`` recomputes it.
    idea_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Aggregation bookkeeping (coalescing: at most one pending run per round).
    aggregation_requested_at = models.DateTimeField(null=True, blank=True)
    aggregated_at = models.DateTimeField(null=True, blank=True)
    # The Celery id of the last queued aggregation, so the "recompute" button can poll it.
    aggregation_task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="round_status")]

    def __str__(self) -> str:
        return self.name or f"Round {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == RoundStatus.CLOSED

    def is_late(self, when=None) -> bool:
        return self.status == RoundStatus.OPEN and (when or timezone.now()) > self.due_at


# A function's mean over fewer reviewers than this is shown to managers only: the mean of
# one reviewer is that reviewer's own score.
MIN_FUNCTION_REVIEWERS = 2


class AssignmentQuerySet(models.QuerySet):
    def for_reviewer(self, user):
        return self.filter(reviewer=user)

    def thin_functions(self, round_id: int, idea_ids=None) -> dict[int, set[str]]:
        """Per idea of the round (or of ``idea_ids``), the functions with fewer than
        MIN_FUNCTION_REVIEWERS reviewers who submitted (a blank function counts as "other",
        as in the aggregation)."""
        func = Coalesce(NullIf("reviewer__function", Value("")), Value("other"))
        qs = self.filter(round_id=round_id, submitted_at__isnull=False)
        if idea_ids is not None:
            qs = qs.filter(idea_id__in=idea_ids)
        rows = (
            qs.annotate(func=func)
            .values("idea_id", "func")
            .annotate(n=models.Count("reviewer_id", distinct=True))
            .filter(n__lt=MIN_FUNCTION_REVIEWERS)
        )
        thin: dict[int, set[str]] = {}
        for row in rows:
            thin.setdefault(row["idea_id"], set()).add(row["func"])
        return thin

    def with_score_count(self):
        return self.annotate(score_count=models.Count("scores", distinct=True))

    def in_queue_order(self):
        """The reviewer's queue order: open rounds first, then the soonest due, then by
        idea title (the queue page and "save and next" walk the same order)."""
        not_open = models.Case(
            models.When(round__status=RoundStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=models.IntegerField(),
        )
        return self.alias(not_open=not_open).order_by(
            "not_open", "round__due_at", "round_id", "idea__title", "pk"
        )

    def next_to_score(self, user, *, after=None):
        """The first assignment of ``user``'s queue still to submit in an open round
        (other than ``after``), or None."""
        qs = self.for_reviewer(user).filter(
            round__status=RoundStatus.OPEN, submitted_at__isnull=True
        )
        if after is not None:
            qs = qs.exclude(pk=after.pk)
        return qs.in_queue_order().first()


class Assignment(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["round", "idea", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["round", "idea", "reviewer"], name="assignment_once")
        ]
        indexes = [
            models.Index(fields=["reviewer", "round"], name="assignment_reviewer_round"),
            # Progress per reviewer of a round (total and submitted) from the index alone.
            models.Index(
                fields=["round", "reviewer", "submitted_at"], name="assignment_round_progress"
            ),
        ]


class ReviewerProgress(models.Model):
    """Maintained: per round and reviewer, the assignments and how many are submitted.

    Written by the scoring services in the same transaction as the assignments, under the
    round's row lock (``scoring.progress``); ``manage.py rebuild_round_progress`` recomputes
    it from the assignments. It exists so a round's progress (the round page, the rounds
    list, the managers' home) reads one row per reviewer, not every assignment of the round.
    """

    # Indexed by "reviewerprogress_once" (round, reviewer): no separate FK index.
    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="progress", db_index=False
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    assigned = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "reviewer"], name="reviewerprogress_once")
        ]

    def __str__(self) -> str:
        return (
            f"{self.submitted}/{self.assigned} of reviewer #{self.reviewer_id} in {self.round_id}"
        )


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField()
    rationale = models.TextField(blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "signal"], name="score_once_per_signal"),
            # The default scale is 1-5; signals with another scale are checked in the service.
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=10), name="score_value_in_range"
            ),
        ]


class IdeaScoreQuerySet(models.QuerySet):
    def latest_per_idea(self):
        """Each idea's latest result: the row no other row of the same idea is newer than
        (``computed_at``, then ``id``). The one definition of "latest score"; its overall is
        kept in ``ideas.LatestScore`` (``idea.latest.score``, see ``scoring.latest``), so read
        that when the overall is all you need and this for the signals, gate or function means."""
        newer = IdeaScore.objects.filter(idea=models.OuterRef("idea")).filter(
            Q(computed_at__gt=models.OuterRef("computed_at"))
            | Q(computed_at=models.OuterRef("computed_at"), id__gt=models.OuterRef("id"))
        )
        return self.filter(~models.Exists(newer))

    def latest_overall_of(self, idea):
        """The overall of the latest row of ``idea`` (an outer reference or an idea), as a
        one-value subquery: the index "ideascore_idea_latest" is read newest first."""
        return self.filter(idea=idea).order_by("-computed_at", "-id").values("overall")[:1]


class IdeaScore(models.Model):
    """Aggregate for (round, idea). Written only by scoring.aggregate_round."""

    # No single-column FK indexes: "ideascore_once" (round, idea) and "ideascore_idea_latest"
    # (idea, …) start with these columns and serve every lookup by them (and fewer indexes
    # make the aggregation's upsert of 10,000 rows cheaper).
    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.CASCADE, related_name="idea_scores", db_index=False
    )
    overall = models.FloatField()
    passes_gate = models.BooleanField()
    contested = models.BooleanField()
    reviewers = models.PositiveIntegerField()
    functions = models.PositiveIntegerField()
    rank = models.PositiveIntegerField()
    # {"<function>": {"<signal key>": mean}} and the explanation of gate/contested
    function_means = models.JSONField(default=dict)
    gate_reason = models.CharField(max_length=300, blank=True)
    contested_reason = models.CharField(max_length=300, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects = IdeaScoreQuerySet.as_manager()

    class Meta:
        ordering = ["round", "rank"]
        constraints = [models.UniqueConstraint(fields=["round", "idea"], name="ideascore_once")]
        indexes = [
            # Results in rank order (round page, API, CSV), paginated.
            models.Index(fields=["round", "rank"], name="ideascore_round_rank"),
            # The latest score per idea (journey map, dashboard, idea page): an index-only
            # scan, newest last, with the overall carried in the index (a key column rather
            # than INCLUDE so SQLite builds the same index).
            models.Index(
                fields=["idea", "computed_at", "id", "overall"], name="ideascore_idea_latest"
            ),
        ]

    def function_means_without(self, thin: set[str]) -> dict:
        """The per-function means, less the functions in ``thin`` (too few reviewers)."""
        return {f: m for f, m in self.function_means.items() if f not in thin}

    def contested_reason_without(self, thin: set[str]) -> str:
        """The contested explanation, or, when it names a function in ``thin``, only the
        signal the functions disagree on (its means would be one reviewer's scores)."""
        reason = self.contested_reason
        if not reason or not any(f in reason for f in thin):
            return reason
        return f"{reason.split(':', 1)[0]}: the functions disagree"


class SignalResult(models.Model):
    # Indexed by "signalresult_once" (idea_score, signal): no separate FK index.
    idea_score = models.ForeignKey(
        IdeaScore, on_delete=models.CASCADE, related_name="signal_results", db_index=False
    )
    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="+")
    raw = models.FloatField()
    calibrated = models.FloatField()
    sd = models.FloatField(help_text="Population SD of the raw scores: agreement.")
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea_score", "signal"], name="signalresult_once")
        ]

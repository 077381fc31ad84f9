from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Cycle(models.TextChoices):
    BUY = "buy", "Buy"
    OWN = "own", "Own"
    ADVOCATE = "advocate", "Advocate"


class StageKind(models.TextChoices):
    STEP = "step", "Step"
    JUNCTURE = "juncture", "Juncture"


class Effect(models.TextChoices):
    CREATES_VALUE = "creates_value", "Creates value"
    DESTROYS_VALUE = "destroys_value", "Destroys value"


class JourneyQuerySet(models.QuerySet):
    def default(self) -> "Journey | None":
        return self.filter(is_default=True).first()


class Journey(models.Model):
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)

    objects = JourneyQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="journey_single_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StageQuerySet(models.QuerySet):
    def of_journey(self, journey: "Journey"):
        return self.filter(journey=journey).order_by("order", "id")

    def of_default_journey(self):
        return self.filter(journey__is_default=True).order_by("order", "id")


class Stage(models.Model):
    """A step of a cycle, or a juncture between cycles (Purchase, Love).

    A juncture carries the cycle it closes (Purchase: buy, Love: own).
    """

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    cycle = models.CharField(max_length=10, choices=Cycle.choices)
    kind = models.CharField(max_length=10, choices=StageKind.choices, default=StageKind.STEP)
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField()

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["journey", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "order"], name="stage_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_cycle_display()})"

    @property
    def is_juncture(self) -> bool:
        return self.kind == StageKind.JUNCTURE


class MomentQuerySet(models.QuerySet):
    def of_stage(self, stage: "Stage | int"):
        return self.filter(stage=stage).order_by("-severity", "name", "id")

    def destroying(self):
        return self.filter(effect=Effect.DESTROYS_VALUE)


class Moment(models.Model):
    """A moment of truth within a stage that creates or destroys customer value."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="moments")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    effect = models.CharField(max_length=16, choices=Effect.choices)
    severity = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (minor) to 5 (critical)",
    )
    evidence = models.TextField(
        blank=True, help_text="What tells us this moment matters: data, verbatims, research."
    )

    objects = MomentQuerySet.as_manager()

    class Meta:
        ordering = ["stage__order", "-severity", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__gte=1, severity__lte=5), name="moment_severity_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def belongs_to(self, stage: "Stage | int | None") -> bool:
        """Whether this moment sits in ``stage`` (a Stage or its id). Used by the ideas service
        to refuse an idea whose moment is not in the idea's stage; no query is run."""
        if stage is None:
            return False
        stage_id = stage if isinstance(stage, int) else stage.pk
        return self.stage_id == stage_id

    @property
    def destroys_value(self) -> bool:
        return self.effect == Effect.DESTROYS_VALUE

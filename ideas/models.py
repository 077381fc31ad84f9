from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Audience(models.TextChoices):
    EMPLOYEES = "employees", "Employees"
    CUSTOMERS = "customers", "Customers"
    EVERYONE = "everyone", "Everyone"


class InnovationType(models.TextChoices):
    OPTIMIZATION = "optimization", "Optimization of something that exists"
    NEW_EXPERIENCE = "new_experience", "New experience"
    NEW_INTERACTION_MODEL = "new_interaction_model", "New interaction model"
    NEW_TECHNOLOGY = "new_technology", "New technology"
    NEW_PRODUCT_OR_SERVICE = "new_product_or_service", "New product or service"


class Origin(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    CUSTOMER = "customer", "Customer"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SCREENING = "screening", "Screening"
    IN_REVIEW = "in_review", "In review"
    SHORTLISTED = "shortlisted", "Shortlisted"
    APPROVED = "approved", "Approved"
    FUNDED = "funded", "Funded"
    IN_EXPERIMENT = "in_experiment", "In experiment"
    LAUNCHED = "launched", "Launched"
    PARKED = "parked", "Parked"
    REJECTED = "rejected", "Rejected"
    MERGED = "merged", "Merged"


# The stage-gate graph (DESIGN.md). ideas.workflow enforces it and the gates.
FORWARD = {
    Status.DRAFT: Status.SUBMITTED,
    Status.SUBMITTED: Status.SCREENING,
    Status.SCREENING: Status.IN_REVIEW,
    Status.IN_REVIEW: Status.SHORTLISTED,
    Status.SHORTLISTED: Status.APPROVED,
    Status.APPROVED: Status.FUNDED,
    Status.FUNDED: Status.IN_EXPERIMENT,
    Status.IN_EXPERIMENT: Status.LAUNCHED,
}
PARKABLE = {Status.SUBMITTED, Status.SCREENING, Status.IN_REVIEW, Status.SHORTLISTED}
CLOSED = {Status.LAUNCHED, Status.REJECTED, Status.MERGED}
OPEN = set(Status) - CLOSED
# A "live" idea for the journey map and gap detection: submitted and on its way or launched
# (not a draft, parked, rejected or merged).
LIVE = {
    Status.SUBMITTED,
    Status.SCREENING,
    Status.IN_REVIEW,
    Status.SHORTLISTED,
    Status.APPROVED,
    Status.FUNDED,
    Status.IN_EXPERIMENT,
    Status.LAUNCHED,
}


def allowed_targets(status: str) -> set[str]:
    targets: set[str] = set()
    if status in FORWARD:
        targets.add(FORWARD[status])
    if status in PARKABLE:
        targets |= {Status.PARKED, Status.REJECTED}
    if status == Status.PARKED:
        targets.add(Status.SCREENING)  # a parked idea can be picked up again
    if status in OPEN:
        targets.add(Status.MERGED)
    return targets


class CampaignQuerySet(models.QuerySet):
    def open_at(self, when=None):
        when = when or timezone.now()
        return self.filter(opens_at__lte=when).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=when)
        )

    def for_audience_of(self, user):
        if getattr(user, "kind", None) == "customer":
            return self.filter(audience__in=[Audience.CUSTOMERS, Audience.EVERYONE])
        return self.filter(audience__in=[Audience.EMPLOYEES, Audience.EVERYONE])


class Campaign(models.Model):
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    brief = models.TextField(help_text="The question this campaign asks.")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    scorecard = models.ForeignKey(
        "scoring.Scorecard",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    target_stages = models.ManyToManyField("journeys.Stage", blank=True, related_name="campaigns")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="owned_campaigns",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="campaign_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, when=None) -> bool:
        when = when or timezone.now()
        return self.opens_at <= when and (self.closes_at is None or self.closes_at > when)

    def accepts(self, user) -> bool:
        """Whether ``user`` may submit a new idea to this campaign now."""
        if not self.is_open():
            return False
        if self.audience == Audience.EVERYONE:
            return True
        wanted = (
            Audience.CUSTOMERS if getattr(user, "kind", None) == "customer" else Audience.EMPLOYEES
        )
        return self.audience == wanted


class Idea(models.Model):
    title = models.CharField(max_length=160)
    customer_need = models.TextField(help_text="Who needs what, and the evidence that they do.")
    proposal = models.TextField(blank=True)
    innovation_type = models.CharField(max_length=24, choices=InnovationType.choices)
    stage = models.ForeignKey(
        "journeys.Stage", null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    moment = models.ForeignKey(
        "journeys.Moment", null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="ideas"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas"
    )
    is_anonymous = models.BooleanField(
        default=False, help_text="Hide my name from everyone but innovation managers."
    )
    origin = models.CharField(max_length=10, choices=Origin.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_ideas",
        help_text="The one accountable person.",
    )
    estimated_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    expected_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Revenue generated or protected per year.",
    )
    outcome_note = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_ideas"
    )
    supports_employees = models.PositiveIntegerField(default=0)
    supports_customers = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Maintained by ideas.search on PostgreSQL (GIN index added by a vendor-conditional
    # migration); stays NULL on SQLite, where search falls back to icontains.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="idea_status_created"),
            models.Index(fields=["campaign", "status"], name="idea_campaign_status"),
            models.Index(fields=["stage", "status"], name="idea_stage_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="idea_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="idea_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="idea_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_disruptive(self) -> bool:
        return self.innovation_type != InnovationType.OPTIMIZATION

    @property
    def supports_total(self) -> int:
        return self.supports_employees + self.supports_customers

    def can_transition_to(self, status: str) -> bool:
        """Whether the graph allows the move (gates are checked by ideas.workflow)."""
        return status in allowed_targets(self.status)


class IdeaTransition(models.Model):
    """Append-only log of status changes. Never updated or deleted by the application."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    override = models.BooleanField(default=False, help_text="A manager passed a gate by override.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["idea", "at"], name="transition_idea_at")]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.from_status or '∅'} → {self.to_status}"


class Support(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="support_once_per_user")
        ]


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(max_length=5000)
    is_internal = models.BooleanField(default=False, help_text="Visible to employees only.")
    is_hidden = models.BooleanField(default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at"], name="comment_idea_created")]


class Attachment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__lte=10 * 1024 * 1024), name="attachment_max_10mb"
            )
        ]


class Follow(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="follow_once_per_user")
        ]


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    idea = models.ForeignKey(Idea, null=True, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=32)  # status_changed | commented | merged
    message = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

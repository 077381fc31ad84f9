import os
import re
import uuid
from decimal import Decimal

import rules
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Kind


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


class Horizon(models.TextChoices):
    CORE = "core", "Core: improve what exists, this year"
    ADJACENT = "adjacent", "Adjacent: extend, in 1 to 2 years"
    TRANSFORMATIONAL = "transformational", "Transformational: new experience or model, 3+ years"


class ValueConfidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class EvidenceKind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    SURVEY = "survey", "Survey"
    INTERVIEW = "interview", "Interview"
    ANALYTICS = "analytics", "Analytics"
    REVIEW = "review", "Review"
    SOCIAL = "social", "Social media"
    OBSERVATION = "observation", "Observation"
    OTHER = "other", "Other (a customer's own story)"


class Moderation(models.TextChoices):
    """Where an idea or a comment stands with the moderators. Only *published* content is
    shown to other people; the author always sees their own content (with its state and a
    rejection's reason), moderators see everything (ideas.moderation)."""

    PUBLISHED = "published", "Published"
    HELD = "held", "Held for review"
    REJECTED = "rejected", "Rejected by a moderator"
    HIDDEN = "hidden", "Hidden by a moderator"


def published(prefix: str = "") -> Q:
    """Published content seen through the relation ``prefix`` (``"ideas__"``): for the
    counts and lists that are the same for every viewer (journey map, campaign counts)."""
    return Q(**{f"{prefix}moderation": Moderation.PUBLISHED})


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


# The stage-gate graph. ideas.workflow enforces it and the gates.
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
# A "live" idea (the journey map, gap detection): submitted and on its way, or launched;
# not a draft, parked, rejected or merged. In workflow order.
LIVE_STATUSES = (
    Status.SUBMITTED,
    Status.SCREENING,
    Status.IN_REVIEW,
    Status.SHORTLISTED,
    Status.APPROVED,
    Status.FUNDED,
    Status.IN_EXPERIMENT,
    Status.LAUNCHED,
)
# Past the approval gate and not launched yet: budget may be allocated to these ideas, and
# each of them must have one accountable owner.
FUNDABLE_STATUSES = (Status.APPROVED, Status.FUNDED, Status.IN_EXPERIMENT)


def allowed_targets(status: str) -> set[str]:
    targets: set[str] = set()
    if status in FORWARD:
        targets.add(FORWARD[status])
    if status in PARKABLE:
        targets |= {Status.PARKED, Status.REJECTED}
    if status == Status.PARKED:
        targets.add(Status.SCREENING)  # a parked idea can be picked up again
    if status == Status.IN_EXPERIMENT:
        # An experiment decided "stop" or "iterate" parks its idea (the gate is registered
        # by the app that owns experiments, as is the gate into in_experiment).
        targets.add(Status.PARKED)
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
        if getattr(user, "kind", None) == Kind.CUSTOMER:
            return self.filter(audience__in=[Audience.CUSTOMERS, Audience.EVERYONE])
        return self.filter(audience__in=[Audience.EMPLOYEES, Audience.EVERYONE])

    def visible_to(self, user):
        """Campaigns a person may look at: customers see the ones open to customers,
        employees see every campaign; anonymous visitors none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.kind == Kind.CUSTOMER:
            return self.filter(audience__in=CUSTOMER_AUDIENCES)
        return self

    def accepting(self, user, when=None):
        """Campaigns ``user`` may submit a new idea to now (open, and for their audience)."""
        return self.open_at(when).for_audience_of(user)

    def with_counts(self):
        from django.db.models import Count

        return self.annotate(
            idea_count=Count(
                "ideas",
                filter=~Q(ideas__status=Status.DRAFT) & published("ideas__"),
                distinct=True,
            )
        )


CUSTOMER_AUDIENCES = [Audience.CUSTOMERS, Audience.EVERYONE]


def _is_moderator(user) -> bool:
    """Moderators (innovation managers and the moderator role) see held, rejected and
    hidden content. The rule itself, as for ``_is_manager``."""
    return bool(
        user and user.is_authenticated and rules.has_perm("accounts.moderate_content", user)
    )


def _is_manager(user) -> bool:
    # The rule itself, not user.has_perm (which asks every authentication backend). Group
    # names are cached per user object by django-rules, so this is cheap to call per row.
    return bool(
        user and user.is_authenticated and rules.has_perm("accounts.manage_innovation", user)
    )


class IdeaQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one definition of which ideas a person may see (HTML, API, exports and the
        other apps all start from here; ``Idea.is_visible_to`` is its one-row twin):

        - anonymous visitors: none;
        - innovation managers: all;
        - customers: non-draft ideas in campaigns open to customers, plus their own;
        - employees (executives included): every non-draft idea, plus their own drafts;
        - and of other people's ideas only the published ones (not held for moderation,
          rejected or hidden), except for moderators, who see them all.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _is_manager(user):
            return self
        others = ~Q(status=Status.DRAFT)
        if user.kind == Kind.CUSTOMER:
            others &= Q(campaign__audience__in=CUSTOMER_AUDIENCES)
        if not _is_moderator(user):
            others &= published()
        return self.filter(Q(author=user) | others)

    def for_list(self):
        return self.select_related("campaign", "stage", "moment", "author")


class Campaign(models.Model):
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    brief = models.TextField(help_text="The question this campaign asks.")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    premoderation = models.BooleanField(
        default=False,
        db_default=False,
        verbose_name="Pre-moderate customers",
        help_text="Customers' ideas and comments wait for a moderator before others see them.",
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
            Audience.CUSTOMERS
            if getattr(user, "kind", None) == Kind.CUSTOMER
            else Audience.EMPLOYEES
        )
        return self.audience == wanted


class Idea(models.Model):
    title = models.CharField(max_length=160)
    customer_need = models.TextField(help_text="Who needs what, and the evidence that they do.")
    proposal = models.TextField(blank=True)
    innovation_type = models.CharField(max_length=24, choices=InnovationType.choices)
    # Proposed by the submitter; a manager confirms or corrects both at screening. Only
    # confirmed types count in the budgets' strict (new-only) figure.
    horizon = models.CharField(max_length=16, choices=Horizon.choices, default=Horizon.CORE)
    type_confirmed = models.BooleanField(default=False)
    horizon_confirmed = models.BooleanField(default=False)
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
    # Expected value, set by staff before approval (staff-only, never shown to customers):
    # one of the two figures, or non_financial with a named KPI.
    expected_revenue_generated = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Per year."
    )
    expected_revenue_protected = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Per year."
    )
    value_confidence = models.CharField(max_length=8, choices=ValueConfidence.choices, blank=True)
    non_financial = models.BooleanField(
        default=False, help_text="The value is not measured in money but by the KPI below."
    )
    kpi = models.CharField(max_length=200, blank=True, verbose_name="KPI")
    outcome_note = models.TextField(blank=True)
    # Moderation (ideas.moderation writes both): the state, and the moderator's reason for a
    # rejection, which the author reads on the idea page.
    moderation = models.CharField(
        max_length=10,
        choices=Moderation.choices,
        default=Moderation.PUBLISHED,
        db_default=Moderation.PUBLISHED,
    )
    moderation_note = models.TextField(blank=True, db_default="")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_ideas"
    )
    supports_employees = models.PositiveIntegerField(default=0)
    supports_customers = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Counters of the evidence rows (ideas.evidence keeps them in step, in the same
    # transaction as the row; ``recount_ideas`` recomputes them).
    evidence_count = models.PositiveIntegerField(default=0)
    customers_affected = models.PositiveIntegerField(default=0)
    # Maintained by ideas.search on PostgreSQL (GIN index added by a vendor-conditional
    # migration); stays NULL on SQLite, where search falls back to icontains.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="idea_status_created"),
            models.Index(fields=["campaign", "status"], name="idea_campaign_status"),
            # The journey map counts published ideas per (stage, status) from this index alone.
            models.Index(fields=["stage", "status", "moderation"], name="idea_stage_status_mod"),
            # The board's sorts (ideas.filters.order_ideas), each ending in the id tiebreak so
            # a page of 20 is read from the index instead of sorting every matching idea.
            models.Index(fields=["created_at", "id"], name="idea_created_id"),
            models.Index(
                (F("supports_employees") + F("supports_customers")).desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="idea_support_total",
            ),
            models.Index(fields=["title", "id"], name="idea_title_id"),
            # The board filtered to a journey stage and a status, most supported first: a
            # page is read in order from the stage's and status's slice (other filters are
            # checked on the way), not from the whole support order.
            models.Index(
                F("stage"),
                F("status"),
                (F("supports_employees") + F("supports_customers")).desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="idea_stage_status_support",
            ),
            # Joins to ideas that need only their stage, status, campaign or type (the budget
            # dashboard from ~12,000 allocations a year, the journey map's latest scores from
            # ~77,000 IdeaScores) read this narrow index, not the wide rows.
            models.Index(
                fields=["id", "stage", "status", "campaign", "innovation_type"],
                name="idea_join_cover",
            ),
            # Ideas past the approval gate without an accountable owner (a dashboard alert):
            # normally none, so the index is empty and the question costs nothing.
            models.Index(
                fields=["id"],
                condition=Q(owner__isnull=True, status__in=list(FUNDABLE_STATUSES)),
                name="idea_needs_owner",
            ),
            # The manager's triage: the oldest ideas waiting at a gate, in ``updated_at``
            # order, without visiting the closed ones (ideas.selectors.triage).
            models.Index(
                fields=["updated_at", "id"],
                condition=Q(
                    status__in=[
                        Status.SUBMITTED,
                        Status.SCREENING,
                        Status.IN_REVIEW,
                        Status.SHORTLISTED,
                        Status.APPROVED,
                        Status.FUNDED,
                        Status.IN_EXPERIMENT,
                    ]
                ),
                name="idea_triage_updated",
            ),
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
            models.CheckConstraint(
                condition=(
                    Q(expected_revenue_generated__isnull=True)
                    | Q(expected_revenue_generated__gte=0)
                )
                & (
                    Q(expected_revenue_protected__isnull=True)
                    | Q(expected_revenue_protected__gte=0)
                ),
                name="idea_expected_value_not_negative",
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

    @property
    def has_expected_value(self) -> bool:
        """What the approval gate asks: a money figure, or non-financial with a named KPI."""
        money = (self.expected_revenue_generated, self.expected_revenue_protected)
        return any(v is not None for v in money) or (self.non_financial and bool(self.kpi.strip()))

    def allowed_targets(self) -> list[str]:
        """Statuses the graph allows next, in workflow order (merge is its own action)."""
        targets = allowed_targets(self.status) - {Status.MERGED}
        return [s for s in Status.values if s in targets]

    def is_visible_to(self, user) -> bool:
        """One-row twin of ``IdeaQuerySet.visible_to`` (same rules; keep them together).
        Reads ``self.campaign``: select it with the idea."""
        if not getattr(user, "is_authenticated", False):
            return False
        if self.author_id == user.pk or _is_manager(user):
            return True
        if self.status == Status.DRAFT:
            return False
        if self.moderation != Moderation.PUBLISHED and not _is_moderator(user):
            return False
        if user.kind == Kind.CUSTOMER:
            return self.campaign_id is not None and self.campaign.audience in CUSTOMER_AUDIENCES
        return True

    def author_for(self, viewer):
        """The author as ``viewer`` may see them: None when the idea is anonymous and the
        viewer is neither an innovation manager nor the author. Used by HTML, API and CSV."""
        if not self.is_anonymous:
            return self.author
        signed_in = viewer is not None and getattr(viewer, "is_authenticated", False)
        if signed_in and (viewer.pk == self.author_id or _is_manager(viewer)):
            return self.author
        return None

    def author_name_for(self, viewer) -> str:
        author = self.author_for(viewer)
        return str(author) if author is not None else "Anonymous"

    def comment_author_for(self, comment, viewer):
        """Who wrote ``comment`` (on this idea) as ``viewer`` may know: None for the
        author's own comments when the author is hidden from the viewer."""
        if comment.author_id == self.author_id and self.author_for(viewer) is None:
            return None
        return comment.author

    def comment_author_name_for(self, comment, viewer) -> str:
        author = self.comment_author_for(comment, viewer)
        return str(author) if author is not None else ANONYMOUS_AUTHOR


# How an anonymous idea's author signs their comments to those who may not know them.
ANONYMOUS_AUTHOR = "Author (anonymous)"


class LatestScore(models.Model):
    """The overall of an idea's latest panel result (no row: never scored). It belongs to
    ideas and is written only by scoring: its aggregation, in the same transaction as the
    results it derives from (``scoring.latest``), and its ``rebuild_latest_scores`` command.
    Read through the idea (``latest__score``: the board's order, the journey map, the
    dashboard). A narrow table rather than a column of the idea, so that a run that moves the
    overall of 10,000 ideas rewrites 10,000 small rows, not 10,000 wide idea rows with all
    their indexes. The stage counters' score sums follow it (PostgreSQL triggers, migration
    ``0018``)."""

    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, primary_key=True, related_name="latest"
    )
    score = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        indexes = [
            # The dashboard's top ideas: walk the scored ideas best first, stop after a page.
            models.Index(fields=["-score", "idea"], name="latestscore_top"),
        ]


class IdeaTransition(models.Model):
    """Append-only log of status changes. Never updated or deleted by the application."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # ``reason`` is the public message (everyone who sees the idea reads it, customers too);
    # ``internal_note`` is for staff only (amounts, outcome notes, internal reasoning).
    reason = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    override = models.BooleanField(default=False, help_text="A manager passed a gate by override.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["idea", "at"], name="transition_idea_at"),
            # The portfolio's funnel and cycle times start from one status's moves in a year.
            models.Index(fields=["to_status", "at", "idea"], name="transition_to_at"),
        ]

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
    # As on Idea: only published comments are shown to others (ideas.selectors).
    moderation = models.CharField(
        max_length=10,
        choices=Moderation.choices,
        default=Moderation.PUBLISHED,
        db_default=Moderation.PUBLISHED,
    )
    moderation_note = models.TextField(blank=True, db_default="")
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at"], name="comment_idea_created")]

    @property
    def is_hidden(self) -> bool:
        return self.moderation == Moderation.HIDDEN

    @property
    def is_public(self) -> bool:
        """Counted in ``Idea.comment_count``: published and not internal."""
        return self.moderation == Moderation.PUBLISHED and not self.is_internal


class CaseCause(models.TextChoices):
    PREMODERATION = "premoderation", "Campaign pre-moderation"
    SUSPECT = "suspect", "Suspect content"
    FLAGS = "flags", "Flagged by readers"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    HIDDEN = "hidden", "Hidden"


class ModerationCase(models.Model):
    """One idea or comment waiting for a moderator: held on submission (pre-moderated
    campaign, suspect content) or flagged by readers. Open until a moderator decides; at
    most one open case per idea (``comment`` empty) and per comment. The queue is the open
    cases, oldest first."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="moderation_cases")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_cases"
    )
    cause = models.CharField(max_length=16, choices=CaseCause.choices)
    detail = models.CharField(max_length=200, blank=True)
    flag_count = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [
            # The queue and the nav's count read only open cases: normally few.
            models.Index(
                fields=["opened_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="moderation_case_open",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idea"],
                condition=Q(closed_at__isnull=True, comment__isnull=True),
                name="moderation_case_open_idea",
            ),
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(closed_at__isnull=True, comment__isnull=False),
                name="moderation_case_open_comment",
            ),
        ]

    def __str__(self) -> str:
        what = f"comment #{self.comment_id}" if self.comment_id else f"idea #{self.idea_id}"
        return f"{what}: {self.get_cause_display()}"

    @property
    def content(self):
        """The idea or the comment this case is about."""
        return self.comment if self.comment_id else self.idea


class Flag(models.Model):
    """A reader's report on an idea or comment, with a reason. One per person per open case:
    once a moderator decides, the same person may flag the item again."""

    case = models.ForeignKey(ModerationCase, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="flag_once_per_case")]


def attachment_upload_to(instance, filename: str) -> str:
    """A random stored name (the original name is kept, sanitised, in ``original_name``), so
    nothing a user typed ever reaches the file system. MEDIA_ROOT is not served publicly."""
    ext = os.path.splitext(filename)[1].lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", ext):
        ext = ""
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
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
    # Claimed by the e-mail task with a conditional UPDATE, so a retried task sends once.
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]


def evidence_upload_to(instance, filename: str) -> str:
    """Like attachments: a random stored name, the original kept in ``attachment_name``."""
    return "evidence/" + attachment_upload_to(instance, filename).removeprefix("attachments/")


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user, idea: Idea):
        """Evidence of ``idea`` that ``user`` may read: employees and managers all of it;
        customers only what they added themselves (they see the counts on the idea)."""
        rows = self.filter(idea=idea)
        if rules.has_perm("ideas.view_evidence", user, idea):
            return rows
        if getattr(user, "is_authenticated", False):
            return rows.filter(added_by=user)
        return rows.none()


class Evidence(models.Model):
    """One piece of proof that customers feel the need: a complaint, a survey, an interview,
    analytics, a review, a social post, an observation, or a customer's own story."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=12, choices=EvidenceKind.choices)
    summary = models.TextField(max_length=2000)
    customers_affected = models.PositiveIntegerField(
        default=1, help_text="How many customers this evidence speaks for (0 if unknown)."
    )
    source_url = models.URLField(max_length=500, blank=True)
    observed_on = models.DateField(null=True, blank=True)
    attachment = models.FileField(upload_to=evidence_upload_to, max_length=200, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=120, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["idea", "-created_at"], name="evidence_idea_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary[:60]}"

    def added_by_for(self, viewer, idea: Idea):
        """Who added this, as ``viewer`` may know: None when the author of an anonymous
        ``idea`` (this evidence's idea) added it and is hidden from the viewer."""
        if self.added_by_id == idea.author_id:
            return idea.author_for(viewer)
        return self.added_by


class StageCount(models.Model):
    """Published ideas per journey stage, campaign and status, with the sums the journey map
    shows (evidence volume, latest panel scores), so the map reads a few dozen rows instead
    of aggregating every idea on each request.

    ``campaign_key`` is 0 for the row counting every idea of the stage (whatever its
    campaign) and a campaign's id for that campaign's ideas alone (ideas without a campaign
    are only in the 0 row). On PostgreSQL statement triggers on ``ideas_idea`` keep it in the
    same transaction as the ideas (migration ``ideas/0015``: one grouped upsert per statement,
    every writer covered); elsewhere the map counts the ideas themselves.
    ``manage.py rebuild_stage_counts`` recomputes it (``ideas.stage_counts``).

    ``stage`` is not a database foreign key: deleting a stage sets its ideas' stage to NULL,
    which the triggers turn into zeroed rows, and nothing cascades onto the counters."""

    stage = models.ForeignKey(
        "journeys.Stage",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="idea_counts",
    )
    campaign_key = models.IntegerField()
    status = models.CharField(max_length=16, choices=Status.choices)
    ideas = models.IntegerField(default=0)
    customers_affected = models.BigIntegerField(default=0)
    # Sum and number of the ideas' latest panel scores (scoring's ``LatestScore``): the
    # mean is exact.
    score_sum = models.DecimalField(max_digits=20, decimal_places=6, default=Decimal(0))
    scored = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "campaign_key", "status"], name="stagecount_key"
            )
        ]

    def __str__(self) -> str:
        return f"stage {self.stage_id}, campaign {self.campaign_key}, {self.status}: {self.ideas}"


class IdeaDay(models.Model):
    """Ideas per day of creation (in UTC) and current status: the dashboard's funnel (ideas
    submitted in a fiscal year, by where they stand now) sums a year of these rows instead
    of counting the year's ideas. Kept by the same PostgreSQL statement triggers as
    :class:`StageCount` (migration ``ideas/0015``); rebuilt by ``manage.py
    rebuild_stage_counts``."""

    day = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices)
    ideas = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "status"], name="ideaday_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.status}: {self.ideas}"

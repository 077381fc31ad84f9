import os
import re
import uuid

import rules
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Case, F, IntegerField, Max, Q, Value, When
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
        if getattr(user, "kind", None) == "customer":
            return self.filter(audience__in=[Audience.CUSTOMERS, Audience.EVERYONE])
        return self.filter(audience__in=[Audience.EMPLOYEES, Audience.EVERYONE])

    def visible_to(self, user):
        """Campaigns a person may look at: customers see the ones open to customers,
        employees see every campaign; anonymous visitors none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.kind == "customer":
            return self.filter(audience__in=CUSTOMER_AUDIENCES)
        return self

    def accepting(self, user, when=None):
        """Campaigns ``user`` may submit a new idea to now (open, and for their audience)."""
        return self.open_at(when).for_audience_of(user)

    def with_counts(self):
        from django.db.models import Count

        return self.annotate(
            idea_count=Count("ideas", filter=~Q(ideas__status=Status.DRAFT), distinct=True)
        )


CUSTOMER_AUDIENCES = [Audience.CUSTOMERS, Audience.EVERYONE]


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
        - employees (executives included): every non-draft idea, plus their own drafts.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _is_manager(user):
            return self
        if user.kind == "customer":
            return self.filter(
                Q(author=user)
                | (Q(campaign__audience__in=CUSTOMER_AUDIENCES) & ~Q(status=Status.DRAFT))
            )
        return self.filter(Q(author=user) | ~Q(status=Status.DRAFT))

    def live(self):
        return self.filter(status__in=LIVE)

    def with_top_score(self):
        """``top_score``: the best overall panel score the idea got in any round (scoring
        writes IdeaScore; read through the relation path, never by importing scoring)."""
        return self.annotate(top_score=Max("idea_scores__overall"))

    def for_list(self):
        return self.select_related("campaign", "stage", "moment", "author")

    def search(self, q: str):
        """Full-text search: PostgreSQL's search vector (GIN index, maintained by a trigger),
        with the title's trigram index catching partial words; ``icontains`` on SQLite."""
        q = (q or "").strip()
        if not q:
            return self
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            query = SearchQuery(q, config="english", search_type="websearch")
            return self.filter(Q(search_vector=query) | Q(title__icontains=q))
        cond = Q()
        for word in _words(q, minimum=1)[:8] or [q]:
            cond &= (
                Q(title__icontains=word)
                | Q(customer_need__icontains=word)
                | Q(proposal__icontains=word)
            )
        return self.filter(cond)

    def similar_to(self, text: str, limit: int = 5) -> list:
        """Up to ``limit`` possible duplicates of ``text`` (a title or a need), best first,
        each annotated with ``similarity`` (a list). Drafts and merged ideas are never
        suggested.

        PostgreSQL: ``similarity`` = the greatest of the trigram similarity of the title, the
        word similarity of the text in the title, and 0.8 x its word similarity in the need
        (at least ``SIMILARITY_THRESHOLD``). Comparing the text with every idea took ~2 s at
        100,000 ideas, so the candidates are bounded, exactly:

        1. the ``SIMILAR_NEAREST`` nearest ideas by each title measure, read from the GiST
           trigram index in distance order (KNN, ``ORDER BY … LIMIT``), scored in full. An idea
           of the true top ``limit`` whose best measure is a title measure is among the
           nearest by that measure (every idea nearer by it scores at least as high), so it
           is found — except that among ideas of EQUAL similarity (identical titles) the ones
           the index returns first are kept, not necessarily the newest;
        2. only if a need could still beat the ``limit``-th score ``s`` found so far
           (``s <= 0.8``): the ideas whose need word similarity is at least
           ``max(threshold, s) / 0.8``, through the GIN index and the ``<%`` operator (its
           threshold set for this transaction only, like ``SET LOCAL``).

        Elsewhere: a word-overlap score computed in SQL (a title word counts 2, a need word
        1) over ideas sharing at least one word.
        """
        text = (text or "").strip()[:300]
        base = self.exclude(status__in=[Status.DRAFT, Status.MERGED])
        if len(text) < 3:
            return []
        if connection.vendor == "postgresql":
            return _similar_postgres(base, text, limit)
        words = _words(text)[:10]
        if not words:
            return []
        match = Q()
        score = Value(0)
        for word in words:
            match |= Q(title__icontains=word) | Q(customer_need__icontains=word)
            score = (
                score
                + Case(When(title__icontains=word, then=Value(2)), default=Value(0))
                + Case(When(customer_need__icontains=word, then=Value(1)), default=Value(0))
            )
        # Normalised to 0..1 like pg_trgm's similarity (every word in title and need = 1).
        return list(
            base.filter(match)
            .annotate(overlap=models.ExpressionWrapper(score, output_field=IntegerField()))
            .filter(overlap__gte=2)
            .annotate(
                similarity=models.ExpressionWrapper(
                    F("overlap") * Value(1.0) / Value(3.0 * len(words)),
                    output_field=models.FloatField(),
                )
            )
            .order_by("-overlap", "-created_at")[:limit]
        )


SIMILARITY_THRESHOLD = 0.3
# The need's word similarity counts this much in ``similar_to``.
NEED_WEIGHT = 0.8
# Nearest ideas read per title measure (KNN): 4 x the usual 5 leaves room for ties.
SIMILAR_NEAREST = 20


def _similar_postgres(base, text: str, limit: int) -> list:
    """``IdeaQuerySet.similar_to`` on PostgreSQL (see there)."""
    from django.contrib.postgres.search import (
        TrigramDistance,
        TrigramSimilarity,
        TrigramWordDistance,
        TrigramWordSimilarity,
    )
    from django.db import transaction
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import Greatest

    def scored(qs):
        return list(
            qs.annotate(
                similarity=Greatest(
                    TrigramSimilarity("title", text),
                    TrigramWordSimilarity(text, "title"),
                    TrigramWordSimilarity(text, "customer_need") * Value(NEED_WEIGHT),
                )
            )
            .filter(similarity__gte=SIMILARITY_THRESHOLD)
            .order_by("-similarity", "-created_at")[:limit]
        )

    # 1. The nearest ideas by each title measure (KNN on the GiST index), scored.
    nearest, params = [], []
    for distance in (TrigramDistance("title", text), TrigramWordDistance(text, "title")):
        sql, p = base.order_by(distance).values("pk")[:SIMILAR_NEAREST].query.sql_with_params()
        nearest.append(f"({sql})")
        params.extend(p)
    union = RawSQL(f"SELECT n.pk FROM ({' UNION '.join(nearest)}) AS n", params)
    found = scored(base.filter(pk__in=union))
    bar = found[-1].similarity if len(found) == limit else SIMILARITY_THRESHOLD
    if bar > NEED_WEIGHT:
        return found  # no need can score more than NEED_WEIGHT: the titles settle it
    # 2. Ideas whose need can reach the bar: q <% need (word_similarity(q, need) >= the
    # threshold, GIN index), the threshold set for this transaction only (like SET LOCAL).
    # A hair below the bar: the exact comparison is the >= in scored(); this only prunes.
    need_min = max(bar, SIMILARITY_THRESHOLD) / NEED_WEIGHT - 1e-6
    need = f'"{Idea._meta.db_table}"."customer_need"'
    by_need = base.filter(RawSQL(f"%s <%% {need}", [text], output_field=models.BooleanField()))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(need_min)]
        )
        more = scored(by_need)
    best = {idea.pk: idea for idea in found + more}.values()
    return sorted(best, key=lambda i: (-i.similarity, -i.created_at.timestamp()))[:limit]


_STOPWORDS = set(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "have",
        "into",
        "when",
        "they",
        "their",
        "them",
        "our",
        "your",
        "are",
        "was",
        "were",
        "will",
        "would",
        "could",
        "should",
        "about",
        "after",
        "before",
        "than",
        "then",
        "there",
        "what",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "how",
        "can",
        "not",
        "but",
        "all",
        "any",
        "each",
        "more",
        "most",
        "some",
        "such",
        "only",
        "own",
        "same",
        "very",
        "just",
        "also",
        "customers",
        "customer",
        "need",
        "needs",
        "want",
        "wants",
    ]
)


def _words(text: str, minimum: int = 4) -> list[str]:
    """Distinct lower-case words of ``text`` worth matching on, longest first."""
    seen: dict[str, None] = {}
    for word in re.findall(r"[\w'-]+", text.lower()):
        word = word.strip("'-")
        if len(word) >= minimum and word not in _STOPWORDS:
            seen.setdefault(word, None)
    return sorted(seen, key=len, reverse=True)


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

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="idea_status_created"),
            models.Index(fields=["campaign", "status"], name="idea_campaign_status"),
            models.Index(fields=["stage", "status"], name="idea_stage_status"),
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
                condition=Q(
                    owner__isnull=True,
                    status__in=[Status.APPROVED, Status.FUNDED, Status.IN_EXPERIMENT],
                ),
                name="idea_needs_owner",
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
        if user.kind == "customer":
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

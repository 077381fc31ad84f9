"""Voice of the customer: feedback items imported from every channel, the import batches
that brought them in, and their links to ideas.

Personal data never enters as such: ``customer_ref`` is a keyed hash of the source's customer
id and e-mail addresses and phone numbers in ``text`` are masked before a row is written
(``feedback.privacy``).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    SURVEY = "survey", "Survey"
    CALL = "call", "Call"
    APP_REVIEW = "app_review", "App review"
    SOCIAL = "social", "Social"
    BRANCH = "branch", "Branch"
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat"
    OTHER = "other", "Other"


class ScoreScale(models.TextChoices):
    NPS = "nps", "NPS (0-10)"
    CSAT = "csat", "CSAT (1-5)"


# Inclusive score ranges per scale, and the part of each range that counts as negative
# (detractors for NPS, "dissatisfied" for CSAT).
SCALE_RANGE = {ScoreScale.NPS: (0, 10), ScoreScale.CSAT: (1, 5)}
NEGATIVE_MAX = {ScoreScale.NPS: 6, ScoreScale.CSAT: 2}


def is_negative(channel: str, score: int | None, scale: str) -> bool:
    """A complaint, an NPS detractor (0-6) or a dissatisfied CSAT (1-2)."""
    if channel == Channel.COMPLAINT:
        return True
    return score is not None and scale in NEGATIVE_MAX and score <= NEGATIVE_MAX[scale]


class BatchStatus(models.TextChoices):
    MAPPING = "mapping", "Waiting for a column mapping"
    PENDING = "pending", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


def import_upload_to(instance, filename: str) -> str:
    # A random stored name: nothing the uploader typed reaches the file system.
    return f"feedback/imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{instance.file_format}"


class ImportBatch(models.Model):
    """One uploaded file and its import report. The counters are written in the same
    transaction as the rows of each chunk, so they are exact even after a worker restart
    (the import resumes after ``processed``)."""

    file = models.FileField(upload_to=import_upload_to, max_length=200, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    file_format = models.CharField(max_length=4, choices=FileFormat.choices)
    default_source = models.CharField(
        max_length=60, blank=True, help_text="Used for rows without a source column."
    )
    # The file's column names, kept when the file itself is deleted after the import.
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.MAPPING
    )
    total = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.original_name})"

    @property
    def is_finished(self) -> bool:
        return self.status in {BatchStatus.DONE, BatchStatus.FAILED}

    @property
    def is_running(self) -> bool:
        """Queued or importing: the progress region keeps polling."""
        return self.status in {BatchStatus.PENDING, BatchStatus.RUNNING}

    @property
    def percent(self) -> int:
        if self.status == BatchStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.processed * 100 / self.total))


class ImportRejection(models.Model):
    """A row the import refused, with its reasons and the row as it was read."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(help_text="Line in the file (the header is 1).")
    reasons = models.TextField()
    data = models.JSONField(default=list, help_text="The row's cells, in the file's order.")

    class Meta:
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "row_number"], name="fb_rejection_batch_row")]


class FeedbackItemQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("stage", "moment", "suggested_moment__stage")

    def search(self, q: str):
        """Full-text search: PostgreSQL's search vector (GIN index, kept by a trigger);
        every word ``icontains`` elsewhere."""
        q = (q or "").strip()
        if not q:
            return self
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            return self.filter(
                search_vector=SearchQuery(q, config="english", search_type="websearch")
            )
        cond = Q()
        for word in q.split()[:8]:
            cond &= Q(text__icontains=word)
        return self.filter(cond)

    def unplaced(self):
        return self.filter(stage__isnull=True)


class FeedbackItem(models.Model):
    source = models.CharField(max_length=60, help_text="The system the item came from.")
    external_id = models.CharField(max_length=120, help_text="The item's id in its source.")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    text = models.TextField(help_text="Masked at import: no e-mail addresses or phone numbers.")
    received_on = models.DateField()
    segment = models.CharField(max_length=60, blank=True)
    customer_ref = models.CharField(
        max_length=64, blank=True, help_text="Pseudonymous: a keyed hash of the customer id."
    )
    score = models.SmallIntegerField(null=True, blank=True)
    score_scale = models.CharField(max_length=4, choices=ScoreScale.choices, blank=True)
    is_negative = models.BooleanField(default=False)
    # No single-column indexes: (stage, received_on) and (moment, received_on) serve
    # every lookup by place, and each index costs every imported row.
    stage = models.ForeignKey(
        "journeys.Stage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    moment = models.ForeignKey(
        "journeys.Moment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Set by the import for items without a stage; a curator confirms or corrects them.
    suggested_moment = models.ForeignKey(
        "journeys.Moment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # No index: nothing reads items by batch, and batches are not deleted by the app (an
    # admin's deletion scans the items once); every index costs every imported row.
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        db_index=False,
    )
    # Hash of the imported values: a re-imported row that changed nothing is not written.
    digest = models.CharField(max_length=32, editable=False)
    # PostgreSQL's import: a hash of the file row this item was last written from, of what
    # read it (mapping, journey, code) and of ``digest``; a re-imported row with the same
    # hash is unchanged and skips normalising (``feedback.bulk``). NULL from other writers.
    import_digest = models.BigIntegerField(null=True, blank=True, editable=False)
    # Maintained by a trigger on PostgreSQL (see the migration); NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = FeedbackItemQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="feedback_source_ext"),
            models.CheckConstraint(
                condition=Q(score__isnull=True)
                | Q(score_scale="nps", score__gte=0, score__lte=10)
                | Q(score_scale="csat", score__gte=1, score__lte=5),
                name="feedback_score_on_scale",
            ),
        ]
        indexes = [
            models.Index(fields=["received_on", "id"], name="fb_received"),
            models.Index(fields=["stage", "received_on"], name="fb_stage_received"),
            models.Index(fields=["moment", "received_on"], name="fb_moment_received"),
            models.Index(fields=["customer_ref", "received_on"], name="fb_customer"),
            models.Index(fields=["channel", "received_on"], name="fb_channel_received"),
            models.Index(
                fields=["id"],
                condition=Q(stage__isnull=True, suggested_moment__isnull=False),
                name="fb_to_confirm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class FeedbackLink(models.Model):
    """An item linked to an idea: it counts as evidence for the idea's customer need."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="links")
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "idea"], name="feedback_link_once"),
        ]
        indexes = [models.Index(fields=["idea", "item"], name="fb_link_idea")]


class FeedbackDay(models.Model):
    """Placed items per (stage, moment, day): volume and negatives, for the journey overlay.

    Kept by PostgreSQL statement triggers on every insert, update and delete of items
    (migration 0003), whatever wrote them: imports, placements, erasure, the purge, a deleted
    moment's SET NULL. SQLite has no such triggers; there the overlay counts the items."""

    stage = models.ForeignKey(
        "journeys.Stage", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # 0 for items placed on a stage without a moment (a key column cannot be NULL).
    moment_key = models.BigIntegerField(default=0)
    day = models.DateField()
    volume = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "moment_key", "day"], name="fb_day_key"),
        ]
        indexes = [models.Index(fields=["day", "stage"], name="fb_day_day")]


class RetainedCount(models.Model):
    """What an idea keeps of linked items the retention purge removed: counts only."""

    idea = models.OneToOneField(
        "ideas.Idea", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    items = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)

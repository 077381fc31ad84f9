"""JSON shapes of the ideas API.

Serializers only shape data; writes go through the services (ideas.services, ideas.engagement).
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ideas.models import (
    Campaign,
    Comment,
    Evidence,
    EvidenceKind,
    Horizon,
    Idea,
    IdeaTransition,
    InnovationType,
    Status,
    ValueConfidence,
)
from journeys.models import Moment, Stage

# Hidden money is null: documented as a nullable decimal string.
MONEY_OR_NULL = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


def _person(user):
    return None if user is None else {"id": user.pk, "display_name": user.display_name}


class IdeaSerializer(serializers.ModelSerializer):
    """An idea as the caller may see it: ``author`` is null when the author is anonymous to
    the caller; ``owner``, ``estimated_cost``, ``expected_value`` and the expected value at
    approval (``expected_revenue_generated``, ``expected_revenue_protected``,
    ``value_confidence``, ``non_financial``, ``kpi``) are null for customers (internal
    facts)."""

    author = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    estimated_cost = serializers.SerializerMethodField()
    expected_value = serializers.SerializerMethodField()
    expected_revenue_generated = serializers.SerializerMethodField()
    expected_revenue_protected = serializers.SerializerMethodField()
    value_confidence = serializers.SerializerMethodField()
    non_financial = serializers.SerializerMethodField()
    kpi = serializers.SerializerMethodField()
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "customer_need",
            "proposal",
            "innovation_type",
            "type_confirmed",
            "horizon",
            "horizon_confirmed",
            "stage",
            "moment",
            "campaign",
            "status",
            "origin",
            "is_anonymous",
            "author",
            "owner",
            "estimated_cost",
            "expected_value",
            "expected_revenue_generated",
            "expected_revenue_protected",
            "value_confidence",
            "non_financial",
            "kpi",
            "supports_employees",
            "supports_customers",
            "comment_count",
            "evidence_count",
            "customers_affected",
            "moderation",
            "moderation_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _viewer(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _internal(self) -> bool:
        # Seven fields ask it of every idea: the rule once per serializer (a list's ideas
        # share one child serializer, and one viewer).
        known = self.__dict__.get("_internal_known")
        if known is None:
            viewer = self._viewer()
            known = bool(viewer and viewer.has_perm("ideas.view_internal"))
            self.__dict__["_internal_known"] = known
        return known

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, idea):
        return _person(idea.author_for(self._viewer()))

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_owner(self, idea):
        return _person(idea.owner) if self._internal() else None

    @extend_schema_field(MONEY_OR_NULL)
    def get_estimated_cost(self, idea):
        value = idea.estimated_cost
        return None if value is None or not self._internal() else f"{value:.2f}"

    @extend_schema_field(MONEY_OR_NULL)
    def get_expected_value(self, idea):
        value = idea.expected_value
        return None if value is None or not self._internal() else f"{value:.2f}"

    @extend_schema_field(MONEY_OR_NULL)
    def get_expected_revenue_generated(self, idea):
        value = idea.expected_revenue_generated
        return None if value is None or not self._internal() else f"{value:.2f}"

    @extend_schema_field(MONEY_OR_NULL)
    def get_expected_revenue_protected(self, idea):
        value = idea.expected_revenue_protected
        return None if value is None or not self._internal() else f"{value:.2f}"

    @extend_schema_field(serializers.ChoiceField(choices=ValueConfidence.choices, allow_null=True))
    def get_value_confidence(self, idea):
        return (idea.value_confidence or None) if self._internal() else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_non_financial(self, idea):
        return idea.non_financial if self._internal() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_kpi(self, idea):
        return idea.kpi if self._internal() else None


class IdeaWriteSerializer(serializers.Serializer):
    """Input of POST and PATCH. ``status`` may be ``draft`` (save as draft) or
    ``submitted`` (the default) on creation only."""

    title = serializers.CharField(max_length=160)
    customer_need = serializers.CharField()
    proposal = serializers.CharField(required=False, allow_blank=True, default="")
    innovation_type = serializers.ChoiceField(choices=InnovationType.choices)
    horizon = serializers.ChoiceField(choices=Horizon.choices, required=False, default=Horizon.CORE)
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), required=False, allow_null=True
    )
    moment = serializers.PrimaryKeyRelatedField(
        queryset=Moment.objects.select_related("stage"), required=False, allow_null=True
    )
    campaign = serializers.SlugRelatedField(
        slug_field="slug", queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    is_anonymous = serializers.BooleanField(required=False, default=False)
    estimated_cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    expected_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    status = serializers.ChoiceField(
        choices=[Status.DRAFT, Status.SUBMITTED], required=False, default=Status.SUBMITTED
    )


class IdeaManageWriteSerializer(serializers.Serializer):
    """The parts of a PATCH only innovation managers may write: the confirmation of type and
    horizon, and the expected value at approval. Anyone else sending them gets a 403."""

    type_confirmed = serializers.BooleanField(required=False)
    horizon_confirmed = serializers.BooleanField(required=False)
    expected_revenue_generated = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    expected_revenue_protected = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    value_confidence = serializers.ChoiceField(
        choices=ValueConfidence.choices, required=False, allow_blank=True
    )
    non_financial = serializers.BooleanField(required=False)
    kpi = serializers.CharField(max_length=200, required=False, allow_blank=True)

    CONFIRM = ("type_confirmed", "horizon_confirmed")
    VALUE = (
        "expected_revenue_generated",
        "expected_revenue_protected",
        "value_confidence",
        "non_financial",
        "kpi",
    )


class EvidenceSerializer(serializers.ModelSerializer):
    """One piece of evidence. ``attachment`` is the download path (null without a file);
    ``source_url`` is null when none was given; ``added_by`` is null when it would name the
    anonymous author of the idea (pass ``idea`` and ``request`` in the context)."""

    added_by = serializers.SerializerMethodField()
    attachment = serializers.SerializerMethodField()
    source_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "summary",
            "customers_affected",
            "source_url",
            "observed_on",
            "attachment",
            "added_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_added_by(self, evidence):
        request = self.context.get("request")
        idea = self.context.get("idea") or evidence.idea
        return _person(evidence.added_by_for(getattr(request, "user", None), idea))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_source_url(self, evidence):
        return evidence.source_url or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_attachment(self, evidence):
        if not evidence.attachment:
            return None
        return reverse("ideas:evidence_file", args=[evidence.pk])


class EvidenceWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    summary = serializers.CharField(max_length=2000)
    customers_affected = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10**9
    )
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    observed_on = serializers.DateField(required=False, allow_null=True)
    attachment = serializers.FileField(required=False, allow_null=True)


class CommentSerializer(serializers.ModelSerializer):
    """``moderation`` is ``held`` when the comment waits for a moderator (only its author
    and the moderators read it until then); ``moderation_note`` is a rejection's reason."""

    author = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    is_hidden = serializers.BooleanField(read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "body",
            "is_internal",
            "is_hidden",
            "moderation",
            "moderation_note",
            "author",
            "author_name",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "is_hidden",
            "moderation",
            "moderation_note",
            "author",
            "author_name",
            "created_at",
        ]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, comment):
        # The author of an anonymous idea is hidden in their own comments too: null, and
        # ``author_name`` says "Author (anonymous)".
        idea, viewer = self._idea_and_viewer(comment)
        return _person(idea.comment_author_for(comment, viewer))

    def get_author_name(self, comment) -> str:
        idea, viewer = self._idea_and_viewer(comment)
        return idea.comment_author_name_for(comment, viewer)

    def _idea_and_viewer(self, comment):
        request = self.context.get("request")
        return self.context.get("idea") or comment.idea, getattr(request, "user", None)


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    is_internal = serializers.BooleanField(required=False, default=False)


class FlagWriteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class FlagSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class TransitionSerializer(serializers.ModelSerializer):
    """``reason`` is the public message; ``internal_note`` is null for customers."""

    actor = serializers.SerializerMethodField()
    from_status = serializers.SerializerMethodField()
    internal_note = serializers.SerializerMethodField()

    class Meta:
        model = IdeaTransition
        fields = [
            "id",
            "from_status",
            "to_status",
            "actor",
            "reason",
            "internal_note",
            "override",
            "at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices, allow_null=True))
    def get_from_status(self, transition) -> str | None:
        # The first step (creation) has no "from": null rather than an empty string.
        return transition.from_status or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_internal_note(self, transition) -> str | None:
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        if viewer is None or not viewer.has_perm("ideas.view_internal"):
            return None
        return transition.internal_note

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_actor(self, transition):
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        # Who moved an idea is internal (customers see the step, not the person), and the
        # author's own steps of an anonymous idea would name the author.
        if viewer is None or not viewer.has_perm("ideas.view_transition_actor", transition):
            return None
        return _person(transition.actor)


class TransitionWriteSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    internal_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    override = serializers.BooleanField(required=False, default=False)


class SupportStateSerializer(serializers.Serializer):
    supported = serializers.BooleanField()
    supports_employees = serializers.IntegerField()
    supports_customers = serializers.IntegerField()


class SimilarIdeaSerializer(serializers.ModelSerializer):
    similarity = serializers.FloatField()

    class Meta:
        model = Idea
        fields = ["id", "title", "status", "similarity"]


class CampaignSerializer(serializers.ModelSerializer):
    idea_count = serializers.IntegerField(read_only=True)
    is_open = serializers.SerializerMethodField()
    target_stages = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "title",
            "brief",
            "audience",
            "opens_at",
            "closes_at",
            "is_open",
            "target_stages",
            "idea_count",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_open(self, campaign) -> bool:
        return campaign.is_open()

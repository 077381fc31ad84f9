"""JSON shapes of the ideas API.

Serializers only shape data; writes go through the services (ideas.services, ideas.engagement).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ideas.models import (
    Campaign,
    Comment,
    Idea,
    IdeaTransition,
    InnovationType,
    Status,
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
    the caller; ``owner``, ``estimated_cost`` and ``expected_value`` are null for customers
    (internal facts)."""

    author = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    estimated_cost = serializers.SerializerMethodField()
    expected_value = serializers.SerializerMethodField()
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "customer_need",
            "proposal",
            "innovation_type",
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
            "supports_employees",
            "supports_customers",
            "comment_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _viewer(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _internal(self) -> bool:
        viewer = self._viewer()
        return bool(viewer and viewer.has_perm("ideas.view_internal"))

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


class IdeaWriteSerializer(serializers.Serializer):
    """Input of POST and PATCH. ``status`` may be ``draft`` (save as draft) or
    ``submitted`` (the default) on creation only."""

    title = serializers.CharField(max_length=160)
    customer_need = serializers.CharField()
    proposal = serializers.CharField(required=False, allow_blank=True, default="")
    innovation_type = serializers.ChoiceField(choices=InnovationType.choices)
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


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "body", "is_internal", "is_hidden", "author", "author_name", "created_at"]
        read_only_fields = ["id", "is_hidden", "author", "author_name", "created_at"]

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

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Kind, User
from ideas.models import Idea
from scoring.models import (
    Assignment,
    IdeaScore,
    Panel,
    ReviewRound,
    Scorecard,
    ScorecardSignal,
    Signal,
)
from scoring.services import panel_functions


class SignalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signal
        fields = ["id", "key", "name", "question", "group", "scale_min", "scale_max", "order"]


class ScorecardWeightSerializer(serializers.ModelSerializer):
    signal = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = ScorecardSignal
        fields = ["signal", "weight"]


class ScorecardSerializer(serializers.ModelSerializer):
    signals = ScorecardWeightSerializer(source="weights", many=True, read_only=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "name",
            "gate_threshold",
            "min_reviews",
            "min_functions",
            "is_default",
            "signals",
        ]


class PanelSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(kind=Kind.STAFF, is_active=True)
    )
    functions = serializers.SerializerMethodField()

    class Meta:
        model = Panel
        fields = ["id", "name", "members", "functions"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_functions(self, panel) -> list[str]:
        return panel_functions(panel.members.all())


class RoundSerializer(serializers.ModelSerializer):
    ideas = serializers.PrimaryKeyRelatedField(many=True, queryset=Idea.objects.all())
    scorecard = serializers.PrimaryKeyRelatedField(queryset=Scorecard.objects.all(), required=False)

    class Meta:
        model = ReviewRound
        fields = [
            "id",
            "name",
            "panel",
            "scorecard",
            "ideas",
            "due_at",
            "status",
            "opens_at",
            "closed_at",
            "aggregated_at",
        ]
        read_only_fields = ["status", "opens_at", "closed_at", "aggregated_at"]

    def validate_due_at(self, value):
        if value <= timezone.now():
            raise serializers.ValidationError("The due date must be in the future.")
        return value


class AssignmentSerializer(serializers.ModelSerializer):
    idea_title = serializers.CharField(source="idea.title", read_only=True)
    round_status = serializers.CharField(source="round.status", read_only=True)
    due_at = serializers.DateTimeField(source="round.due_at", read_only=True)
    scored = serializers.IntegerField(source="score_count", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "round",
            "round_status",
            "idea",
            "idea_title",
            "due_at",
            "submitted_at",
            "scored",
        ]


class ScoreInSerializer(serializers.Serializer):
    signal = serializers.CharField()
    value = serializers.IntegerField()
    rationale = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreOutSerializer(serializers.Serializer):
    signal = serializers.CharField(source="signal.key")
    value = serializers.IntegerField()
    rationale = serializers.CharField()


class SignalValueSerializer(serializers.Serializer):
    signal = serializers.CharField()
    raw = serializers.FloatField()
    calibrated = serializers.FloatField()
    sd = serializers.FloatField()
    n = serializers.IntegerField()


class ResultSerializer(serializers.ModelSerializer):
    """``context["thin"]``: per idea id, functions whose means the caller may not see."""

    signals = serializers.SerializerMethodField()
    function_means = serializers.SerializerMethodField()
    contested_reason = serializers.SerializerMethodField()

    class Meta:
        model = IdeaScore
        fields = [
            "idea",
            "rank",
            "overall",
            "passes_gate",
            "gate_reason",
            "contested",
            "contested_reason",
            "reviewers",
            "functions",
            "signals",
            "function_means",
        ]

    def _thin(self, score) -> set[str]:
        return self.context.get("thin", {}).get(score.idea_id, set())

    @extend_schema_field(
        serializers.DictField(child=serializers.DictField(child=serializers.FloatField()))
    )
    def get_function_means(self, score) -> dict:
        return score.function_means_without(self._thin(score))

    def get_contested_reason(self, score) -> str:
        return score.contested_reason_without(self._thin(score))

    @extend_schema_field(SignalValueSerializer(many=True))
    def get_signals(self, score) -> list[dict]:
        return [
            {"signal": r.signal.key, "raw": r.raw, "calibrated": r.calibrated, "sd": r.sd, "n": r.n}
            for r in score.signal_results.all()
        ]

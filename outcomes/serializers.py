"""JSON shapes of the outcomes API. Serializers only parse and shape; writes go through
outcomes.services. Metric values are decimal strings with 4 places, money with 2;
``attainment`` is a number (1.0 = target met) or null without a measurement."""

from rest_framework import serializers

from outcomes.models import METRIC, MONEY, Decision, Experiment, Measurement, ValueRecord


class ExperimentSerializer(serializers.ModelSerializer):
    """Reads expect ``Experiment.objects.with_attainment()`` rows."""

    attainment = serializers.FloatField(read_only=True, allow_null=True)
    latest_value = serializers.DecimalField(**METRIC, read_only=True, allow_null=True)
    latest_on = serializers.DateField(read_only=True, allow_null=True)
    baseline = serializers.DecimalField(**METRIC, allow_null=True, required=False)
    target = serializers.DecimalField(**METRIC, allow_null=True, required=False)

    class Meta:
        model = Experiment
        fields = [
            "id",
            "idea",
            "hypothesis",
            "segment",
            "metric",
            "unit",
            "direction",
            "baseline",
            "target",
            "starts_on",
            "ends_on",
            "decision",
            "decision_note",
            "decided_by",
            "decided_at",
            "attainment",
            "latest_value",
            "latest_on",
        ]
        read_only_fields = [
            "id",
            "idea",
            "decision",
            "decision_note",
            "decided_by",
            "decided_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["attainment"] is not None:
            data["attainment"] = round(data["attainment"], 4)
        return data


class MeasurementSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(**METRIC)

    class Meta:
        model = Measurement
        fields = ["id", "measured_on", "value", "note"]
        read_only_fields = ["id"]
        # One-per-day is a rule of the service (with a clear message), not a serializer's.
        validators: list = []


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Decision.SCALE, Decision.ITERATE, Decision.STOP])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ValueRecordSerializer(serializers.ModelSerializer):
    revenue_generated = serializers.DecimalField(**MONEY, required=False, default="0.00")
    revenue_protected = serializers.DecimalField(**MONEY, required=False, default="0.00")

    class Meta:
        model = ValueRecord
        fields = [
            "id",
            "idea",
            "period_start",
            "period_end",
            "revenue_generated",
            "revenue_protected",
            "note",
            "recorded_by",
        ]
        read_only_fields = ["id", "idea", "recorded_by"]
        validators: list = []

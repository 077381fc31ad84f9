"""DRF serializers of the budgets app. Money is a decimal string with 2 places
(DRF's COERCE_DECIMAL_TO_STRING)."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from budgets.models import Allocation, FiscalYear, Spend, clean_horizon_targets
from ideas.models import Idea

MONEY = {"max_digits": 14, "decimal_places": 2}


class HorizonTargetsSerializer(serializers.Serializer):
    """Share of the innovation budget per horizon, whole percent; the three add up to 100."""

    core = serializers.IntegerField(min_value=0, max_value=100)
    adjacent = serializers.IntegerField(min_value=0, max_value=100)
    transformational = serializers.IntegerField(min_value=0, max_value=100)

    def validate(self, attrs):
        try:
            return clean_horizon_targets(dict(attrs))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class FiscalYearSerializer(serializers.ModelSerializer):
    horizon_targets = HorizonTargetsSerializer(required=False)

    class Meta:
        model = FiscalYear
        fields = [
            "id",
            "label",
            "starts_on",
            "ends_on",
            "marketing_budget",
            "innovation_target_pct",
            "currency",
            "horizon_targets",
        ]
        read_only_fields = ["id"]
        # Model-level checks (unique label, dates) are re-run by the service.
        validators: list = []
        extra_kwargs = {"label": {"validators": []}}


class AllocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Allocation
        fields = ["id", "fiscal_year", "idea", "amount", "status", "override", "reason"]
        read_only_fields = fields


class AllocationCreateSerializer(serializers.Serializer):
    fiscal_year = serializers.PrimaryKeyRelatedField(queryset=FiscalYear.objects.all())
    idea = serializers.PrimaryKeyRelatedField(queryset=Idea.objects.all())
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    override = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SpendSerializer(serializers.ModelSerializer):
    class Meta:
        model = Spend
        fields = ["id", "allocation", "amount", "spent_on", "description"]
        read_only_fields = ["id"]
        extra_kwargs = {"amount": {"min_value": Decimal("0.01")}}

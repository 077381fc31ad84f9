"""DRF serializers of the budgets app. Money is a decimal string with 2 places
(DRF's COERCE_DECIMAL_TO_STRING); field names as in DESIGN.md "HTTP surface"."""

from decimal import Decimal

from rest_framework import serializers

from budgets.models import Allocation, FiscalYear, Spend
from ideas.models import Idea

MONEY = {"max_digits": 14, "decimal_places": 2}


class FiscalYearSerializer(serializers.ModelSerializer):
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

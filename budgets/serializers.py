"""DRF serializers of the budgets app. Money is a decimal string with 2 places
(DRF's COERCE_DECIMAL_TO_STRING); field names as in DESIGN.md "HTTP surface"."""

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


class SplitRowSerializer(serializers.Serializer):
    # The innovation type or cycle (a string), or the campaign id (an integer; null for ideas
    # outside any campaign).
    key = serializers.JSONField()
    label = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    allocations = serializers.IntegerField()
    share_pct = serializers.DecimalField(max_digits=6, decimal_places=2)
    of_marketing_pct = serializers.DecimalField(max_digits=6, decimal_places=2)


class FunnelRowSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    ideas = serializers.IntegerField()


class TopIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    owner = serializers.CharField(allow_null=True)
    score = serializers.FloatField()
    allocated = serializers.DecimalField(**MONEY)


class NoOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()


class AlertSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["over_target", "behind_pace", "no_owner"])
    level = serializers.ChoiceField(choices=["bad", "warn"])
    message = serializers.CharField()


class SnapshotPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    committed = serializers.DecimalField(**MONEY)
    spent = serializers.DecimalField(**MONEY)
    committed_new_only = serializers.DecimalField(**MONEY)
    spent_new_only = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)


class ForecastSerializer(serializers.Serializer):
    method = serializers.CharField()
    from_date = serializers.DateField()
    window_start = serializers.DateField()
    daily_spend = serializers.DecimalField(**MONEY)
    year_end_date = serializers.DateField()
    year_end_spent = serializers.DecimalField(**MONEY)


class SummaryFiscalYearSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    currency = serializers.CharField()


class SummarySerializer(serializers.Serializer):
    """Documents budgets.selectors.fiscal_year_summary for the schema. The response body
    itself is ``selectors.jsonable(summary)`` — the very numbers the dashboard shows."""

    fiscal_year = SummaryFiscalYearSerializer()
    as_of = serializers.DateField()
    marketing_budget = serializers.DecimalField(**MONEY)
    target_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    innovation_budget = serializers.DecimalField(**MONEY)
    committed = serializers.DecimalField(**MONEY)
    spent = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)
    unspent = serializers.DecimalField(**MONEY)
    committed_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    spent_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    committed_new_only = serializers.DecimalField(**MONEY)
    committed_new_only_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    spent_new_only = serializers.DecimalField(**MONEY)
    spent_new_only_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    remaining_new_only = serializers.DecimalField(**MONEY)
    spent_of_innovation_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    elapsed_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    allocations = serializers.IntegerField()
    by_innovation_type = SplitRowSerializer(many=True)
    by_cycle = SplitRowSerializer(many=True)
    by_campaign = SplitRowSerializer(many=True)
    funnel = FunnelRowSerializer(many=True)
    top_ideas = TopIdeaSerializer(many=True)
    ideas_without_owner = NoOwnerSerializer(many=True)
    alerts = AlertSerializer(many=True)
    spend_over_time = SnapshotPointSerializer(many=True)
    forecast = ForecastSerializer(allow_null=True)

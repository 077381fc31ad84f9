"""Serializers of the insights API: the journey map and the executive summary."""

from rest_framework import serializers

from budgets.serializers import MONEY


class MapQuerySerializer(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, min_value=1)
    fiscal_year = serializers.IntegerField(required=False, min_value=1)


class MapBucketsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    in_review = serializers.IntegerField()
    approved = serializers.IntegerField()
    launched = serializers.IntegerField()
    total = serializers.IntegerField()


class MapStageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cycle = serializers.CharField()
    kind = serializers.CharField()
    ideas = MapBucketsSerializer()
    mean_score = serializers.FloatField(allow_null=True)
    allocated = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="Committed money; null for callers who may not see money.",
    )
    gaps = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of value-destroying moments with no live idea.",
    )


class JourneyMapSerializer(serializers.Serializer):
    journey = serializers.IntegerField()
    stages = MapStageSerializer(many=True)


# The executive summary (GET /api/v1/budgets/fiscal-years/{id}/summary/), for the schema.
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

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
    customers_affected = serializers.IntegerField(
        help_text="Customers the live ideas' evidence speaks for (the evidence heat)."
    )


class ReportSerializer(serializers.Serializer):
    """A report's body: what every report response carries besides its figures."""

    as_of = serializers.DateTimeField(
        help_text="The time the data is current to: the replica's last replayed change when "
        "reports read a replica, else the time of the request."
    )


class JourneyMapSerializer(ReportSerializer):
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


class HorizonRowSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["core", "adjacent", "transformational"])
    label = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    allocations = serializers.IntegerField()
    of_innovation_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    target_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    target_amount = serializers.DecimalField(**MONEY)


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
    code = serializers.ChoiceField(
        choices=["over_target", "behind_pace", "no_owner", "unconfirmed_type"]
    )
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


class SummarySerializer(ReportSerializer):
    """Documents budgets.selectors.fiscal_year_summary for the schema. The response body
    itself is ``selectors.jsonable(summary)`` — the very numbers the dashboard shows."""

    fiscal_year = SummaryFiscalYearSerializer()
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
    committed_unconfirmed = serializers.DecimalField(
        **MONEY, help_text="Committed to ideas whose type is not confirmed (not in new only)."
    )
    spent_of_innovation_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    elapsed_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    allocations = serializers.IntegerField()
    committed_of_innovation_pct = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text="Committed as a % of the innovation budget."
    )
    commit_on_pace = serializers.BooleanField(
        help_text="Committed % of the innovation budget is at most 10 points below the % of "
        "the fiscal year elapsed."
    )
    by_innovation_type = SplitRowSerializer(many=True)
    by_cycle = SplitRowSerializer(many=True)
    by_campaign = SplitRowSerializer(many=True)
    by_horizon = HorizonRowSerializer(many=True)
    funnel = FunnelRowSerializer(many=True)
    top_ideas = TopIdeaSerializer(many=True)
    ideas_without_owner = NoOwnerSerializer(many=True)
    ideas_unconfirmed = NoOwnerSerializer(many=True)
    alerts = AlertSerializer(many=True)
    spend_over_time = SnapshotPointSerializer(many=True)
    forecast = ForecastSerializer(allow_null=True)


# --- Portfolio and panel accuracy (schema documentation; bodies are built by
# insights.portfolio and insights.accuracy) ---------------------------------------------------


class PortfolioQuerySerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=1)


class PortfolioRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    spent = serializers.DecimalField(**MONEY)
    expected = serializers.DecimalField(**MONEY)
    realised = serializers.DecimalField(**MONEY)


class PortfolioExperimentsSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    scaled = serializers.IntegerField()
    stopped = serializers.IntegerField()
    iterated = serializers.IntegerField()
    hit_rate = serializers.FloatField(allow_null=True)


class CycleTimeSerializer(serializers.Serializer):
    median = serializers.FloatField(allow_null=True)
    p75 = serializers.FloatField(allow_null=True)
    launched = serializers.IntegerField()


class FunnelStepSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    ideas = serializers.IntegerField()
    from_previous = serializers.FloatField(allow_null=True)
    from_submitted = serializers.FloatField(allow_null=True)


class PortfolioSerializer(ReportSerializer):
    fiscal_year = SummaryFiscalYearSerializer()
    spent = serializers.DecimalField(**MONEY)
    realised_generated = serializers.DecimalField(**MONEY)
    realised_protected = serializers.DecimalField(**MONEY)
    realised_total = serializers.DecimalField(**MONEY)
    roi = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    expected_total = serializers.DecimalField(**MONEY)
    by_type = PortfolioRowSerializer(many=True)
    by_horizon = PortfolioRowSerializer(many=True)
    by_cycle = PortfolioRowSerializer(many=True)
    experiments = PortfolioExperimentsSerializer()
    cycle_time_days = CycleTimeSerializer()
    funnel = FunnelStepSerializer(many=True)


class FigureSerializer(serializers.Serializer):
    rho = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    enough = serializers.BooleanField(help_text="n is at least min_n.")


class SignalFigureSerializer(FigureSerializer):
    signal = serializers.CharField()


class FunctionFigureSerializer(FigureSerializer):
    function = serializers.CharField()


class AccuracySerializer(ReportSerializer):
    n = serializers.IntegerField()
    min_n = serializers.IntegerField()
    overall = FigureSerializer()
    signals = SignalFigureSerializer(many=True)
    functions = FunctionFigureSerializer(many=True)
    suggested_weights = serializers.DictField(child=serializers.FloatField())
    computed_at = serializers.DateTimeField(allow_null=True)

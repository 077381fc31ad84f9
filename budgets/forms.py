"""Forms only parse and validate input; every rule lives in budgets.services."""

from datetime import date
from decimal import Decimal

from django import forms

from budgets.models import HORIZONS, Allocation, FiscalYear, default_horizon_targets
from core.templatetags.juncture import money
from ideas.models import FUNDABLE_STATUSES, Idea, Status

MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"})


class FiscalYearForm(forms.ModelForm):
    """The fiscal year, with one box per horizon target (assembled into ``horizon_targets``;
    the service checks they add up to 100)."""

    # Optional: left empty, the year keeps its targets (a new one: 70/20/10).
    target_core = forms.IntegerField(
        required=False, min_value=0, max_value=100, label="Core target (% of the innovation budget)"
    )
    target_adjacent = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        label="Adjacent target (% of the innovation budget)",
    )
    target_transformational = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        label="Transformational target (% of the innovation budget)",
        help_text="The three horizon targets add up to 100.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        targets = (self.instance.horizon_targets if self.instance.pk else None) or (
            default_horizon_targets()
        )
        for key in HORIZONS:
            self.fields[f"target_{key}"].initial = targets.get(key)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        targets = {key: data.get(f"target_{key}") for key in HORIZONS}
        if any(v is not None for v in targets.values()):
            fields["horizon_targets"] = targets
        return fields

    def add_error(self, field, error):
        # The service names ``horizon_targets``: show it on the boxes' last one.
        super().add_error("target_transformational" if field == "horizon_targets" else field, error)

    class Meta:
        model = FiscalYear
        fields = [
            "label",
            "starts_on",
            "ends_on",
            "marketing_budget",
            "innovation_target_pct",
            "currency",
        ]
        labels = {"innovation_target_pct": "Innovation target (% of the marketing budget)"}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "marketing_budget": MONEY_WIDGET,
        }


class IdeaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Idea) -> str:
        if obj.status == Status.APPROVED:
            return f"#{obj.pk} {obj.title}"
        return f"#{obj.pk} {obj.title} (top-up, {obj.get_status_display().lower()})"


class AllocationForm(forms.Form):
    idea = IdeaChoiceField(
        queryset=Idea.objects.none(),
        help_text="Approved ideas; funded ones can be topped up.",
    )
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), widget=MONEY_WIDGET
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override = forms.BooleanField(
        required=False,
        label="Override the budget (allocate even if it overruns)",
    )
    reason = forms.CharField(
        required=False,
        label="Reason for the override",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you override; recorded on the allocation.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idea"].queryset = Idea.objects.filter(status__in=FUNDABLE_STATUSES).order_by(
            "status", "title"
        )

    def clean(self):
        data = super().clean()
        if data.get("override") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for overriding the budget.")
        return data


class AllocationChoiceField(forms.ModelChoiceField):
    currency = "EUR"  # the fiscal year's, set by the form

    def label_from_instance(self, obj: Allocation) -> str:
        left = money(obj.amount - obj.spent, self.currency)
        return f"#{obj.pk} {obj.idea.title} — {left} of {money(obj.amount, self.currency)} left"


class SpendForm(forms.Form):
    allocation = AllocationChoiceField(queryset=Allocation.objects.none())
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), widget=MONEY_WIDGET
    )
    spent_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(max_length=200)

    def __init__(self, *args, fiscal_year: FiscalYear, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("spent_on", date.today())
        super().__init__(*args, **kwargs)
        self.fields["allocation"].currency = fiscal_year.currency
        self.fields["allocation"].queryset = (
            Allocation.objects.filter(fiscal_year=fiscal_year)
            .committed()
            .select_related("idea")
            .order_by("idea__title", "id")
        )

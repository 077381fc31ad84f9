"""Forms only parse and validate input; every rule lives in budgets.services."""

from datetime import date
from decimal import Decimal

from django import forms

from budgets.models import Allocation, FiscalYear
from ideas.models import FUNDABLE_STATUSES, Idea, Status

MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"})


class FiscalYearForm(forms.ModelForm):
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
    def label_from_instance(self, obj: Allocation) -> str:
        left = obj.amount - obj.spent
        return f"#{obj.pk} {obj.idea.title} — {left} of {obj.amount} left"


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
        self.fields["allocation"].queryset = (
            Allocation.objects.filter(fiscal_year=fiscal_year)
            .committed()
            .with_spent()
            .select_related("idea")
            .order_by("idea__title", "id")
        )

"""Forms only parse and validate input; every rule lives in outcomes.services."""

from django import forms

from outcomes.models import METRIC, MONEY, Decision, Experiment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        fields = [
            "hypothesis",
            "segment",
            "metric",
            "unit",
            "direction",
            "baseline",
            "target",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "hypothesis": forms.Textarea(attrs={"rows": 3}),
            "baseline": NUMBER,
            "target": NUMBER,
            "starts_on": DATE,
            "ends_on": DATE,
        }
        help_texts = {
            "baseline": "The metric's value before the experiment.",
            "target": "The value that would count as success (1.0 attainment).",
        }


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(label="Measured on", widget=DATE)
    value = forms.DecimalField(**METRIC, widget=NUMBER)
    note = forms.CharField(max_length=300, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(d.value, d.label) for d in (Decision.SCALE, Decision.ITERATE, Decision.STOP)],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why: what the measurements showed, what happens next.",
    )


class ValueRecordForm(forms.Form):
    period_start = forms.DateField(label="Period start", widget=DATE)
    period_end = forms.DateField(label="Period end", widget=DATE)
    revenue_generated = forms.DecimalField(
        **MONEY, min_value=0, initial="0.00", widget=MONEY_WIDGET
    )
    revenue_protected = forms.DecimalField(
        **MONEY, min_value=0, initial="0.00", widget=MONEY_WIDGET
    )
    note = forms.CharField(max_length=300, required=False)

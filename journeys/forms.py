"""Forms of the journeys pages. They parse input; the rules live in journeys.services."""

from django import forms

from journeys.models import Cycle, Effect, StageKind
from journeys.selectors import METRICS


class JourneyForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class StageForm(forms.Form):
    name = forms.CharField(max_length=80)
    cycle = forms.ChoiceField(choices=Cycle.choices)
    kind = forms.ChoiceField(
        choices=StageKind.choices,
        initial=StageKind.STEP,
        help_text="A juncture (Purchase, Love) closes a cycle; it is drawn apart on the map.",
    )


class MomentForm(forms.Form):
    name = forms.CharField(max_length=120)
    effect = forms.ChoiceField(choices=Effect.choices, widget=forms.RadioSelect)
    severity = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        initial=3,
        help_text="1 (minor) to 5 (critical).",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What tells us this moment matters: data, verbatims, research.",
    )


class MapFilterForm(forms.Form):
    """The map's GET filters. Choices come from journeys.selectors.filter_options; the funding
    metric and the fiscal year are offered only to viewers who may see money."""

    metric = forms.ChoiceField(choices=[], required=False, label="Heat shows")
    campaign = forms.TypedChoiceField(coerce=int, choices=[], required=False, empty_value=None)
    fiscal_year = forms.TypedChoiceField(
        coerce=int, choices=[], required=False, empty_value=None, label="Fiscal year"
    )

    def __init__(self, data, *, options: dict, can_see_money: bool):
        super().__init__(data)
        labels = {"ideas": "Live ideas", "score": "Mean panel score", "funding": "Money allocated"}
        self.fields["metric"].choices = [
            (m, labels[m]) for m in METRICS if can_see_money or m != "funding"
        ]
        self.fields["campaign"].choices = [("", "All campaigns"), *options["campaigns"]]
        if can_see_money:
            self.fields["fiscal_year"].choices = [("", "All years"), *options["fiscal_years"]]
        else:
            del self.fields["fiscal_year"]

    def clean_metric(self) -> str:
        return self.cleaned_data.get("metric") or "ideas"

"""Forms of the insights pages: GET filters only."""

from django import forms

from insights.selectors import METRICS


class MapFilterForm(forms.Form):
    """The map's GET filters. Choices come from insights.selectors.filter_options; the funding
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

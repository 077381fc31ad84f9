"""Forms of the insights pages: GET filters only."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from insights.selectors import METRICS


def _attrs(attrs: dict) -> str:
    """HTML attributes as ``django/forms/widgets/attrs.html`` writes them: True alone,
    False left out, anything else as its string, escaped."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class PlainSelect(forms.Select):
    """A select without option groups, written in Python: the markup of Django's
    ``select.html`` and ``select_option.html`` without their two template includes per
    option (the map's campaign filter lists every campaign: ~150 options, about half of the
    page's rendering otherwise)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _, _ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>',
            (
                (str(option["value"]), _attrs(option["attrs"]), option["label"])
                for _, choices, _ in widget["optgroups"]
                for option in choices
            ),
        )
        select = format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], _attrs(widget["attrs"]), options
        )
        return mark_safe(select)  # built by format_html: every value escaped


class MapFilterForm(forms.Form):
    """The map's GET filters. Choices come from insights.selectors.filter_options; the funding
    metric and the fiscal year are offered only to viewers who may see money."""

    metric = forms.ChoiceField(choices=[], required=False, label="Heat shows", widget=PlainSelect)
    campaign = forms.TypedChoiceField(
        coerce=int, choices=[], required=False, empty_value=None, widget=PlainSelect
    )
    fiscal_year = forms.TypedChoiceField(
        coerce=int,
        choices=[],
        required=False,
        empty_value=None,
        label="Fiscal year",
        widget=PlainSelect,
    )

    def __init__(self, data, *, options: dict, can_see_money: bool):
        super().__init__(data)
        labels = {
            "ideas": "Live ideas",
            "score": "Mean panel score",
            "funding": "Money allocated",
            "evidence": "Evidence (customers affected)",
        }
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

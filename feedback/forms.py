from django import forms

from feedback.importer import FIELDS, REQUIRED
from feedback.models import Channel

FIELD_HELP = {
    "source": "The system the rows come from (or name it below for the whole file).",
    "external_id": "The row's id in its source: re-importing it updates, never duplicates.",
    "customer_id": "Hashed into a pseudonymous reference at import; never stored as such.",
    "score": "NPS 0-10 or CSAT 1-5 (with a scale column, or guessed from the value).",
    "stage": "A stage name or id of the default journey.",
    "moment": "A moment name or id of the default journey.",
}


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV or XLSX file", help_text="First row: column names.")
    default_source = forms.CharField(
        label="Source",
        required=False,
        max_length=60,
        help_text="For files without a source column, e.g. “complaints-crm”.",
    )


class MappingForm(forms.Form):
    """One select per item field, choosing the file column that feeds it."""

    default_source = forms.CharField(
        label="Source of the whole file", required=False, max_length=60
    )

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in the file —")] + [(h, h) for h in header if h]
        for field in FIELDS:
            self.fields[f"map_{field}"] = forms.ChoiceField(
                label=field + (" *" if field in REQUIRED else ""),
                choices=choices,
                required=False,
                help_text=FIELD_HELP.get(field, ""),
            )
        self.order_fields([f"map_{f}" for f in FIELDS] + ["default_source"])

    def mapping(self) -> dict[str, str]:
        return {f: self.cleaned_data.get(f"map_{f}") or "" for f in FIELDS}


class FeedbackFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "Any channel"), *Channel.choices]
    )
    stage = forms.IntegerField(label="Stage", required=False, widget=forms.Select)
    received_after = forms.DateField(
        label="Received after", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    negative = forms.BooleanField(label="Negative only", required=False)

    def __init__(self, *args, stages=(), **kwargs):
        # ``stages`` only feed the select's options (the full page); filtering needs only the
        # id, so the htmx partial skips that query.
        super().__init__(*args, **kwargs)
        self.fields["stage"].widget.choices = [("", "Any stage")] + [(s.pk, s.name) for s in stages]

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["channel"]:
            qs = qs.filter(channel=data["channel"])
        if data["stage"]:
            qs = qs.filter(stage_id=data["stage"])
        if data["received_after"]:
            qs = qs.filter(received_on__gte=data["received_after"])
        if data["negative"]:
            qs = qs.filter(is_negative=True)
        return qs.search(data["q"])

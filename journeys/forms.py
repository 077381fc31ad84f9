"""Forms of the journeys pages. They parse input; the rules live in journeys.services."""

from django import forms

from journeys.models import Cycle, Effect, StageKind


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

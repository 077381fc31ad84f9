from django import forms
from django.utils import timezone

from accounts.models import Kind, User
from ideas.models import Idea, Status
from scoring.models import Panel, Scorecard


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.display_name} ({user.get_function_display() or 'no function'})"


class PanelForm(forms.Form):
    name = forms.CharField(max_length=120)
    members = MemberChoiceField(
        queryset=User.objects.filter(kind=Kind.STAFF, is_active=True).order_by(
            "function", "display_name"
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Pick people from several functions: a round needs at least the scorecard's minimum.",
    )


class IdeaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, idea):
        return idea.title


class RoundForm(forms.Form):
    name = forms.CharField(max_length=160, required=False)
    panel = forms.ModelChoiceField(queryset=Panel.objects.all())
    scorecard = forms.ModelChoiceField(queryset=Scorecard.objects.all(), empty_label=None)
    ideas = IdeaChoiceField(
        queryset=Idea.objects.filter(status=Status.SCREENING).order_by("-created_at"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only ideas in screening can be reviewed.",
    )
    due_at = forms.DateTimeField(
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_due_at(self):
        value = self.cleaned_data["due_at"]
        if value <= timezone.now():
            raise forms.ValidationError("The due date must be in the future.")
        return value


class ScorecardSettingsForm(forms.Form):
    """Whether a rationale is required, and the rubric of each of the scorecard's signals:
    one text field per point of its scale, named ``<signal key>-<value>``."""

    rationale_required = forms.BooleanField(
        required=False,
        label="Require a rationale for every signal",
        help_text="Reviewers cannot submit a scorecard until each signal says why.",
    )

    def __init__(self, *args, scorecard: Scorecard, **kwargs):
        super().__init__(*args, **kwargs)
        self.signals = list(scorecard.signals.order_by("order", "id"))
        self.initial.setdefault("rationale_required", scorecard.rationale_required)
        for signal in self.signals:
            for value, label, description in signal.scale():
                name = f"{signal.key}-{value}"
                self.fields[name] = forms.CharField(
                    label=f"{value}" + (f" · {label}" if label else ""),
                    required=False,
                    max_length=300,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                self.initial.setdefault(name, description)

    def signal_groups(self):
        """``[(signal, [bound fields])]`` for the template's fieldsets."""
        return [(s, [self[f"{s.key}-{v}"] for v in s.values()]) for s in self.signals]

    def rubrics(self) -> dict[str, dict[str, str]]:
        return {
            s.key: {str(v): self.cleaned_data.get(f"{s.key}-{v}", "") for v in s.values()}
            for s in self.signals
        }

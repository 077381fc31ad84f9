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

"""HTML forms of the ideas app. They parse and present; the services decide."""

from datetime import datetime, time
from itertools import groupby

from django import forms
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.models import MANAGERS_GROUP, Kind, User
from core.forms import FastForm, FastRendering
from ideas.models import (
    Audience,
    Campaign,
    Decision,
    EvidenceKind,
    Horizon,
    InnovationType,
    ValueConfidence,
)
from ideas.uploads import ACCEPT_ATTR
from journeys.models import Cycle, Moment, Stage

# The owner box suggests at most this many people (it accepts any employee's e-mail).
MAX_OWNER_CANDIDATES = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTR}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class JourneyChoices:
    """Stages and moments of the default journey, loaded once (two queries), offered as
    grouped choices: stages by cycle, moments by stage."""

    def __init__(self):
        self.stages = list(Stage.objects.filter(journey__is_default=True).order_by("order", "id"))
        self.moments = list(
            Moment.objects.filter(stage__journey__is_default=True)
            .select_related("stage")
            .order_by("stage__order", "-severity", "name")
        )
        self.stage_by_id = {s.pk: s for s in self.stages}
        self.moment_by_id = {m.pk: m for m in self.moments}

    def stage_choices(self):
        labels = dict(Cycle.choices)
        groups = []
        for cycle, stages in groupby(self.stages, key=lambda s: s.cycle):
            groups.append((f"{labels.get(cycle, cycle)} cycle", [(s.pk, s.name) for s in stages]))
        return [("", "Not sure / not tied to a stage"), *groups]

    def moment_choices(self, stage_id=None):
        moments = [m for m in self.moments if stage_id in (None, m.stage_id)]
        groups = [
            (stage.name, [(m.pk, m.name) for m in items])
            for stage, items in groupby(moments, key=lambda m: m.stage)
        ]
        return [("", "No particular moment"), *groups]


class IdeaForm(FastForm):
    title = forms.CharField(max_length=160, help_text="A short name others will recognise.")
    customer_need = forms.CharField(
        label="Customer need",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Who needs what, and the evidence that they do (data, complaints, research).",
    )
    proposal = forms.CharField(
        label="Your proposal", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    innovation_type = forms.ChoiceField(choices=InnovationType.choices, label="Innovation type")
    # Optional in the form (older clients post none): left out, the idea keeps its horizon
    # (a new idea: core).
    horizon = forms.ChoiceField(
        choices=Horizon.choices,
        initial=Horizon.CORE,
        required=False,
        label="Horizon",
        help_text="When would customers feel it? An innovation manager confirms it at screening.",
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="No campaign (open idea box)",
    )
    stage = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Journey stage"
    )
    moment = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Moment in the journey"
    )
    is_anonymous = forms.BooleanField(
        required=False, label="Post anonymously (only innovation managers will see my name)"
    )
    estimated_cost = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, label="Estimated cost"
    )
    expected_value = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        label="Expected value per year",
        help_text="Revenue generated or protected per year, if you can estimate it.",
    )
    attachments = MultipleFileField(
        required=False,
        help_text="PDF, images, TXT, CSV or Office files, at most 10 MB each.",
    )

    def __init__(self, *args, user, journey: JourneyChoices, with_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.journey = journey
        self.fields["campaign"].queryset = Campaign.objects.accepting(user).order_by("title")
        if user.kind == Kind.CUSTOMER:
            del self.fields["estimated_cost"], self.fields["expected_value"]
        if not with_files:
            del self.fields["attachments"]
        if journey.stages:
            self.fields["stage"].choices = journey.stage_choices()
            self.fields["moment"].choices = journey.moment_choices()
            moment_url = _url("journeys:moment_options")
            if moment_url:
                # Moments of the chosen stage replace the full grouped list (htmx sends
                # ?stage=<id>); without JavaScript every moment stays listed by stage.
                self.fields["stage"].widget.attrs.update(
                    {
                        "hx-get": moment_url,
                        "hx-target": "#id_moment",
                        "hx-trigger": "change",
                        "hx-swap": "innerHTML",
                    }
                )
        else:
            del self.fields["stage"], self.fields["moment"]
        similar_url = _url("ideas:similar")
        for name in ("title", "customer_need"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": similar_url,
                    "hx-trigger": "keyup changed delay:400ms",
                    "hx-target": "#similar-ideas",
                    "hx-swap": "outerHTML",
                    "hx-include": "#id_title, #id_customer_need",
                    "hx-sync": "this:replace",
                    "autocomplete": "off",
                }
            )

    def clean(self):
        data = super().clean()
        stage_id, moment_id = data.get("stage"), data.get("moment")
        data["stage"] = self.journey.stage_by_id.get(stage_id) if stage_id else None
        data["moment"] = self.journey.moment_by_id.get(moment_id) if moment_id else None
        if stage_id and data["stage"] is None:
            self.add_error("stage", "Choose a stage of the journey.")
        if moment_id and data["moment"] is None:
            self.add_error("moment", "Choose a moment of the journey.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        keys = [
            "title",
            "customer_need",
            "proposal",
            "innovation_type",
            "horizon",
            "campaign",
            "stage",
            "moment",
            "is_anonymous",
            "estimated_cost",
            "expected_value",
        ]
        kwargs = {k: data.get(k) for k in keys if k in self.fields}
        if not kwargs.get("horizon"):
            kwargs.pop("horizon", None)
        return kwargs


# The guided submission's minimums (characters), shown in each field's help and checked here.
MIN_WHO, MIN_TITLE, MIN_NEED, MIN_EVIDENCE, MIN_PROPOSAL = 10, 10, 40, 20, 30


def _at_least(n: int, what: str):
    return {"min_length": f"{what} needs at least {n} characters, so others understand it."}


class GuidedIdeaForm(IdeaForm):
    """The new-idea form in four steps: who the customer is, what they need, how we know
    (the first piece of evidence), and the proposal. Customers get plain words and none of
    the internal choices (moment, type codes, horizon). The need is stored as who + need."""

    STEPS = [
        ("who", "Who is the customer?"),
        ("need", "What do they need?"),
        ("evidence", "How do we know?"),
        ("proposal", "What do you propose?"),
    ]
    CUSTOMER_LEGENDS = {
        "who": "About you",
        "need": "What do you need?",
        "evidence": "What happened?",
        "proposal": "Your suggestion",
    }
    # Which fields each step shows (those a form does not have are skipped).
    STEP_FIELDS = {
        "who": ["who", "stage", "moment", "campaign"],
        "need": ["title", "customer_need"],
        "evidence": ["evidence_kind", "evidence_summary", "customers_affected"],
        "proposal": [
            "proposal",
            "innovation_type",
            "horizon",
            "estimated_cost",
            "expected_value",
            "attachments",
            "is_anonymous",
        ],
    }

    who = forms.CharField(
        label="Who is the customer?",
        min_length=MIN_WHO,
        max_length=300,
        help_text=f"Which customers, as precisely as you can: “first-time buyers applying on "
        f"their phone”. At least {MIN_WHO} characters.",
        error_messages=_at_least(MIN_WHO, "Who the customer is"),
    )
    evidence_kind = forms.ChoiceField(choices=EvidenceKind.choices, label="Kind of evidence")
    evidence_summary = forms.CharField(
        label="What did you see or hear?",
        min_length=MIN_EVIDENCE,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"A complaint, a survey, a conversation, a number: what, from whom, how "
        f"often. At least {MIN_EVIDENCE} characters.",
        error_messages=_at_least(MIN_EVIDENCE, "The evidence"),
    )
    customers_affected = forms.IntegerField(
        min_value=0,
        max_value=10**9,
        initial=1,
        label="Customers affected",
        help_text="How many customers this speaks for (0 if unknown).",
    )

    def __init__(self, *args, user, journey: JourneyChoices, **kwargs):
        super().__init__(*args, user=user, journey=journey, **kwargs)
        self.customer = user.kind == Kind.CUSTOMER
        f = self.fields
        f["title"] = _with_min(f["title"], MIN_TITLE, "The title")
        f["title"].help_text = (
            f"One line a customer would recognise: at least {MIN_TITLE} characters, under 100 "
            "reads best."
        )
        f["customer_need"] = _with_min(f["customer_need"], MIN_NEED, "The need")
        f["customer_need"].label = "What do they need?"
        f["customer_need"].help_text = (
            "What gets in their way, or what would delight them: two to four sentences, at "
            f"least {MIN_NEED} characters."
        )
        f["proposal"].help_text = (
            f"What we could do about it, and how customers would notice. At least "
            f"{MIN_PROPOSAL} characters."
        )
        f["campaign"].label = "Campaign"
        if self.customer:
            self._plain_words_for_customers()
        else:
            f["proposal"].required = True
        f["proposal"].widget.attrs["minlength"] = MIN_PROPOSAL
        for name in ("who", "evidence_summary"):
            f[name].widget.attrs["minlength"] = f[name].min_length

    def _plain_words_for_customers(self):
        f = self.fields
        f["who"].label = "Tell us about yourself as our customer"
        f["who"].help_text = (
            "For example: “I have a current account and use the app every day.” "
            f"At least {MIN_WHO} characters."
        )
        if "stage" in f:
            f["stage"].label = "Where in your experience with us?"
            f["stage"].choices = [
                ("", "I am not sure"),
                *[(s.pk, s.name) for s in self.journey.stages],
            ]
            f["stage"].widget.attrs.pop("hx-get", None)
            del f["moment"]
        f["campaign"].label = "Are you answering one of our questions?"
        f["campaign"].empty_label = "No, it is my own idea"
        f["customer_need"].label = "What do you need, or what went wrong?"
        f["customer_need"].help_text = (
            f"In your own words: what happened, and what would have helped. At least "
            f"{MIN_NEED} characters."
        )
        f["title"].label = "Give it a short title"
        f["evidence_kind"].choices = [(EvidenceKind.OTHER, "My own story")]
        f["evidence_kind"].widget = forms.HiddenInput()
        f["evidence_kind"].initial = EvidenceKind.OTHER
        f["evidence_summary"].label = "When did this happen to you?"
        f["evidence_summary"].help_text = (
            f"Tell us when and how it happened, so we can check it. At least {MIN_EVIDENCE} "
            "characters."
        )
        del f["customers_affected"]
        f["proposal"].label = "What could we do about it? (optional)"
        f["proposal"].help_text = "If you have a suggestion, tell us; if not, leave it empty."
        f["innovation_type"].label = "What kind of change?"
        f["innovation_type"].choices = [
            (InnovationType.OPTIMIZATION, "Improve something you already offer"),
            (InnovationType.NEW_EXPERIENCE, "Something new"),
        ]
        f["innovation_type"].widget = forms.RadioSelect(choices=f["innovation_type"].choices)
        f["innovation_type"].initial = InnovationType.OPTIMIZATION
        del f["horizon"]
        f["is_anonymous"].label = "Do not show my name to other customers and employees"

    def steps(self) -> list[dict]:
        """The steps with their bound fields, for the template (one fieldset each)."""
        return [
            {
                "key": key,
                "legend": self.CUSTOMER_LEGENDS[key] if self.customer else legend,
                "fields": [self[n] for n in self.STEP_FIELDS[key] if n in self.fields],
                "errors": any(self[n].errors for n in self.STEP_FIELDS[key] if n in self.fields),
            }
            for key, legend in self.STEPS
        ]

    def clean(self):
        data = super().clean()
        if not (data.get("proposal") or "").strip():
            data["proposal"] = ""
        elif len(data["proposal"].strip()) < MIN_PROPOSAL:
            self.add_error("proposal", _at_least(MIN_PROPOSAL, "The proposal")["min_length"])
        return data

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        data = self.cleaned_data
        kwargs["customer_need"] = f"{data['who'].strip()}\n\n{data['customer_need'].strip()}"
        return kwargs

    def evidence_kwargs(self) -> dict:
        data = self.cleaned_data
        evidence = {"kind": data["evidence_kind"], "summary": data["evidence_summary"]}
        if "customers_affected" in self.fields:
            evidence["customers_affected"] = data["customers_affected"]
        return evidence


def _with_min(field: forms.CharField, n: int, what: str) -> forms.CharField:
    """``field`` with a minimum length, its message and the browser's ``minlength``."""
    field.min_length = n
    field.validators = [*field.validators, MinLengthValidator(n, _at_least(n, what)["min_length"])]
    field.widget.attrs["minlength"] = n
    return field


class DateInput(forms.DateInput):
    input_type = "date"


class EvidenceForm(FastForm):
    kind = forms.ChoiceField(choices=EvidenceKind.choices, label="Kind of evidence")
    summary = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was seen or heard, by whom, and how often.",
    )
    customers_affected = forms.IntegerField(
        min_value=0,
        max_value=10**9,
        initial=1,
        label="Customers affected",
        help_text="How many customers this speaks for (0 if unknown).",
    )
    source_url = forms.URLField(
        max_length=500, required=False, assume_scheme="https", label="Source link"
    )
    observed_on = forms.DateField(required=False, widget=DateInput, label="Observed on")
    attachment = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
        help_text="PDF, images, TXT, CSV or Office files, at most 10 MB.",
    )

    def __init__(self, *args, customer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        if customer:
            # A customer tells their own story: one kind, one customer, no source link.
            self.fields["kind"].choices = [(EvidenceKind.OTHER, "My own story")]
            self.fields["summary"].label = "Your story"
            self.fields["summary"].help_text = "What happened to you, and when."
            del self.fields["customers_affected"], self.fields["source_url"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        keys = ["kind", "summary", "customers_affected", "source_url", "observed_on", "attachment"]
        return {k: data.get(k) for k in keys if k in self.fields}


class ConfirmTypeForm(FastForm):
    innovation_type = forms.ChoiceField(choices=InnovationType.choices, label="Innovation type")
    horizon = forms.ChoiceField(choices=Horizon.choices, label="Horizon")


class ExpectedValueForm(FastForm):
    expected_revenue_generated = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        label="Revenue generated per year",
    )
    expected_revenue_protected = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        label="Revenue protected per year",
    )
    value_confidence = forms.ChoiceField(
        choices=[("", "—"), *ValueConfidence.choices], required=False, label="Confidence"
    )
    non_financial = forms.BooleanField(
        required=False, label="Non-financial value (name the KPI that will show it)"
    )
    kpi = forms.CharField(max_length=200, required=False, label="KPI")


class CommentForm(FastForm):
    body = forms.CharField(
        label="Your comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_internal = forms.BooleanField(required=False, label="Internal (visible to employees only)")

    def __init__(self, *args, can_internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_internal:
            del self.fields["is_internal"]


class FlagForm(FastForm):
    reason = forms.CharField(
        label="What is wrong with it?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A moderator reads this. The author does not see who flagged.",
    )


class DecisionForm(FastForm):
    decision = forms.ChoiceField(choices=Decision.choices)
    reason = forms.CharField(
        label="Reason for the author",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject: the author reads it.",
    )


class OwnerInput(forms.EmailInput):
    """An e-mail box with a ``<datalist>`` of the likely owners (the innovation managers and
    the current owner) instead of a ``<select>`` of every employee: 2,000 options were most of
    the idea page's time and HTML at scale."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.candidates = ()

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-candidates"
        attrs = {**(attrs or {}), "list": list_id, "autocomplete": "off"}
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((u.email, str(u)) for u in self.candidates)
        )
        html = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class OwnerForm(FastForm):
    owner = forms.EmailField(
        required=False,
        label="Accountable owner",
        help_text="The e-mail address of an employee; leave it empty for nobody.",
        widget=OwnerInput,
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].widget.candidates = candidates

    @staticmethod
    def candidates_for(idea) -> models.QuerySet:
        """Innovation managers and the idea's current owner: one small query."""
        return (
            User.objects.filter(kind=Kind.STAFF, is_active=True)
            .filter(Q(groups__name=MANAGERS_GROUP) | Q(pk=idea.owner_id))
            .distinct()
            .order_by("display_name", "id")[:MAX_OWNER_CANDIDATES]
        )

    def clean_owner(self) -> User | None:
        email = self.cleaned_data["owner"]
        if not email:
            return None
        owner = User.objects.filter(email__iexact=email, kind=Kind.STAFF, is_active=True).first()
        if owner is None:
            raise forms.ValidationError("No active employee has this e-mail address.")
        return owner


class MergeForm(FastForm):
    target = forms.IntegerField(
        min_value=1, label="Merge into idea number", help_text="The idea that stays."
    )
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(FastForm):
    file = forms.FileField(
        label="Add a file",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
        help_text="PDF, images, TXT, CSV or Office files, at most 10 MB.",
    )


class CampaignForm(FastRendering, forms.ModelForm):
    """Campaigns run in whole days: a date picker for each end; the campaign opens at the
    start of its first day and closes at the end of its last (in the site's time zone)."""

    opens_at = forms.DateField(
        label="Opens on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closes_at = forms.DateField(
        label="Closes on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The last day ideas are taken. Leave empty for no end date.",
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "slug",
            "brief",
            "audience",
            "opens_at",
            "closes_at",
            "premoderation",
            "target_stages",
        ]
        widgets = {
            "brief": forms.Textarea(attrs={"rows": 4}),
            "target_stages": forms.CheckboxSelectMultiple(),
        }
        help_texts = {"slug": "Used in the address: letters, numbers and hyphens."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = Audience.choices
        self.fields["target_stages"].queryset = Stage.objects.filter(
            journey__is_default=True
        ).order_by("order")
        self.fields["target_stages"].required = False
        for name in ("opens_at", "closes_at"):
            value = getattr(self.instance, name, None)
            if value is not None:
                self.initial[name] = timezone.localtime(value).date()

    def clean_opens_at(self) -> datetime:
        day = self.cleaned_data["opens_at"]
        return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())

    def clean_closes_at(self) -> datetime | None:
        day = self.cleaned_data.get("closes_at")
        if day is None:
            return None
        return datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The last day cannot be before the first.")
        return data

"""The board's filters, shared by the HTML board, the CSV export and ``GET /api/v1/ideas/``."""

import django_filters
from django import forms
from django.db.models import F

from core.forms import FastForm
from ideas.models import Campaign, Horizon, Idea, InnovationType, Origin, Status
from ideas.search import search

MAX_ID = 2**63 - 1  # the largest primary key PostgreSQL's bigint and SQLite's INTEGER hold

SORTS = [
    ("newest", "Newest"),
    ("oldest", "Oldest"),
    ("supported", "Most supported"),
    ("score", "Top score"),
    ("title", "Title"),
]


# Who may see panel scores, and so sort by them.
SCORE_PERM = "ideas.view_internal"


def sorts_for(user) -> list[tuple[str, str]]:
    """The board's sorts ``user`` is offered: "Top score" only to those who see scores."""
    if user is not None and user.has_perm(SCORE_PERM):
        return SORTS
    return [(key, label) for key, label in SORTS if key != "score"]


class IdeaFilter(django_filters.FilterSet):
    campaign = django_filters.CharFilter(method="filter_campaign", label="Campaign")
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    innovation_type = django_filters.ChoiceFilter(
        choices=InnovationType.choices, empty_label="Any type", label="Innovation type"
    )
    # Bounded so an absurd id is a 400 from the form, not an overflow in the database driver.
    stage = django_filters.NumberFilter(
        field_name="stage_id",
        label="Journey stage",
        min_value=1,
        max_value=MAX_ID,
        decimal_places=0,
    )
    horizon = django_filters.ChoiceFilter(choices=Horizon.choices, empty_label="Any horizon")
    # Reads the idea's evidence counter: no join, no subquery.
    has_evidence = django_filters.BooleanFilter(
        method="filter_has_evidence",
        label="Evidence",
        widget=forms.Select(
            choices=[
                ("", "With or without evidence"),
                ("true", "Has evidence"),
                ("false", "No evidence yet"),
            ]
        ),
    )
    origin = django_filters.ChoiceFilter(choices=Origin.choices, empty_label="Anyone")
    q = django_filters.CharFilter(method="filter_q", label="Search")
    ordering = django_filters.ChoiceFilter(
        choices=SORTS, method="filter_ordering", empty_label=None, label="Sort"
    )

    class Meta:
        model = Idea
        fields = [
            "campaign",
            "status",
            "innovation_type",
            "horizon",
            "has_evidence",
            "stage",
            "origin",
            "q",
            "ordering",
        ]
        # Its nine fields, two of them <select>s of every campaign and stage, render in
        # Python (core.forms): through the widget templates they were most of the board's time.
        form = FastForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Sorting by panel score would leak the scores' order: offered only to those who may
        # see scores (customers may not); for them "score" is not a valid choice.
        ordering = self.filters["ordering"]
        ordering.extra["choices"] = sorts_for(getattr(self.request, "user", None))
        # A form field built earlier on the class's filter (the API schema builds one) is
        # copied along with it: drop it so the field is built with these choices.
        ordering.__dict__.pop("_field", None)

    def filter_campaign(self, queryset, name, value):
        # Either the campaign's slug (HTML links) or its id (API clients).
        if value.isdigit():
            return (
                queryset.filter(campaign_id=int(value)) if int(value) <= MAX_ID else queryset.none()
            )
        return queryset.filter(campaign__slug=value)

    def filter_has_evidence(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(evidence_count__gt=0) if value else queryset.filter(evidence_count=0)

    def filter_q(self, queryset, name, value):
        return search(queryset, value)

    def filter_ordering(self, queryset, name, value):
        return order_ideas(queryset, value)

    @property
    def qs(self):
        qs = super().qs
        # Without an explicit sort the default (newest) still applies.
        if not (
            self.form.is_bound and self.form.is_valid() and self.form.cleaned_data.get("ordering")
        ):
            qs = order_ideas(qs, "newest")
        return qs


def order_ideas(queryset, value: str):
    if value == "oldest":
        return queryset.order_by("created_at", "id")
    if value == "supported":
        return queryset.annotate(
            support_total=F("supports_employees") + F("supports_customers")
        ).order_by("-support_total", "-created_at", "-id")
    if value == "score":
        # Ideas never scored (no latest score row) sort last on both databases.
        return queryset.order_by(F("latest__score").desc(nulls_last=True), "-created_at", "-id")
    if value == "title":
        return queryset.order_by("title", "id")
    return queryset.order_by("-created_at", "-id")


def use_select_widgets(filterset: IdeaFilter, user, stages) -> None:
    """For the HTML board: campaign and stage as <select>s (one query each)."""
    # Pairs, not model instances: ~150 campaigns are read on every board page.
    campaigns = Campaign.objects.visible_to(user).values_list("slug", "title")
    fields = filterset.form.fields
    fields["campaign"].widget = forms.Select(choices=[("", "Any campaign"), *campaigns])
    fields["stage"].widget = forms.Select(
        choices=[("", "Any stage"), *stages.values_list("pk", "name")]
    )

"""The board's filters, shared by the HTML board, the CSV export and ``GET /api/v1/ideas/``."""

import threading

import django_filters
from django import forms
from django.db import router
from django.db.models import BooleanField, Expression, F, QuerySet
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from core.compiled import compiled
from core.forms import FastForm, field_html
from ideas.models import Campaign, Horizon, Idea, InnovationType, Origin, Status
from ideas.search import search
from journeys.models import Stage

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
    # The sort stays the last filter: the top-score sort walks the ideas as filtered so far
    # (TopScoreWindow), and django-filter applies the filters in the order declared here.
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

    # The form class per set of sorts offered (the one thing that differs between instances):
    # django-filter builds a new class, nine fields and all, for every filter set.
    _form_classes: dict = {}

    def get_form_class(self):
        key = (type(self), tuple(self.filters["ordering"].extra["choices"]))
        form_class = IdeaFilter._form_classes.get(key)
        if form_class is None:
            form_class = IdeaFilter._form_classes[key] = super().get_form_class()
        return form_class

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
        # (the filters run in the order declared: ``q`` has narrowed the ideas already)
        return order_ideas(queryset, value, searched=bool(self.form.cleaned_data.get("q")))

    @property
    def qs(self):
        qs = super().qs
        # Without an explicit sort the default (newest) still applies.
        if not (
            self.form.is_bound and self.form.is_valid() and self.form.cleaned_data.get("ordering")
        ):
            qs = order_ideas(qs, "newest")
        return qs


NEWEST = ("-created_at", "-id")
TOP_SCORE_ORDER = (F("latest__score").desc(nulls_last=True),)
# The board's sort "score", whole.
TOP_SCORE_SORT = (*TOP_SCORE_ORDER, *NEWEST)


class TopScoreWindow(Expression):
    """A condition that lets a page of the board sorted by top score be read from two ordered
    index walks that stop early, instead of sorting every visible idea by a column of another
    table (a LEFT JOIN ordered by its nullable side cannot be walked in order).

    Every scored idea sorts before every unscored one, so the first ``n`` ideas of the whole
    order are among the first ``n`` scored ideas (best score first, newest first) and the
    first ``n`` unscored ideas (newest first). With ``n`` the end of the slice being read
    (the LIMIT of the query this condition is compiled into, known only then: the paginator
    slices the queryset after the board built it), the condition is

        id IN (SELECT * FROM (<ids of the scored, ordered> LIMIT n)
               UNION ALL SELECT * FROM (<ids of the unscored, ordered> LIMIT n))

    and the query's own ORDER BY ... LIMIT/OFFSET then orders at most 2n rows. The scored
    walk follows ``latestscore_top`` (score, then an incremental sort of each run of equal
    scores by creation), joining each idea by its key and checking the board's filters on
    the way; the unscored walk follows the ideas' creation order, skipping the scored ones.
    Unsliced (the CSV export, the paginator's estimate) it is no condition at all: the same
    rows, sorted whole. ``scored`` and ``unscored`` are the filtered ideas, ordered."""

    conditional = True

    def __init__(self, scored: QuerySet, unscored: QuerySet, pk=None):
        super().__init__(output_field=BooleanField())
        self.scored = scored.values("pk")
        self.unscored = unscored.values("pk")
        self.pk = F("pk") if pk is None else pk

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        query = compiler.query
        high = query.high_mark
        if high is None or tuple(query.order_by) != TOP_SCORE_SORT:
            # All the rows, or a slice in another order or in none (the paginator's count):
            # the window would be wrong or cost a walk for nothing.
            return "1 = 1", []
        parts, params = [], []
        for i, ideas in enumerate((self.scored, self.unscored)):
            sql, part_params = ideas[:high].query.get_compiler(connection=connection).as_sql()
            parts.append(f"SELECT * FROM ({sql}) w{i}")
            params.extend(part_params)
        pk_sql, pk_params = compiler.compile(self.pk)
        return f"{pk_sql} IN ({' UNION ALL '.join(parts)})", [*pk_params, *params]


def order_ideas(queryset, value: str, *, searched: bool = False):
    """``queryset`` in the board's sort ``value``. ``searched``: the ideas are those matching a
    search, usually few (they are then sorted whole rather than walked in score order)."""
    if value == "oldest":
        return queryset.order_by("created_at", "id")
    if value == "supported":
        return queryset.annotate(
            support_total=F("supports_employees") + F("supports_customers")
        ).order_by("-support_total", "-created_at", "-id")
    if value == "score":
        # Best latest score first, then newest; ideas never scored (no latest score row)
        # last, newest first, on both databases. See TopScoreWindow for how a page is read.
        if searched:
            # A search's matches are found through its own indexes and sorted: walking the
            # score order for the few that match could visit every scored idea.
            return queryset.order_by(*TOP_SCORE_SORT)
        window = TopScoreWindow(
            scored=queryset.filter(latest__isnull=False).order_by("-latest__score", *NEWEST),
            unscored=queryset.filter(latest__isnull=True).order_by(*NEWEST),
        )
        return queryset.filter(window).order_by(*TOP_SCORE_SORT)
    if value == "title":
        return queryset.order_by("title", "id")
    return queryset.order_by("-created_at", "-id")


def use_select_widgets(filterset: IdeaFilter, user, stages) -> None:
    """For the HTML board: campaign and stage as <select>s (one query each)."""
    # Pairs, not model instances: ~150 campaigns are read on every board page.
    campaigns = Campaign.objects.visible_to(user).values_list("slug", "title")
    select_widgets(filterset, campaigns, stages.values_list("pk", "name"))


def select_widgets(filterset: IdeaFilter, campaigns, stages) -> None:
    """Campaign and stage as <select>s of the (value, label) pairs given."""
    fields = filterset.form.fields
    fields["campaign"].widget = forms.Select(choices=[("", "Any campaign"), *campaigns])
    fields["stage"].widget = forms.Select(choices=[("", "Any stage"), *stages])


# Customers filter by what they know (campaign, status, journey stage, words), not by the
# internal classifications: the board does not show them these fields.
HIDDEN_FROM_CUSTOMERS = ("innovation_type", "horizon", "has_evidence", "origin")


def board_choices(user) -> tuple[tuple, tuple]:
    """The board's campaign and stage choices for ``user``: ``(slug, title)`` of the campaigns
    they may see and ``(id, name)`` of the default journey's stages, in their order. Two
    statements compiled once per connection (``core.compiled``; building them cost more than
    running them). The campaigns' statement depends on the person only through their kind
    (``CampaignQuerySet.visible_to``: signed in, customer or not), so it is cached per kind."""
    alias = router.db_for_read(Campaign)
    campaigns = compiled(
        alias,
        ("ideas.board_campaigns", user.is_authenticated, user.kind),
        lambda: Campaign.objects.using(alias).visible_to(user).values_list("slug", "title"),
    )
    stages = compiled(
        alias,
        "ideas.board_stages",
        lambda: (
            Stage.objects.using(alias).filter(journey__is_default=True).values_list("pk", "name")
        ),
    )
    return tuple(campaigns.fetch(alias, {})), tuple(stages.fetch(alias, {}))


# The board's filter fields as rendered HTML, per everything they show (below). A process's
# own: the key holds every input of the markup, so an entry is never stale; a deploy starts
# new processes. Bounded: emptied when full (a crawler's searches each add one).
_FILTER_FIELDS: dict = {}
_FILTER_FIELDS_MAX = 128
_FILTER_FIELDS_LOCK = threading.Lock()


def board_filter_fields(filterset: IdeaFilter, user, *, customer: bool) -> SafeString:
    """The board's filter form's fields, as ``{% for field in filterset.form %}{% include
    "components/field.html" %}{% endfor %}`` wrote them (``tests/ideas/test_board_filters.py``
    compares the two), with the campaign and stage <select>s and without the fields customers
    are not shown.

    Rendered once per process for each combination of what the markup shows: the language,
    whether the form is bound and the submitted value of each field shown (its value and its
    errors follow from them), the sorts offered and the campaign and stage choices (read on
    every request: two prepared statements). Rendering the nine fields, two <select>s of some
    200 options, cost more than the rest of the board's page."""
    campaigns, stages = board_choices(user)
    form = filterset.form
    names = tuple(name for name in form.fields if not (customer and name in HIDDEN_FROM_CUSTOMERS))
    data = form.data
    key = (
        translation.get_language(),
        form.is_bound,
        tuple((name, tuple(data.getlist(form.add_prefix(name)))) for name in names),
        tuple(filterset.filters["ordering"].extra["choices"]),
        campaigns,
        stages,
    )
    html = _FILTER_FIELDS.get(key)
    if html is None:
        select_widgets(filterset, campaigns, stages)
        fields = form.fields
        for name in list(fields):
            if name not in names:
                del fields[name]
        html = "".join(field_html(form[name]) for name in names)
        with _FILTER_FIELDS_LOCK:
            if len(_FILTER_FIELDS) >= _FILTER_FIELDS_MAX:
                _FILTER_FIELDS.clear()
            _FILTER_FIELDS[key] = html
    return mark_safe(html)  # field_html's own escaped markup

"""HTML views of the ideas app (htmx-enhanced; every action also works as a plain form)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import Kind
from accounts.throttle import limited_by
from core.compiled import compiled_objects
from core.db import report_read
from core.web import (
    HtmxHttpRequest,
    add_service_errors,
    csv_response,
    is_partial,
    paginate,
    require_perm,
    vary_on_htmx,
)
from ideas import campaigns as campaign_services
from ideas import engagement, search, services
from ideas.evidence import evidence_add as evidence_add_service
from ideas.evidence import (
    evidence_flags,
    evidence_from_describe,
    evidence_panels,
    evidence_sources,
    evidence_visible,
)
from ideas.filters import IdeaFilter, sorts_for, use_select_widgets
from ideas.forms import (
    AttachmentForm,
    CampaignForm,
    CommentForm,
    ConfirmTypeForm,
    EvidenceForm,
    ExpectedValueForm,
    FlagForm,
    GuidedIdeaForm,
    IdeaForm,
    JourneyChoices,
    MergeForm,
    OwnerForm,
)
from ideas.models import (
    Attachment,
    Campaign,
    Comment,
    Evidence,
    Follow,
    Idea,
    Moderation,
    Notification,
    Status,
    Support,
    _is_manager,
    _is_moderator,
)
from ideas.notifications import notifications_mark_read
from ideas.page import IdeaUrls
from ideas.pagination import CappedCountPaginator
from ideas.selectors import BOARD_TABS, board_ideas, page_comments, page_transitions
from ideas.workflow import TransitionError, moves_for
from journeys.models import Stage

PAGE_SIZE = 20
HELD_IDEA = (
    "Your idea is submitted and held for review: a moderator looks at it before others "
    "see it. You will hear when it is published."
)
HELD_COMMENT = "Your comment is held for review: a moderator looks at it before others see it."


def _get_idea_for_user(
    request, pk: int, perm: str = "ideas.view_idea", *, viewer_state: bool = False
) -> Idea:
    """The one access helper for an idea page or action: 404 if the user may not see it,
    403 if they see it but may not do ``perm`` to it. ``viewer_state`` (the idea page) adds
    ``is_supported`` and ``is_following`` (does the viewer support, follow it) to the same
    query. The idea it was merged into is read only for a merged idea, where it is shown
    (``_merged_into``): joining it for every idea cost the planner about a millisecond; the
    search vector, which no page shows, is not read."""
    if viewer_state:
        idea = _page_idea(request.user, pk)
    else:
        idea = get_object_or_404(_ideas_for(request.user), pk=pk)
    if perm != "ideas.view_idea":
        require_perm(request.user, perm, idea)
    return idea


def _ideas_for(user) -> QuerySet:
    return (
        Idea.objects.visible_to(user)
        .select_related("campaign", "stage", "moment", "author", "owner")
        .defer("search_vector")
    )


def _page_ideas(user) -> QuerySet:
    """The idea page's query: the idea with its joins, whether ``user`` supports and follows
    it, and whether it has attachments and evidence rows (own, and of each source): a page
    without them reads neither list, and the review gate asks no more."""
    return _ideas_for(user).annotate(
        is_supported=Exists(Support.objects.filter(idea=OuterRef("pk"), user=user)),
        is_following=Exists(Follow.objects.filter(idea=OuterRef("pk"), user=user)),
        has_attachments=Exists(Attachment.objects.filter(idea=OuterRef("pk"))),
        **evidence_flags(),
    )


def _page_idea_shape(user) -> tuple:
    """What the idea page's SQL depends on: the visibility rule's questions, and the
    evidence sources whose rows it asks about."""
    return (
        "ideas.page_idea",
        _is_manager(user),
        user.kind == Kind.CUSTOMER,
        _is_moderator(user),
        tuple(source.name for source in evidence_sources()),
    )


# Stand for the idea's and the viewer's ids in the idea page's compiled query.
_IDEA_ID = -8_102_334_517
_VIEWER_ID = -8_102_334_519


def _page_idea(user, pk: int) -> Idea:
    """The idea as :func:`_page_ideas` reads it, or 404: its SQL compiled once per
    connection for each shape of the visibility rule (``IdeaQuerySet.visible_to``: the
    viewer a manager, a customer, a moderator) and run as a prepared statement (building
    it cost more CPU than running it)."""
    shape = _page_idea_shape(user)

    def build() -> QuerySet:
        # The viewer with another id: the same kind and groups (the rules read their cache,
        # filled by the shape's questions), so the same rule, with a sentinel for the id.
        stand_in = copy.copy(user)
        stand_in.pk = _VIEWER_ID
        if _page_idea_shape(stand_in) != shape:
            raise RuntimeError("the stand-in viewer does not have the viewer's rule")
        return _page_ideas(stand_in).filter(pk=_IDEA_ID)

    query = compiled_objects(router.db_for_read(Idea), shape, build)
    found = query.fetch({_IDEA_ID: pk, _VIEWER_ID: user.pk})
    if not found:
        raise Http404("No Idea matches the given query.")
    return found[0]


# --- Board and export ------------------------------------------------------------------------


def _board_tab(request) -> str:
    tab = request.GET.get("tab", "all")
    return tab if tab in dict(BOARD_TABS) else "all"


def _board_filterset(request) -> IdeaFilter:
    base = board_ideas(
        request.user, tab=_board_tab(request), show_closed=request.GET.get("closed") == "1"
    )
    return IdeaFilter(request.GET or None, queryset=base, request=request)


# Long columns neither the cards nor the table show: not read for a page of the board (the
# search vector alone is a few kilobytes of text per idea).
BOARD_UNREAD = (
    "search_vector",
    "proposal",
    "outcome_note",
    "moderation_note",
    "campaign__brief",
    "moment__description",
    "author__password",
)
CARD_JOINS = ("campaign", "stage", "author")

# Query parameters that are the board's own (tab, view, closed), not the filter form's.
BOARD_PARAMS = {"page", "ordering", "tab", "view", "closed"}


@login_required
@require_GET
def board(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "ideas.view_board")
    user = request.user
    filterset = _board_filterset(request)
    # The table is for managers; the choice stays in the address (?view=table).
    table = request.GET.get("view") == "table" and user.has_perm("ideas.view_board_table")
    ideas = filterset.qs.defer(*BOARD_UNREAD)
    # The cards show the stage, campaign and author; the table also the moment and owner.
    # (Each join left out is planning time saved on every page.)
    if table:
        ideas = ideas.select_related("owner")
    else:
        ideas = ideas.select_related(None).select_related(*CARD_JOINS)
    page = paginate(request, ideas, PAGE_SIZE, paginator_class=CappedCountPaginator)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k not in BOARD_PARAMS),
        "sorts": sorts_for(user),
        "tab": _board_tab(request),
        "tabs": BOARD_TABS,
        "view": "table" if table else "cards",
        "show_closed": request.GET.get("closed") == "1",
        "customer": user.kind == Kind.CUSTOMER,
    }
    if is_partial(request, "idea-list"):
        return vary_on_htmx(render(request, "ideas/board.html#idea-list", context))
    use_select_widgets(filterset, request.user, Stage.objects.filter(journey__is_default=True))
    if context["customer"]:
        # Customers filter by what they know (campaign, status, journey stage, words), not
        # by the internal classifications.
        for name in ("innovation_type", "horizon", "has_evidence", "origin"):
            filterset.form.fields.pop(name, None)
    return vary_on_htmx(render(request, "ideas/board.html", context))


EXPORT_HEADER = [
    "id",
    "title",
    "status",
    "innovation_type",
    "type_confirmed",
    "horizon",
    "horizon_confirmed",
    "origin",
    "campaign",
    "stage",
    "moment",
    "author",
    "is_anonymous",
    "owner",
    "supports_employees",
    "supports_customers",
    "comment_count",
    "evidence_count",
    "customers_affected",
    "estimated_cost",
    "expected_value",
    "expected_revenue_generated",
    "expected_revenue_protected",
    "value_confidence",
    "non_financial",
    "kpi",
    "created_at",
]


def _money(value) -> str:
    return "" if value is None else str(value)


@login_required
@require_GET
@report_read
def export_csv(request) -> StreamingHttpResponse:
    """The filtered board as CSV, streamed row by row (managers only: it carries the staff-only
    expected value)."""
    require_perm(request.user, "ideas.export_ideas")
    ideas = _board_filterset(request).qs.select_related("owner")
    viewer = request.user
    rows = (
        [
            idea.pk,
            idea.title,
            idea.status,
            idea.innovation_type,
            "yes" if idea.type_confirmed else "no",
            idea.horizon,
            "yes" if idea.horizon_confirmed else "no",
            idea.origin,
            idea.campaign.slug if idea.campaign else "",
            idea.stage.name if idea.stage else "",
            idea.moment.name if idea.moment else "",
            idea.author_name_for(viewer),
            "yes" if idea.is_anonymous else "no",
            str(idea.owner) if idea.owner else "",
            idea.supports_employees,
            idea.supports_customers,
            idea.comment_count,
            idea.evidence_count,
            idea.customers_affected,
            _money(idea.estimated_cost),
            _money(idea.expected_value),
            _money(idea.expected_revenue_generated),
            _money(idea.expected_revenue_protected),
            idea.value_confidence,
            "yes" if idea.non_financial else "no",
            idea.kpi,
            idea.created_at.isoformat(),
        ]
        for idea in ideas.iterator(chunk_size=500)
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(f"juncture-ideas-{stamp}.csv", EXPORT_HEADER, rows)


# --- Submit and edit -------------------------------------------------------------------------


def _prefill(request, journey: JourneyChoices) -> dict:
    initial: dict = {}
    get = request.GET
    if get.get("campaign"):
        initial["campaign"] = get["campaign"]
    if get.get("stage", "").isdigit() and int(get["stage"]) in journey.stage_by_id:
        initial["stage"] = int(get["stage"])
    if get.get("moment", "").isdigit() and int(get["moment"]) in journey.moment_by_id:
        moment = journey.moment_by_id[int(get["moment"])]
        initial["moment"] = moment.pk
        initial.setdefault("stage", moment.stage_id)
    # A page elsewhere (the journey overlay's "pain without an idea") may start the idea.
    for field, limit in (("title", 160), ("customer_need", 4000)):
        if get.get(field, "").strip():
            initial[field] = get[field].strip()[:limit]
    return initial


@login_required
@limited_by("idea_submit", method="POST")
def idea_new(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "ideas.add_idea")
    journey = JourneyChoices()
    similar = None
    if request.method == "POST" and "check_similar" in request.POST:
        # Without JavaScript: "Look for similar ideas" shows the suggestions under the need
        # and keeps what was typed (not yet checked: the person has not finished).
        form = GuidedIdeaForm(user=request.user, journey=journey, initial=request.POST.dict())
        similar = _similar_ideas(request, request.POST)
        return render(
            request, "ideas/idea_form.html", {"form": form, "mode": "new", "similar": similar}
        )
    # Evidence the new idea starts with (e.g. the top verbatims of a painful moment), named
    # by a key its source made; carried from the link to the form's POST.
    evidence_from = (request.POST or request.GET).get("evidence_from", "")[:100]
    evidence_note = evidence_from_describe(evidence_from, request.user) if evidence_from else None
    if evidence_note is None:
        evidence_from = ""
    initial = _prefill(request, journey)
    if evidence_note:
        # The "how we know" step starts from what will be attached; the person may edit it.
        initial.setdefault("evidence_summary", evidence_note)
    form = GuidedIdeaForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        journey=journey,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        draft = "save_draft" in request.POST
        try:
            idea = services.idea_submit_with_evidence(
                author=request.user,
                draft=draft,
                files=form.cleaned_data.get("attachments") or [],
                evidence=form.evidence_kwargs(),
                evidence_from=evidence_from,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if idea.moderation == Moderation.HELD:
                messages.warning(request, HELD_IDEA)
            else:
                messages.success(
                    request,
                    "Draft saved: only you can see it until you submit it."
                    if draft
                    else "Thank you: your idea is submitted. You will hear about every step.",
                )
            return redirect("ideas:detail", pk=idea.pk)
    status = 400 if form.errors else 200
    if form.errors:
        similar = _similar_ideas(request, request.POST)
    context = {
        "form": form,
        "mode": "new",
        "similar": similar,
        "evidence_from": evidence_from,
        "evidence_note": evidence_note,
    }
    return render(request, "ideas/idea_form.html", context, status=status)


@login_required
def idea_edit(request, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk, "ideas.change_idea")
    journey = JourneyChoices()
    initial = {
        "title": idea.title,
        "customer_need": idea.customer_need,
        "proposal": idea.proposal,
        "innovation_type": idea.innovation_type,
        "horizon": idea.horizon,
        "campaign": idea.campaign.slug if idea.campaign else "",
        "stage": idea.stage_id,
        "moment": idea.moment_id,
        "is_anonymous": idea.is_anonymous,
        "estimated_cost": idea.estimated_cost,
        "expected_value": idea.expected_value,
    }
    form = IdeaForm(
        request.POST or None,
        user=idea.author,
        journey=journey,
        with_files=False,
        initial=initial,
    )
    if idea.campaign_id and idea.campaign not in form.fields["campaign"].queryset:
        # Keep the current (perhaps now closed) campaign selectable.
        form.fields["campaign"].queryset = form.fields[
            "campaign"
        ].queryset | Campaign.objects.filter(pk=idea.campaign_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(idea=idea, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("ideas:detail", pk=idea.pk)
    status = 400 if form.errors else 200
    return render(
        request, "ideas/idea_form.html", {"form": form, "mode": "edit", "idea": idea}, status=status
    )


def _similar_ideas(request, data) -> list[Idea]:
    """Possible duplicates of the title (or else the need) in ``data``, among the ideas the
    person may see."""
    title = data.get("title", "").strip()
    text = data.get("q", "").strip() or (
        title if len(title) >= 3 else data.get("customer_need", "").strip()
    )
    return search.similar_to(Idea.objects.visible_to(request.user), text, limit=5)


@login_required
@require_GET
def similar(request: HtmxHttpRequest) -> HttpResponse:
    """Possible duplicates of what is being typed (the htmx partial under title/need)."""
    ideas = _similar_ideas(request, request.GET)
    return vary_on_htmx(render(request, "ideas/idea_form.html#similar-ideas", {"similar": ideas}))


# --- The idea page ---------------------------------------------------------------------------


def _idea_page_context(
    request,
    idea: Idea,
    *,
    full: bool = True,
    comment_form: CommentForm | None = None,
    attachment_form: AttachmentForm | None = None,
    evidence_form: EvidenceForm | None = None,
    confirm_form: ConfirmTypeForm | None = None,
    value_form: ExpectedValueForm | None = None,
) -> dict:
    """The one builder of the idea page's context, for the page and for its re-render after a
    failed comment, upload or form (pass the bound form with its errors). ``full=False`` leaves
    out what only the whole page shows, for the htmx partials (comments, support, follow,
    evidence)."""
    user = request.user
    if comment_form is None:
        comment_form = CommentForm(can_internal=user.has_perm("ideas.add_internal_comment"))
    if evidence_form is None:
        evidence_form = EvidenceForm(customer=user.kind == Kind.CUSTOMER)
    context = {
        "idea": idea,
        "idea_urls": IdeaUrls(idea.pk),
        "author_name": idea.author_name_for(user),
        # Loaded with the idea for the page (``viewer_state``); asked after an action.
        "supported": idea.is_supported
        if hasattr(idea, "is_supported")
        else Support.objects.filter(idea=idea, user=user).exists(),
        "following": idea.is_following
        if hasattr(idea, "is_following")
        else Follow.objects.filter(idea=idea, user=user).exists(),
        # A callable: read where the page or the comments partial lists them, not for the
        # other partials.
        "comments": lambda: page_comments(idea, user),
        "comment_form": comment_form,
        "flag_form": FlagForm(prefix="flag"),
        # Lazy: read only where the page or the evidence partial lists it (and not at all
        # when the idea has no evidence).
        "evidence": evidence_visible(idea=idea, user=user) if idea.evidence_count else [],
        "evidence_form": evidence_form,
        # Evidence other apps hold (linked feedback), as panels of the evidence section.
        # A callable: the template calls it only where it shows the section.
        "evidence_panels": lambda: evidence_panels(idea=idea, user=user),
    }
    if not full:
        return context
    _merged_into(idea)
    context.update(
        transitions=page_transitions(idea),
        # An empty list, not an empty queryset, when the idea's query says it has none (the
        # template's truth test of a queryset builds its SQL even when it has no rows to ask).
        attachments=idea.attachments.all() if getattr(idea, "has_attachments", True) else [],
        attachment_form=AttachmentForm() if attachment_form is None else attachment_form,
    )
    if user.has_perm("ideas.transition_idea", idea):
        # Every move the graph allows, asked of its gates now: the side panel offers the
        # ones that can succeed and says, with a link, what the others are missing.
        context["moves"] = moves_for(idea, user)
        context["owner_form"] = OwnerForm(
            initial={"owner": idea.owner.email if idea.owner else ""},
            candidates=OwnerForm.candidates_for(idea),
        )
        context["merge_form"] = MergeForm()
    if user.has_perm("ideas.confirm_type", idea):
        context["confirm_form"] = confirm_form or ConfirmTypeForm(
            initial={"innovation_type": idea.innovation_type, "horizon": idea.horizon}
        )
    if user.has_perm("ideas.set_expected_value", idea):
        context["value_form"] = value_form or ExpectedValueForm(
            initial={
                "expected_revenue_generated": idea.expected_revenue_generated,
                "expected_revenue_protected": idea.expected_revenue_protected,
                "value_confidence": idea.value_confidence,
                "non_financial": idea.non_financial,
                "kpi": idea.kpi,
            }
        )
    return context


def _merged_into(idea: Idea) -> None:
    """Load the idea ``idea`` was merged into, with the campaign its visibility rule reads
    (one query, merged ideas only)."""
    if idea.merged_into_id is not None:
        target = (
            Idea.objects.select_related("campaign")
            .defer("search_vector")
            .filter(pk=idea.merged_into_id)
            .first()
        )
        if target is not None:
            idea.merged_into = target


@login_required
@require_GET
def idea_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk, viewer_state=True)
    if is_partial(request, "comments"):
        context = _idea_page_context(request, idea, full=False)
        return vary_on_htmx(render(request, "ideas/idea_detail.html#comments", context))
    return vary_on_htmx(
        render(request, "ideas/idea_detail.html", _idea_page_context(request, idea))
    )


REFRESHED = [
    "status",
    "supports_employees",
    "supports_customers",
    "comment_count",
    "evidence_count",
    "customers_affected",
]


def _back_to(request, idea: Idea, partial: str) -> HttpResponse:
    if is_partial(request, partial):
        # Only what the action changed: the joined author, campaign, ... stay loaded.
        idea.refresh_from_db(fields=REFRESHED)
        context = _idea_page_context(request, idea, full=False)
        return vary_on_htmx(render(request, f"ideas/idea_detail.html#{partial}", context))
    return redirect("ideas:detail", pk=idea.pk)


@login_required
@require_POST
@limited_by("support")
def support(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """``action=add`` or ``remove`` (an explicit intent, so a double click does the same thing
    twice instead of undoing itself)."""
    idea = _get_idea_for_user(request, pk)
    try:
        if request.POST.get("action") == "remove":
            engagement.support_remove(idea=idea, user=request.user)
        else:
            engagement.support_add(idea=idea, user=request.user)
    except PermissionDenied:
        messages.error(request, "You cannot support this idea.")
        if is_partial(request, "support") or is_partial(request, f"card-support-{idea.pk}"):
            return HttpResponseClientRedirect(reverse("ideas:detail", args=[idea.pk]))
        return redirect("ideas:detail", pk=idea.pk)
    if is_partial(request, f"card-support-{idea.pk}"):
        # The support button of a board card: the card's own footer, nothing else.
        idea.refresh_from_db(fields=REFRESHED)
        idea.is_supported = request.POST.get("action") != "remove"
        return vary_on_htmx(render(request, "ideas/board.html#card-support", {"idea": idea}))
    if request.POST.get("instead"):
        # "Support this instead" from the new-idea form: the draft was never saved, so
        # discarding it is not saving it; the person lands on the idea they chose.
        messages.success(
            request,
            f"You support “{idea.title}” instead; your draft was discarded.",
        )
        return redirect("ideas:detail", pk=idea.pk)
    if request.POST.get("next") == "board":
        # Without JavaScript a card's button comes back to the same board: ``back`` is the
        # board's query string (appended to the board's own path, so it cannot leave it).
        back = request.POST.get("back", "").lstrip("?")
        return redirect(reverse("ideas:board") + (f"?{back}" if back else "") + f"#idea-{idea.pk}")
    return _back_to(request, idea, "support")


@login_required
@require_POST
def follow(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk, "ideas.follow_idea")
    engagement.follow_set(
        idea=idea, user=request.user, following=request.POST.get("action") != "unfollow"
    )
    return _back_to(request, idea, "follow")


@login_required
@limited_by("comment")
def comments(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk)
    if request.method != "POST":
        return redirect(reverse("ideas:detail", args=[idea.pk]) + "#comments")
    user = request.user
    form = CommentForm(request.POST, can_internal=user.has_perm("ideas.add_internal_comment"))
    comment = None
    if form.is_valid():
        try:
            comment = engagement.comment_add(
                idea=idea,
                author=user,
                body=form.cleaned_data["body"],
                is_internal=form.cleaned_data.get("is_internal", False),
            )
        except PermissionDenied:
            form.add_error(None, "You cannot comment on this idea.")
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        partial = is_partial(request, "comments")
        context = _idea_page_context(request, idea, full=not partial, comment_form=form)
        template = "ideas/idea_detail.html#comments" if partial else "ideas/idea_detail.html"
        return vary_on_htmx(render(request, template, context, status=400))
    if not is_partial(request, "comments"):
        if comment is not None and comment.moderation == Moderation.HELD:
            messages.warning(request, HELD_COMMENT)
        else:
            messages.success(request, "Your comment is posted.")
    return _back_to(request, idea, "comments")


@login_required
@require_POST
def comment_hide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("idea__campaign"), pk=pk)
    if not comment.idea.is_visible_to(request.user):
        raise Http404
    require_perm(request.user, "ideas.moderate", comment)
    engagement.comment_hide(
        comment=comment, actor=request.user, hidden=request.POST.get("action") != "show"
    )
    return _back_to(request, comment.idea, "comments")


@login_required
@require_POST
def transition(request, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk)
    to = request.POST.get("to", "")
    user = request.user
    own_draft = to == Status.SUBMITTED and user.has_perm("ideas.submit_draft", idea)
    if not (own_draft or user.has_perm("ideas.transition_idea", idea)):
        raise PermissionDenied
    try:
        services.idea_transition(
            idea=idea,
            to=to,
            actor=user,
            reason=request.POST.get("reason", "").strip(),
            internal_note=request.POST.get("internal_note", "").strip(),
            override=request.POST.get("override") == "on",
        )
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The idea is now {Status(to).label.lower()}.")
    return redirect("ideas:detail", pk=idea.pk)


@login_required
@require_POST
def set_owner(request, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk, "ideas.set_owner")
    form = OwnerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an employee as the accountable owner.")
        return redirect("ideas:detail", pk=idea.pk)
    try:
        services.idea_set_owner(idea=idea, owner=form.cleaned_data["owner"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        owner = form.cleaned_data["owner"]
        messages.success(
            request, f"{owner} is accountable for this idea." if owner else "Owner removed."
        )
    return redirect("ideas:detail", pk=idea.pk)


@login_required
@require_POST
def merge(request, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk, "ideas.merge_idea")
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the number of the idea to merge into.")
        return redirect("ideas:detail", pk=idea.pk)
    target = Idea.objects.filter(pk=form.cleaned_data["target"]).first()
    if target is None:
        messages.error(request, f"There is no idea number {form.cleaned_data['target']}.")
        return redirect("ideas:detail", pk=idea.pk)
    try:
        services.idea_merge(
            source=idea, target=target, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, TransitionError) as exc:
        messages.error(
            request, exc.message if isinstance(exc, TransitionError) else " ".join(exc.messages)
        )
        return redirect("ideas:detail", pk=idea.pk)
    messages.success(request, f"Merged into “{target.title}”.")
    return redirect("ideas:detail", pk=target.pk)


@login_required
@require_POST
def confirm_type(request, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk, "ideas.confirm_type")
    form = ConfirmTypeForm(request.POST)
    if form.is_valid():
        try:
            services.idea_confirm_type(idea=idea, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        context = _idea_page_context(request, idea, confirm_form=form)
        return render(request, "ideas/idea_detail.html", context, status=400)
    messages.success(request, "Type and horizon confirmed.")
    return redirect("ideas:detail", pk=idea.pk)


@login_required
@require_POST
def expected_value(request, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk, "ideas.set_expected_value")
    form = ExpectedValueForm(request.POST)
    if form.is_valid():
        try:
            services.idea_set_expected_value(idea=idea, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        context = _idea_page_context(request, idea, value_form=form)
        return render(request, "ideas/idea_detail.html", context, status=400)
    messages.success(request, "The expected value is saved.")
    return redirect("ideas:detail", pk=idea.pk)


# --- Evidence ------------------------------------------------------------------------------


@login_required
@require_POST
def evidence_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Add evidence from the idea page: the htmx form swaps the evidence region; without
    JavaScript the page is reloaded (or re-rendered with the errors)."""
    idea = _get_idea_for_user(request, pk, "ideas.add_evidence")
    user = request.user
    form = EvidenceForm(request.POST, request.FILES, customer=user.kind == Kind.CUSTOMER)
    if form.is_valid():
        try:
            evidence_add_service(idea=idea, added_by=user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
    partial = is_partial(request, "evidence")
    if form.errors:
        context = _idea_page_context(request, idea, full=not partial, evidence_form=form)
        template = "ideas/idea_detail.html#evidence" if partial else "ideas/idea_detail.html"
        return vary_on_htmx(render(request, template, context, status=400))
    if not partial:
        messages.success(request, "Thank you: the evidence is added.")
    return _back_to(request, idea, "evidence")


@login_required
@require_GET
def evidence_file(request, pk: int) -> FileResponse:
    """An evidence file, to whoever may read that evidence; always as a download."""
    evidence = get_object_or_404(Evidence.objects.select_related("idea__campaign"), pk=pk)
    if not evidence.attachment or not request.user.has_perm("ideas.view_evidence_file", evidence):
        raise Http404
    try:
        handle = evidence.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.attachment_name,
        content_type=evidence.attachment_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Attachments ---------------------------------------------------------------------------


@login_required
@require_POST
@limited_by("attachment")
def attachment_add(request, pk: int) -> HttpResponse:
    idea = _get_idea_for_user(request, pk, "ideas.add_attachment")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                idea=idea, uploaded_by=request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        context = _idea_page_context(request, idea, attachment_form=form)
        return render(request, "ideas/idea_detail.html", context, status=400)
    messages.success(request, "The file is attached.")
    return redirect("ideas:detail", pk=idea.pk)


@login_required
@require_GET
def attachment_download(request, pk: int) -> FileResponse:
    """Files leave only through here: the idea must be visible to the user. Always sent as a
    download (Content-Disposition: attachment) with the type we checked, never inline."""
    attachment = get_object_or_404(Attachment.objects.select_related("idea__campaign"), pk=pk)
    if not request.user.has_perm("ideas.view_attachment", attachment):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Campaigns -----------------------------------------------------------------------------


@login_required
@require_GET
def campaigns(request) -> HttpResponse:
    rows = list(Campaign.objects.visible_to(request.user).with_counts().order_by("-opens_at"))
    now = timezone.now()
    return render(
        request,
        "ideas/campaigns.html",
        {
            "open_campaigns": [c for c in rows if c.is_open(now)],
            "other_campaigns": [c for c in rows if not c.is_open(now)],
            "now": now,
        },
    )


@login_required
@require_GET
def campaign_detail(request, slug: str) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("owner"), slug=slug
    )
    ideas = Idea.objects.visible_to(request.user).filter(campaign=campaign)
    by_status = dict(
        ideas.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    labels = dict(Status.choices)
    return render(
        request,
        "ideas/campaign_detail.html",
        {
            "campaign": campaign,
            "accepts": campaign.accepts(request.user),
            "status_counts": [(labels[s], by_status[s]) for s in Status.values if s in by_status],
            "total": sum(by_status.values()),
            "ideas": ideas.for_list().order_by("-created_at")[:20],
            "stages": campaign.target_stages.all(),
        },
    )


@login_required
def campaign_form(request, slug: str | None = None) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug) if slug else None
    require_perm(request.user, "ideas.manage_campaigns", campaign)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "target_stages"}
        try:
            if campaign is None:
                campaign = campaign_services.campaign_create(
                    actor=request.user, target_stages=form.cleaned_data["target_stages"], **fields
                )
            else:
                campaign = campaign_services.campaign_update(
                    campaign=campaign,
                    actor=request.user,
                    target_stages=form.cleaned_data["target_stages"],
                    **fields,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Campaign “{campaign.title}” saved.")
            return redirect("ideas:campaign", slug=campaign.slug)
    return render(
        request,
        "ideas/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


# --- Notifications -------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request) -> HttpResponse:
    qs = Notification.objects.filter(user=request.user).select_related("idea")
    page = paginate(request, qs, 30)
    return render(request, "ideas/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    notifications_mark_read(user=request.user, ids=ids)
    return redirect("ideas:notifications")

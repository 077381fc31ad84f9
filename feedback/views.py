"""HTML views of the feedback app (htmx-enhanced; every action also works as a plain form)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import Conflict
from core.web import (
    HtmxHttpRequest,
    add_service_errors,
    csv_response,
    is_partial,
    paginate,
    require_perm,
    vary_on_htmx,
)
from feedback import selectors, services
from feedback.forms import FeedbackFilterForm, MappingForm, UploadForm
from feedback.importer import ImportFileError
from feedback.models import BatchStatus, FeedbackItem, FeedbackLink, ImportBatch
from ideas import search as idea_search
from ideas.models import Idea
from journeys.models import Journey, Moment, Stage

PAGE_SIZE = 25
PLACEMENT_PAGE = 50
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most ``COUNT_CAP`` + 1 items (``SELECT COUNT(*) FROM (… LIMIT n)``): at a
    million items an exact count of a common word visits every match (about a second),
    while the page itself takes milliseconds. The list then says "more than 10,000"; the
    pages past the cap are not offered (a search narrows it down)."""

    capped = False

    @cached_property
    def count(self) -> int:
        n = self.object_list[: COUNT_CAP + 1].count()
        self.capped = n > COUNT_CAP
        return min(n, COUNT_CAP)


class UncountedPage:
    """A page of a full-text search without its total. Counting the matches of a common
    word at a million items takes 0.4-0.7 s even capped at 10,001 (each match is read back
    from the table to recheck it), while the page itself takes milliseconds; so a search
    reads one row more than the page and offers "Next" when it is there."""

    uncounted = True
    MAX_PAGE = 1_000_000

    def __init__(self, object_list, number: str | None, per_page: int):
        try:
            # Bounded: a page past every match is simply empty, but an offset beyond
            # PostgreSQL's bigint would be a database error.
            self.number = min(max(1, int(number or 1)), self.MAX_PAGE)
        except ValueError:
            self.number = 1
        offset = (self.number - 1) * per_page
        rows = list(object_list[offset : offset + per_page + 1])
        self.object_list = rows[:per_page]
        self._more = len(rows) > per_page
        self.start_index = offset + 1
        self.end_index = offset + len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self._more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _get_item(request, pk: int) -> FeedbackItem:
    """The one access helper for an item page or action (403 for non-staff)."""
    require_perm(request.user, "feedback.view_feedback")
    return get_object_or_404(FeedbackItem.objects.select_related("stage", "moment"), pk=pk)


def _get_batch(request, pk: int) -> ImportBatch:
    require_perm(request.user, "feedback.import_feedback")
    return get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)


def _default_stages():
    return Stage.objects.of_default_journey()


# --- Feedback list ---------------------------------------------------------------------------


@login_required
@require_GET
def item_list(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "feedback.view_feedback")
    partial = is_partial(request, "feedback-list")
    form = FeedbackFilterForm(request.GET or None, stages=[] if partial else _default_stages())
    items = form.apply(FeedbackItem.objects.for_list())
    if form.is_bound and form.is_valid() and form.cleaned_data.get("q", "").strip():
        page = UncountedPage(items, request.GET.get("page"), PAGE_SIZE)
    else:
        page = paginate(request, items, PAGE_SIZE, paginator_class=CappedCountPaginator)
    context = {
        "form": form,
        "page": page,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    if partial:
        return vary_on_htmx(render(request, "feedback/item_list.html#feedback-list", context))
    context["journey_id"] = (
        Journey.objects.filter(is_default=True).values_list("pk", flat=True).first()
    )
    return vary_on_htmx(render(request, "feedback/item_list.html", context))


# --- Imports ---------------------------------------------------------------------------------


@login_required
def import_new(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "feedback.import_feedback")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                file=form.cleaned_data["file"],
                default_source=form.cleaned_data["default_source"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("feedback:import_mapping", pk=batch.pk)
    batches = ImportBatch.objects.select_related("created_by")[:10]
    status = 400 if form.errors else 200
    return render(
        request, "feedback/import_new.html", {"form": form, "batches": batches}, status=status
    )


@login_required
def import_mapping(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Map the file's columns to fields, preview the first rows, start the import."""
    batch = _get_batch(request, pk)
    if batch.status != BatchStatus.MAPPING:
        return redirect("feedback:import_detail", pk=batch.pk)
    try:
        header = services.batch_header(batch)
    except ImportFileError as exc:
        raise Http404(str(exc)) from None
    initial = {f"map_{f}": c for f, c in batch.mapping.items()}
    initial["default_source"] = batch.default_source
    form = MappingForm(request.POST or None, header=header, initial=initial)
    mapping, default_source = batch.mapping, batch.default_source
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        default_source = form.cleaned_data["default_source"]
        if "start" in request.POST:
            try:
                services.batch_start(
                    batch=batch, mapping=mapping, default_source=default_source, actor=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("feedback:import_detail", pk=batch.pk)
            else:
                return redirect("feedback:import_detail", pk=batch.pk)
    context = {
        "batch": batch,
        "form": form,
        "preview": services.batch_preview(
            batch, {f: c for f, c in mapping.items() if c}, default_source
        ),
    }
    if is_partial(request, "import-preview"):
        return vary_on_htmx(render(request, "feedback/import_mapping.html#import-preview", context))
    status = 400 if form.errors else 200
    return vary_on_htmx(render(request, "feedback/import_mapping.html", context, status=status))


@login_required
@require_GET
def import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The import report; while it runs, the progress region polls itself (every second)."""
    batch = _get_batch(request, pk)
    context = {"batch": batch}
    if is_partial(request, "batch-progress"):
        return vary_on_htmx(render(request, "feedback/import_detail.html#batch-progress", context))
    context["rejections"] = batch.rejections.all()[:20]
    return vary_on_htmx(render(request, "feedback/import_detail.html", context))


@login_required
@require_GET
def import_rejected_csv(request, pk: int):
    batch = _get_batch(request, pk)
    columns = batch.header
    rejections = batch.rejections.order_by("row_number").iterator(chunk_size=1000)

    def rows():
        for r in rejections:
            yield [r.row_number, r.reasons, *r.data]

    return csv_response(f"import-{batch.pk}-rejected.csv", ["row", "reasons", *columns], rows())


# --- Placement -------------------------------------------------------------------------------


@login_required
def placements(request: HtmxHttpRequest) -> HttpResponse:
    """Items with a suggested place: confirm the suggestions, or correct them, in bulk."""
    require_perm(request.user, "feedback.curate_feedback")
    if request.method == "POST":
        choices: dict[int, int | None] = {}
        for raw in request.POST.getlist("item"):
            if raw.isdigit():
                moment = request.POST.get(f"moment-{raw}", "")
                choices[int(raw)] = int(moment) if moment.isdigit() else None
        try:
            changed = services.placements_confirm(choices=choices, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{changed} item{'s' if changed != 1 else ''} updated.")
        return redirect(request.get_full_path())
    items = (
        FeedbackItem.objects.unplaced()
        .filter(suggested_moment__isnull=False)
        .select_related("suggested_moment__stage")
        .order_by("-received_on", "-id")
    )
    page = paginate(request, items, PLACEMENT_PAGE)
    moments = Moment.objects.filter(stage__journey__is_default=True).select_related("stage")
    moments = sorted(moments, key=lambda m: (m.stage.order, m.name))
    return render(request, "feedback/placements.html", {"page": page, "moments": moments})


# --- One item, links to ideas ----------------------------------------------------------------


@login_required
@require_GET
def item_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = _get_item(request, pk)
    q = request.GET.get("q", "").strip()
    visible = Idea.objects.visible_to(request.user)
    context = {
        "item": item,
        "links": FeedbackLink.objects.filter(item=item).select_related("idea", "linked_by"),
        "q": q,
        "choices": (
            list(idea_search.search(visible, q).select_related("campaign")[:10])
            if q
            else idea_search.similar_to(visible, item.text[:300], limit=5)
        ),
    }
    if is_partial(request, "idea-search"):
        return vary_on_htmx(render(request, "feedback/item_detail.html#idea-search", context))
    return vary_on_htmx(render(request, "feedback/item_detail.html", context))


@login_required
@require_POST
def link(request, pk: int) -> HttpResponse:
    item = _get_item(request, pk)
    require_perm(request.user, "feedback.link_feedback", item)
    idea_id = request.POST.get("idea", "")
    idea = get_object_or_404(
        Idea.objects.visible_to(request.user).select_related("campaign"),
        pk=int(idea_id) if idea_id.isdigit() else 0,
    )
    services.link_create(item=item, idea=idea, actor=request.user)
    messages.success(request, f"Linked to “{idea.title}”.")
    return redirect("feedback:detail", pk=item.pk)


@login_required
@require_POST
def unlink(request, pk: int, idea_id: int) -> HttpResponse:
    item = _get_item(request, pk)
    link = get_object_or_404(FeedbackLink, item=item, idea_id=idea_id)
    require_perm(request.user, "feedback.unlink_feedback", link)
    services.link_delete(item=item, idea_id=idea_id, actor=request.user)
    messages.success(request, "Link removed.")
    return redirect("feedback:detail", pk=item.pk)


@login_required
@require_GET
def idea_feedback(request: HtmxHttpRequest, idea_id: int) -> HttpResponse:
    """The feedback linked to one idea (staff only); the idea page includes the
    ``#linked-feedback`` region."""
    require_perm(request.user, "feedback.view_feedback")
    idea = get_object_or_404(Idea.objects.visible_to(request.user), pk=idea_id)
    context = {
        "idea": idea,
        "items": selectors.linked_items(idea)[:50],
        "customers_affected": selectors.customers_affected(idea),
    }
    if is_partial(request, "linked-feedback"):
        return vary_on_htmx(render(request, "feedback/idea_feedback.html#linked-feedback", context))
    return vary_on_htmx(render(request, "feedback/idea_feedback.html", context))


# --- Single customer view, erasure -----------------------------------------------------------


@login_required
@require_GET
def customer(request, ref: str) -> HttpResponse:
    require_perm(request.user, "feedback.view_customer")
    items = list(selectors.customer_items(ref)[:500])
    if not items:
        raise Http404("No feedback from this customer.")
    ideas = Idea.objects.visible_to(request.user).filter(
        pk__in={link.idea_id for item in items for link in item.links.all()}
    )
    return render(
        request, "feedback/customer.html", {"ref": ref, "items": items, "ideas": list(ideas)}
    )


@login_required
@require_POST
def customer_delete(request, ref: str) -> HttpResponse:
    require_perm(request.user, "feedback.delete_customer")
    count = services.customer_delete(customer_ref=ref, actor=request.user)
    messages.success(request, f"Deleted {count} item{'s' if count != 1 else ''} of this customer.")
    return redirect("feedback:list")


# --- Journey overlay -------------------------------------------------------------------------

PERIODS = (30, 90, 180, 365)


@login_required
@require_GET
def journey_overlay(request, journey_id: int) -> HttpResponse:
    require_perm(request.user, "feedback.view_feedback")
    journey = get_object_or_404(Journey, pk=journey_id)
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 90
    days = days if days in PERIODS else 90
    overlay = selectors.journey_overlay(journey, days=days)
    for pain in overlay["pain"]:
        moment = pain["moment"]
        # The idea form, pre-filled: the place, the need in the feedback's numbers, and the
        # moment's top verbatims to attach as evidence when the idea is submitted.
        pain["idea_url"] = (
            reverse("ideas:new")
            + "?"
            + urlencode(
                {
                    "stage": moment.stage_id,
                    "moment": moment.pk,
                    "customer_need": (
                        f"Customers feel pain at “{moment.name}” ({moment.stage.name}): "
                        f"{pain['negative']} negative feedback item"
                        f"{'s' if pain['negative'] != 1 else ''} of {pain['volume']} in the "
                        f"last {days} days."
                    ),
                    "evidence_from": selectors.pain_key(moment.pk, days),
                }
            )
        )
    stages = list(Stage.objects.of_journey(journey).prefetch_related("moments"))
    rows = []
    for stage in stages:
        rows.append(
            {
                "stage": stage,
                "cell": overlay["stages"].get(stage.pk),
                "moments": [
                    {"moment": m, "cell": overlay["moments"].get(m.pk)}
                    for m in sorted(stage.moments.all(), key=lambda m: (-m.severity, m.name))
                ],
            }
        )
    return render(
        request,
        "feedback/journey_overlay.html",
        {"journey": journey, "rows": rows, "overlay": overlay, "periods": PERIODS, "days": days},
    )

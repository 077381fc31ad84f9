"""HTML views of moderation: the moderators' queue at ``/moderation/`` (URL namespace
``moderation``, ``ideas/moderation_urls.py``) and the readers' flag forms on the idea page.
Each row action is an htmx swap of its row and works as a plain form too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.throttle import limited_by
from core.exceptions import Conflict
from core.web import HtmxHttpRequest, is_partial, paginate, require_perm, vary_on_htmx
from ideas import moderation
from ideas.forms import DecisionForm, FlagForm
from ideas.models import Comment, Decision, Idea, ModerationCase

PAGE_SIZE = 20

DONE = {
    Decision.APPROVED: "Approved: it is published.",
    Decision.REJECTED: "Rejected: the author is told why.",
    Decision.HIDDEN: "Hidden from everyone but its author and the moderators.",
}


@login_required
@require_GET
def queue(request: HtmxHttpRequest) -> HttpResponse:
    """Held and flagged ideas and comments, oldest first."""
    require_perm(request.user, "ideas.moderate")
    page = paginate(request, moderation.open_cases(), PAGE_SIZE)
    return render(request, "ideas/moderation_queue.html", {"page": page})


@login_required
@require_POST
def decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Approve, reject (with a reason for the author) or hide one case. htmx swaps the row
    (``#case-<id>``) with the outcome or the error; without JavaScript, back to the queue
    with a message."""
    require_perm(request.user, "ideas.moderate")
    case = get_object_or_404(ModerationCase, pk=pk)
    form = DecisionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            moderation.case_decide(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except Conflict as exc:
            error = exc.message
    else:
        error = "Choose approve, reject or hide; a rejection needs a reason."
    if is_partial(request, f"case-{pk}"):
        row = ModerationCase.objects.select_related(
            "idea__author", "idea__campaign", "comment__author", "closed_by"
        )
        context = {
            "case": get_object_or_404(row, pk=pk),
            "error": error,
            "done": "" if error else DONE[form.cleaned_data["decision"]],
        }
        return vary_on_htmx(render(request, "ideas/moderation_queue.html#case-row", context))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, DONE[form.cleaned_data["decision"]])
    return redirect(request.POST.get("next") or reverse("moderation:queue"))


def _flag(request, content: Idea | Comment, idea: Idea) -> HttpResponse:
    form = FlagForm(request.POST, prefix="flag")
    if not form.is_valid():
        messages.error(request, "Say what is wrong with it (up to 500 characters).")
    else:
        try:
            moderation.flag_add(
                user=request.user, content=content, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            messages.error(request, "You cannot flag this.")
        except (ValidationError, Conflict) as exc:
            messages.error(
                request, exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
            )
        else:
            messages.success(request, "Thank you: a moderator will look at it.")
    return redirect("ideas:detail", pk=idea.pk)


@login_required
@require_POST
@limited_by("comment")
def flag_idea(request, pk: int) -> HttpResponse:
    idea = get_object_or_404(
        Idea.objects.visible_to(request.user).select_related("campaign"), pk=pk
    )
    require_perm(request.user, "ideas.flag_content", idea)
    return _flag(request, idea, idea)


@login_required
@require_POST
@limited_by("comment")
def flag_comment(request, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("idea__campaign"), pk=pk)
    if not comment.idea.is_visible_to(request.user):
        raise Http404
    require_perm(request.user, "ideas.flag_content", comment)
    return _flag(request, comment, comment.idea)

"""The idea page's repeated rows (comments, timeline) written in Python.

Each row is a dozen template tags, a permission and two URLs; rendered by the template they
were the largest part of an idea page's CPU after its queries. These functions write exactly
the markup the template wrote (the page's HTML did not change), with the same permission
checked per row by name: who may flag a comment, who may see who moved an idea, the
internal notes for staff only, the anonymous author's name hidden.
"""

from __future__ import annotations

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core.templatetags.juncture import datetime_short, icon
from ideas.models import Moderation

# Stands for a row's id in a URL reversed once per page, then filled in per row (reversing
# is ~0.1 ms; a page of comments needs two URLs per comment).
_PK = 918_273_645


def _url_pattern(name: str) -> str:
    return reverse(name, args=[_PK])


# The routes of the idea page's links and forms that take the idea's id.
_ROUTES = {
    "support": "ideas:support",
    "edit": "ideas:edit",
    "transition": "ideas:transition",
    "evidence_add": "ideas:evidence_add",
    "attachment_add": "ideas:attachment_add",
    "comments": "ideas:comments",
    "follow": "ideas:follow",
    "flag": "ideas:flag",
    "owner": "ideas:owner",
    "expected_value": "ideas:expected_value",
    "confirm_type": "ideas:confirm_type",
    "merge": "ideas:merge",
    # Another app's pages: "" when it is not installed (as ``{% url ... as var %}``).
    "experiments": "outcomes:idea_experiments",
    "value": "outcomes:value",
}
_patterns: dict[tuple, str] = {}


def _route_pattern(route: str) -> str:
    """``route`` reversed with :data:`_PK` for its id, once per process for each URL
    configuration and script prefix (the URL patterns do not change while it runs)."""
    key = (route, get_urlconf(), get_script_prefix())
    found = _patterns.get(key)
    if found is None:
        try:
            found = _url_pattern(route)
        except NoReverseMatch:
            found = ""
        _patterns[key] = found
    return found


class IdeaUrls:
    """``{{ idea_urls.support }}``: the URL ``{% url 'ideas:support' idea.pk %}`` gives, for
    each route of :data:`_ROUTES`, reversed once per process and filled in with the idea's
    id (an idea page names a dozen of them; reversing one costs about 0.1 ms)."""

    def __init__(self, pk: int) -> None:
        self._pk = str(pk)

    def __getattr__(self, name: str) -> str:
        route = _ROUTES.get(name)
        if route is None:
            raise AttributeError(name)
        url = _route_pattern(route).replace(str(_PK), self._pk)
        self.__dict__[name] = url
        return url


def _csrf_input(context) -> str:
    """``{% csrf_token %}``."""
    token = context.get("csrf_token")
    if token and token != "NOTPROVIDED":
        return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    return ""


_MODERATION_CSS = {Moderation.PUBLISHED: "", Moderation.HIDDEN: " comments-hidden"}
_MODERATION_BADGE = {
    Moderation.HIDDEN: '<span class="badge bad">Hidden by a moderator</span>\n              ',
    Moderation.HELD: '<span class="badge warn" data-testid="comment-held">Held for review</span>'
    "\n              ",
    Moderation.REJECTED: '<span class="badge bad">Not published</span>',
}
_HELD_NOTE = (
    '<p class="muted comments-note">Only you and the moderators see this comment until a '
    "moderator publishes it.</p>\n            "
)


def comment_items(context, idea, comments, user, can_moderate: bool) -> SafeString:
    """The comments section's list: each comment ``user`` reads, with its badges, and the
    flag form (``ideas.flag_content`` on that comment) and the moderator's hide/show form;
    "No comments yet." when there are none."""
    escape = conditional_escape
    csrf = _csrf_input(context)
    flag_url = hide_url = ""
    flag_icon = icon("flag")
    out = []
    for comment in comments:
        pk = str(comment.pk)
        moderation = comment.moderation
        css = (" comments-internal" if comment.is_internal else "") + _MODERATION_CSS.get(
            moderation, " comments-held"
        )
        if moderation == Moderation.HELD:
            note = _HELD_NOTE
        elif moderation == Moderation.REJECTED:
            note = (
                '<p class="muted comments-note" data-testid="comment-rejected">A moderator did '
                f"not publish this comment. Reason: {escape(comment.moderation_note)}</p>"
            )
        else:
            note = ""
        flag = ""
        if user.has_perm("ideas.flag_content", comment):
            flag_url = flag_url or _route_pattern("ideas:comment_flag")
            flag = (
                '\n            <details class="flag-form">\n'
                f"              <summary>{flag_icon}Flag</summary>\n"
                f'              <form method="post" action="{flag_url.replace(str(_PK), pk)}">\n'
                f"                {csrf}\n"
                f'                <div class="field"><label for="flag-reason-{pk}">What is wrong '
                "with it?</label>\n"
                f'                  <textarea name="flag-reason" id="flag-reason-{pk}" rows="2" '
                'maxlength="500" required></textarea></div>\n'
                '                <button type="submit" class="small">Send to a moderator</button>\n'
                "              </form>\n            </details>\n            "
            )
        hide = ""
        if can_moderate:
            hide_url = hide_url or _route_pattern("ideas:comment_hide")
            url = hide_url.replace(str(_PK), pk)
            hidden = comment.is_hidden
            hide = (
                f'\n            <form method="post" action="{url}" hx-post="{url}" '
                'hx-target="#comments" hx-swap="outerHTML" class="inline">\n'
                f"              {csrf}"
                f'<input type="hidden" name="action" value="{"show" if hidden else "hide"}">\n'
                '              <button type="submit" class="link">'
                f"{'Show again' if hidden else 'Hide'}</button>\n"
                "            </form>\n            "
            )
        internal = '<span class="badge warn">Internal</span>' if comment.is_internal else ""
        out.append(
            f'\n          <div class="comments-item{css}" data-testid="comment" '
            f'data-moderation="{escape(moderation)}">\n'
            f'            <p class="muted"><strong>'
            f"{escape(idea.comment_author_name_for(comment, user))}</strong> · "
            f"{escape(datetime_short(comment.created_at))}\n"
            f"              {internal}\n"
            f"              {_MODERATION_BADGE.get(moderation, '')}</p>\n"
            f"            <p>{linebreaksbr(comment.body, autoescape=True)}</p>\n"
            f"            {note}\n            \n            {flag}\n            {hide}\n"
            "          </div>\n        "
        )
    if not out:
        return mark_safe('\n          <p class="muted">No comments yet.</p>\n        ')
    return mark_safe("".join(out))


def timeline_items(transitions, user) -> SafeString:
    """The timeline's entries: what each status change was, who made it where
    ``ideas.view_transition_actor`` lets ``user`` know, the public message, and the
    internal note for staff (``ideas.view_internal``)."""
    escape = conditional_escape
    internal_ok = user.has_perm("ideas.view_internal")
    out = []
    for t in transitions:
        if not t.from_status:
            what = "Started as a draft" if t.to_status == "draft" else "Submitted"
        else:
            what = escape(t.get_to_status_display())
        actor = ""
        if t.actor is not None and user.has_perm("ideas.view_transition_actor", t):
            actor = f" <span>by {escape(t.actor)}</span>"
        at = timezone.template_localtime(t.at)
        extra = f"<p>{escape(t.reason)}</p>" if t.reason else ""
        if t.internal_note and internal_ok:
            extra += (
                '<p class="muted"><span class="badge warn">Internal</span> '
                f"{escape(t.internal_note)}</p>"
            )
        out.append(
            f"\n            <li>\n              <p><strong>{what}</strong>{actor}</p>\n"
            f'              <p class="muted"><time datetime="{escape(date_filter(at, "c"))}">'
            f"{escape(datetime_short(t.at))}</time>"
            f"{' · gate overridden' if t.override else ''}</p>\n"
            f"              {extra}</li>\n          "
        )
    return mark_safe("".join(out))

"""The board's idea cards, written in Python with exactly the markup their template had.

A page of twenty cards through the template language was ~2,000 node renders (variable
lookups, filters, ``{% url %}``, ``{% has_perm %}``, ``{% csrf_token %}`` per card) and most
of the board's CPU time. Here each card is a few string joins; the parts that are the same
on every card of a page (the addresses' shape, the CSRF field, the ``back`` field) are built
once per page. ``tests/ideas/test_cards.py`` renders the same ideas through the original
template markup and compares the two, case by case (supported or not, may support or not,
anonymous, without stage or campaign, text that needs escaping).
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from core.templatetags.juncture import date_short, icon, status_badge

# Reversed once per page with this id, then the id is swapped in per card.
_PK = 2_147_483_647
_EXCERPT = 220


def _escape(text) -> str:
    """``conditional_escape(text)``: plain text straight through ``html.escape`` (what
    Django's ``escape`` does), without the lazy-argument check wrapped around it, which cost
    more than the escaping itself for the ~120 values of a page."""
    if type(text) is str:
        return html.escape(text)
    return conditional_escape(text)


def unwrapped(user):
    """The user object behind ``request.user`` (a lazy object, through which every attribute
    read, ~40 a card, costs a proxy call)."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def _plural(n: int) -> str:
    """``{{ n|pluralize }}`` for a count."""
    return "" if n == 1 else "s"


def _excerpt(text: str) -> str:
    """``{{ text|truncatechars:220 }}`` (before escaping). Most needs are shorter: the
    filter's own walk over every character is only needed for the longer ones."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= _EXCERPT else Truncator(text).chars(_EXCERPT)


@dataclass(frozen=True)
class CardPage:
    """What every card of one board page shares: the viewer, the addresses' shape and the
    support form's fixed fields."""

    viewer: object
    detail_url: str
    support_url: str
    form_fields: str
    # ``date_short`` per local day: the cards of a page share a few days.
    days: dict = field(default_factory=dict)

    @classmethod
    def build(cls, context, viewer, query: str = "") -> CardPage:
        # ``{% csrf_token %}`` itself, once: the same (masked) token on every card, as the
        # template's lazy ``csrf_token`` gave.
        csrf = CsrfTokenNode().render(context)
        back = _escape(query)
        return cls(
            viewer=unwrapped(viewer),
            detail_url=reverse("ideas:detail", args=[_PK]),
            support_url=reverse("ideas:support", args=[_PK]),
            form_fields=(
                f'{csrf}<input type="hidden" name="next" value="board">'
                f'<input type="hidden" name="back" value="{back}">'
            ),
        )

    def url(self, pattern: str, pk: int) -> str:
        return _escape(pattern.replace(str(_PK), str(pk)))

    def date(self, value) -> str:
        """``{{ value|date_short }}``."""
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value
        if day not in self.days:
            self.days[day] = _escape(date_short(value))
        return self.days[day]


def card_support(page: CardPage, idea) -> SafeString:
    """The card's footer: its counts, and the support button when the viewer may support it
    (the ``#card-support`` region the support button swaps)."""
    pk = idea.pk
    total = idea.supports_total
    comments = idea.comment_count
    out = [
        f'\n      <div class="card__actions" id="card-support-{pk}">\n'
        f'        <span class="idea-card__counts"><span title="Supports">{icon("thumbs-up")} '
        f'{total}<span class="sr-only"> support{_plural(total)}</span></span>\n'
        f'          <span title="Comments">{icon("message-square")} {comments}'
        f'<span class="sr-only"> comment{_plural(comments)}</span></span></span>\n'
        "        \n        "
    ]
    if page.viewer.has_perm("ideas.support_idea", idea):
        url = page.url(page.support_url, pk)
        title = _escape(idea.title)
        if getattr(idea, "is_supported", False):
            button = (
                '<input type="hidden" name="action" value="remove"><button type="submit" '
                f'class="small" aria-pressed="true">{icon("check")} Supported'
                f'<span class="sr-only">: {title}, withdraw</span></button>\n          '
            )
        else:
            button = (
                '<input type="hidden" name="action" value="add"><button type="submit" '
                f'class="small primary" aria-pressed="false">{icon("thumbs-up")} Support'
                f'<span class="sr-only">: {title}</span></button>'
            )
        out.append(
            f'\n        <form method="post" action="{url}" hx-post="{url}" '
            f'hx-target="#card-support-{pk}" hx-swap="outerHTML">\n'
            f"          {page.form_fields}\n          {button}\n        </form>\n        "
        )
    out.append("\n      </div>\n      ")
    return mark_safe("".join(out))


def idea_card(page: CardPage, idea) -> str:
    """One ``<li>`` of the board's cards (with the loop's whitespace around it)."""
    stage = idea.stage
    campaign = idea.campaign
    where = f"<span>{icon('route')} {_escape(stage.name)}</span>" if stage else ""
    by = _escape(idea.author_name_for(page.viewer))
    when = page.date(idea.created_at)
    source = f" · {_escape(campaign.title)}" if campaign else ""
    excerpt = _escape(_excerpt(idea.customer_need))
    return (
        f'\n    <li class="card card--link idea-card" id="idea-{idea.pk}">\n'
        f'      <div class="card__meta">{status_badge(idea.status)}{where}</div>\n'
        f'      <h2 class="card__title"><a href="{page.url(page.detail_url, idea.pk)}">'
        f"{_escape(idea.title)}</a></h2>\n"
        f'      <p class="card__excerpt">{excerpt}</p>\n'
        f'      <p class="muted idea-card__by">{by} · {when}{source}</p>\n'
        f"      {card_support(page, idea)}\n    </li>\n    "
    )


def idea_cards(page: CardPage, ideas: Iterable) -> SafeString:
    """Every card of a page, as the template's ``{% for %}`` loop wrote them."""
    return mark_safe("".join(idea_card(page, idea) for idea in ideas))

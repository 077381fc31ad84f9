"""``{% load layout %}``: every page's header and footer, written in Python
(``accounts.layout``), with the numbers that apps to its right show in them: the bell's
unread notifications and the moderators' open cases (``ideas_tags``, each loaded with the
signed-in user). ``config`` wires the apps together, so it may ask both. And the head's
links to static files, whose addresses are looked up once per process."""

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django_htmx.jinja import htmx_script

from accounts import layout
from ideas.templatetags.ideas_tags import moderation_waiting, unread_notifications

register = template.Library()

_CSRF = CsrfTokenNode()


def _nav(context) -> layout.Nav:
    # The ``nav`` of the context processor: its permissions are asked once per request.
    nav = context.get("nav")
    return nav if isinstance(nav, layout.Nav) else layout.nav(context.get("user"))


def _path(context) -> str:
    return getattr(context.get("request"), "path", "")


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    """The page's ``<header>``: the brand, the bell, the navigation and the person."""
    user = layout.unwrap_user(context.get("user"))
    return layout.header_html(
        user=user,
        path=_path(context),
        nav=_nav(context),
        csrf_input=_CSRF.render(context),
        unread=lambda: unread_notifications(user),
        waiting=lambda: moderation_waiting(user),
    )


@register.simple_tag(takes_context=True)
def site_footer(context) -> SafeString:
    """The page's ``<footer>``."""
    return layout.footer_html(user=context.get("user"), nav=_nav(context))


@register.simple_tag
def bell(user) -> SafeString:
    """``components/bell.html``: the bell with ``user``'s unread notifications."""
    return mark_safe(layout.bell_html(unread_notifications(user)))  # escaped by layout


@register.simple_tag(takes_context=True)
def moderation_link(context, user, address: str) -> SafeString:
    """``components/nav_moderation.html``: the Moderation link to ``address`` with the
    number of open cases."""
    html = layout.moderation_link_html(_path(context), address, moderation_waiting(user))
    return mark_safe(html)  # escaped by layout


# Stands for the request's CSP nonce in the head built once (a nonce is URL-safe base64).
_NONCE = "juncture-csp-nonce-placeholder"


@functools.cache
def _head_links(nonce: bool, debug: bool) -> str:
    # The addresses of static files are the same for the life of the storage (a manifest is
    # read once), so of the process; settings changed (tests) build them again. (DEBUG adds
    # django-htmx's debug script.)
    def href(path: str) -> str:
        return conditional_escape(static(path))

    return (
        f'<link rel="icon" href="{href("img/favicon.svg")}" type="image/svg+xml">\n'
        f'  <link rel="apple-touch-icon" href="{href("img/apple-touch-icon.png")}">\n'
        f'  <link rel="preload" href="{href("vendor/inter/inter-latin-wght-normal.woff2")}" '
        'as="font" type="font/woff2" crossorigin>\n'
        f'  <link rel="stylesheet" href="{href("css/juncture.css")}">\n'
        f"  {htmx_script(version=2, minified=True, extensions='', nonce=_NONCE if nonce else None)}\n"
        f'  <script src="{href("js/juncture.js")}" nonce="{_NONCE}" defer></script>'
    )


@receiver(setting_changed)
def _forget_head_links(**kwargs) -> None:
    _head_links.cache_clear()


@register.simple_tag(takes_context=True)
def head_links(context) -> SafeString:
    """The head's icons, font, style sheet and scripts with the request's CSP nonce, as
    ``{% static %}``, ``{% htmx_script %}`` and ``{{ csp_nonce }}`` wrote them."""
    nonce = context.get("csp_nonce")
    # ``{{ csp_nonce }}``: the text of the value (None too), nothing when there is none.
    text = conditional_escape(str(nonce)) if "csp_nonce" in context else ""
    return mark_safe(
        _head_links(nonce is not None, settings.DEBUG).replace(_NONCE, text)
    )  # escaped

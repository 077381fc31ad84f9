"""What every page's shared layout needs to know about the signed-in person, read once.

The navigation asks several rules (which need the person's groups and whether they sit on a
panel) and the bell shows the unread-notification count. Read one by one that is three queries
on every page; here they ride along with the query that loads the signed-in user
(``accounts.backends.EmailBackend.get_user``) as correlated subqueries, so the layout costs
no query of its own.

Apps to the right of ``accounts`` contribute their facts in ``AppConfig.ready()`` with
:func:`register` (``accounts`` never imports them): an attribute name and a function that
returns the expression to annotate. The attribute is the one the app's own code already
caches on the user object for the request (e.g. the rules' ``_scoring_is_panelist``), so the
code that reads it finds it set and runs no query; without it (a token-authenticated API
request, a user loaded another way) that code falls back to its own query, as before.

:func:`nav` is the template's view of the navigation: each permission asked once per
request, when the template first reads it (``accounts.context_processors.layout``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import router
from django.db.models import OuterRef, StringAgg, Subquery, Value
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.formats import localize
from django.utils.functional import LazyObject, empty
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from core.compiled import compiled
from core.templatetags.juncture import aria_current_attribute, icon

# Group names never contain this (the unit separator), so it splits the aggregated names.
_SEPARATOR = "\x1f"
_GROUPS_ATTRIBUTE = "_layout_group_names"

_annotations: dict[str, Callable[[], Any]] = {}


def register(attribute: str, expression: Callable[[], Any]) -> None:
    """Load ``attribute`` with the signed-in user: ``expression()`` is annotated on the user
    query (correlated to the user row through ``OuterRef("pk")``)."""
    _annotations[attribute] = expression


def group_names(user_ref: str = "pk"):
    """The names of the groups of the user ``OuterRef(user_ref)``, joined (see :func:`unpack`)."""
    return Subquery(
        Group.objects.filter(user=OuterRef(user_ref))
        .order_by()
        .values("user")
        .annotate(names=StringAgg("name", delimiter=Value(_SEPARATOR)))
        .values("names")[:1]
    )


def annotations() -> dict[str, Any]:
    """Every registered expression, plus the person's group names."""
    return {_GROUPS_ATTRIBUTE: group_names()} | {
        name: expression() for name, expression in _annotations.items()
    }


# The signed-in user's query, compiled once per database connection object (those are per
# thread, so this is thread-safe) and run prepared on PostgreSQL (``core.compiled``):
# compiling three correlated subqueries costs several times what running them does, on
# every request.
_SENTINEL = -7_919_104_261


def load_user(model, user_id):
    """The user ``user_id`` with every registered fact, or None. One query; its SQL is
    compiled on the first call on each connection and reused."""
    try:
        user_id = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    alias = router.db_for_read(model)
    names = [f.attname for f in model._meta.concrete_fields]
    facts = list(_annotations)
    query = compiled(
        alias,
        ("accounts.layout.load_user", model._meta.label, *facts),
        lambda: (
            model._default_manager.using(alias)
            .annotate(**annotations())
            .filter(pk=_SENTINEL)
            .values_list(*names, _GROUPS_ATTRIBUTE, *facts)
        ),
    )
    rows = query.fetch(alias, {_SENTINEL: user_id})
    if not rows:
        return None
    row = rows[0]
    user = model.from_db(alias, names, row[: len(names)])
    for name, value in zip(facts, row[len(names) + 1 :], strict=True):
        setattr(user, name, value)
    unpack(user, row[len(names)])
    return user


def unpack(user, names: str | None = None) -> None:
    """Turn the annotated group names (on ``user``, or given) into the cache django-rules
    reads for group checks."""
    names = user.__dict__.pop(_GROUPS_ATTRIBUTE, names)
    user._group_names_cache = set(names.split(_SEPARATOR)) if names else set()


# The navigation's links and labels, each the rule its view checks, by the same name.
NAV_PERMISSIONS = {
    "can_map": "insights.view_journey_map",
    "can_review": "scoring.review",
    "can_run_rounds": "scoring.manage_rounds",
    "can_dash": "insights.view_dashboard",
    "can_audit": "accounts.view_audit_log",
    "can_portfolio": "insights.view_portfolio",
    "can_accuracy": "insights.view_accuracy",
    "can_moderate": "ideas.moderate",
    "can_people": "accounts.manage_people",
    "can_feedback": "feedback.view_feedback",
    "can_styleguide": "accounts.view_styleguide",
    "is_manager": "accounts.manage_innovation",
    "is_reader": "accounts.view_dashboards",
}
_NOTHING = MappingProxyType(dict.fromkeys(NAV_PERMISSIONS, False))

# --- the navigation's permission facts, per role -------------------------------------------
# Asking django-rules thirteen permissions costs ~0.5 ms of CPU a page (each check walks the
# authentication backends and the predicate tree, and the group predicate builds a related
# manager to see that the user has groups), though the answers only depend on who the
# person is. So the rules are asked once per role: of a stand-in (:class:`_Role`) that
# carries the user's role fields, group names and yes/no facts loaded with the user (a panel
# seat), and nothing else. A rule that reads anything else of the person (another field, a
# count, a relation, the database through them) ends that evaluation, and that role's facts
# are then asked of the real user on every request, as before. The nav's rules must decide
# from the person alone (not from the time or from settings): that is what they do.

# The user's fields that make a role.
ROLE_FIELDS = ("is_active", "is_superuser", "kind")
# Caches Django's model backend keeps on the user: absent on the stand-in, then set by it.
_BACKEND_CACHES = frozenset({"_perm_cache", "_user_perm_cache", "_group_perm_cache"})
# Roles seen by this process (a few dozen at most); emptied when settings change (tests).
_ROLE_FACTS: dict[tuple, Mapping[str, bool] | None] = {}
_ROLE_FACTS_MAX = 512


class _Unreadable(Exception):
    """A rule read something of a person that the role stand-in does not carry. Not an
    ``AttributeError``, so neither ``hasattr`` nor ``getattr`` with a default hides it."""


class _Opaque:
    """``user.groups`` on the stand-in: present (django-rules' group predicate only checks
    that it is, then reads the loaded names), but using it ends the evaluation."""

    def __getattr__(self, name: str):
        raise _Unreadable(f"groups.{name}")


class _Role:
    """A signed-in person as the navigation's rules may see them (see above)."""

    def __init__(self, attributes: dict[str, Any]) -> None:
        self.__dict__.update(attributes)

    def __getattr__(self, name: str):
        if name in _BACKEND_CACHES:
            raise AttributeError(name)
        raise _Unreadable(name)


def _role(user) -> tuple[tuple, _Role] | None:
    """The key of ``user``'s role and its stand-in; None when the user was not loaded with
    its group names (the rules then query them, and are asked of the user itself)."""
    groups = getattr(user, "_group_names_cache", None)
    if groups is None:
        return None
    fields = tuple(getattr(user, name) for name in ROLE_FIELDS)
    facts = tuple(
        (name, value)
        for name in _annotations
        if isinstance(value := getattr(user, name, None), bool)
    )
    # ``__class__``: the user's model also through the request's lazy user object.
    key = (user.__class__, fields, frozenset(groups), facts)
    attributes = {
        "is_authenticated": True,
        "is_anonymous": False,
        **dict(zip(ROLE_FIELDS, fields, strict=True)),
        "groups": _Opaque(),
        "_group_names_cache": frozenset(groups),
        **dict(facts),
    }
    return key, _Role(attributes)


def nav_facts(user) -> Mapping[str, bool]:
    """Every permission of :data:`NAV_PERMISSIONS` for ``user``, as ``user.has_perm`` answers
    it (active superusers pass every check); asked of the rules once per role."""
    user = unwrap_user(user)
    if not getattr(user, "is_authenticated", False):
        return _NOTHING
    role = _role(user)
    if role is None:
        return {name: bool(user.has_perm(perm)) for name, perm in NAV_PERMISSIONS.items()}
    key, stand_in = role
    try:
        known = _ROLE_FACTS[key]
    except KeyError:
        has_perm = user.__class__.has_perm  # the user's own check, asked of the stand-in
        try:
            known = MappingProxyType(
                {name: bool(has_perm(stand_in, perm)) for name, perm in NAV_PERMISSIONS.items()}
            )
        except _Unreadable:
            known = None
        if len(_ROLE_FACTS) >= _ROLE_FACTS_MAX:
            _ROLE_FACTS.clear()
        _ROLE_FACTS[key] = known
    if known is None:
        return {name: bool(user.has_perm(perm)) for name, perm in NAV_PERMISSIONS.items()}
    return known


@receiver(setting_changed)
def _forget_roles(**kwargs) -> None:
    _ROLE_FACTS.clear()
    _static.cache_clear()


class Nav:
    """``{{ nav.can_map }}``: the permissions of :data:`NAV_PERMISSIONS` (:func:`nav_facts`),
    asked the first time a template reads one, then remembered for the request."""

    def __init__(self, user) -> None:
        self._user = user
        self._known: Mapping[str, bool] | None = None

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_") or name not in NAV_PERMISSIONS:
            raise AttributeError(name)
        return self.as_dict()[name]

    def as_dict(self) -> Mapping[str, bool]:
        """Every permission, by its name in :data:`NAV_PERMISSIONS`."""
        if self._known is None:
            self._known = nav_facts(self._user)
        return self._known


def nav(user) -> Nav:
    return Nav(user)


# --- the header and the footer -------------------------------------------------------------
# Every page's header and footer, written in Python with exactly the markup the layout
# template had (``tests/accounts/test_header.py`` renders both and compares them, per role
# and page): through the template language they were ~300 node renders, fifteen ``{% url %}``
# reversals and thirteen rule checks on every page. The addresses are reversed once per
# process (per URLconf, script prefix and language: :func:`urls`), the icons are built once
# (``{% icon %}``), and the permissions are asked once per role (:func:`nav_facts`). What
# differs per request is written per request: the person, their counts, the current page
# (``aria-current``) and the CSRF field.


class Urls(dict):
    """``{% url name as var %}`` for any name: ``urls[name]`` is the address and its escaped
    text, ``("", "")`` when the name does not reverse; :meth:`required` raises instead, as
    ``{% url name %}`` does. Each name is reversed once."""

    def __missing__(self, name: str) -> tuple[str, str]:
        try:
            address = reverse(name, urlconf=self.urlconf)
        except NoReverseMatch:
            found = ("", "")
        else:
            found = (address, escape(address))
        self[name] = found
        return found

    def required(self, name: str) -> str:
        text = self[name][1]
        if not text:
            reverse(name, urlconf=self.urlconf)  # raises NoReverseMatch, as the tag did
        return text


@functools.lru_cache(maxsize=64)
def _urls(resolver, prefix: str, language: str | None) -> Urls:
    found = Urls()
    found.urlconf = resolver.urlconf_name
    return found


def urls() -> Urls:
    """The addresses for the current URLconf, script prefix and language."""
    return _urls(get_resolver(get_urlconf()), get_script_prefix(), translation.get_language())


@functools.cache
def _static(path: str, debug: bool) -> str:
    # ``{% static %}``: the same for the life of the storage (a manifest is read once), so of
    # the process; settings changed (tests) look it up again. DEBUG gives unhashed names.
    return escape(static(path))


def unwrap_user(user):
    """The user behind the request's lazy object (each read through it is a proxy call)."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def _text(value) -> str:
    """``{{ value }}``: localised and escaped."""
    return conditional_escape(localize(value))


def bell_html(unread: int, addresses: Urls | None = None) -> str:
    """``components/bell.html``: the bell with ``unread`` notifications."""
    count = _text(unread)
    address = (addresses or urls()).required("ideas:notifications")
    return (
        f'<a href="{address}" class="bell{" bell-unread" if unread else ""}" '
        f'data-testid="bell" aria-label="Notifications: {count} unread">'
        f"{icon('bell', css='bell-icon')} "
        f'<span class="bell-count" data-testid="bell-count">{count}</span></a>'
    )


def moderation_link_html(path: str, address: str, waiting: int) -> str:
    """``components/nav_moderation.html``: the Manage menu's Moderation link."""
    count = (
        f' <span class="nav-count" data-testid="moderation-waiting"><span class="sr-only">'
        f", waiting: </span>{_text(waiting)}</span>"
        if waiting
        else ""
    )
    return (
        f'<a href="{escape(address)}" data-nav="moderation"'
        f"{aria_current_attribute(path, address)}>{icon('shield-alert')}Moderation{count}</a>"
    )


def _facts(nav: Nav | Mapping[str, bool]) -> Mapping[str, bool]:
    return nav.as_dict() if isinstance(nav, Nav) else nav


def header_html(
    *,
    user,
    path: str,
    nav: Nav | Mapping[str, bool],
    csrf_input: str,
    unread: Callable[[], int],
    waiting: Callable[[], int],
) -> SafeString:
    """The page's ``<header>`` for ``user`` on ``path``: ``nav`` its permissions,
    ``csrf_input`` the request's ``{% csrf_token %}``, ``unread()`` the bell's number and
    ``waiting()`` the moderators' (each asked only where the header shows it)."""
    user = unwrap_user(user)
    signed_in = bool(getattr(user, "is_authenticated", False))
    addresses = urls()
    parts = [
        '<header class="site-header">\n    <div class="site-header__inner">\n'
        f'      <a class="brand" href="{addresses.required("home")}"><img class="brand__mark" '
        f'src="{_static("img/juncture-mark.svg", settings.DEBUG)}" alt="" width="32" height="32">'
        "<span>Juncture</span></a>\n      "
    ]
    if signed_in:
        parts.append('\n        \n        <div class="header-tools">\n          ')
        if addresses["ideas:notifications"][0]:
            parts.append(bell_html(unread(), addresses) + "\n")
        parts.append("\n        </div>\n      ")
    parts.append(
        '\n      <details class="nav-menu" data-nav-menu>\n'
        f"        <summary>{icon('menu')}{icon('x')}<span>Menu</span></summary>\n"
        '        <nav aria-label="Main" class="nav">\n          <ul class="nav-links">\n            '
    )
    if signed_in:
        facts = _facts(nav)
        parts.append(_nav_links(user, path, facts, addresses, waiting))
        parts.append(_USER_MENU)
        parts.append(_nav_user(user, path, facts, addresses, csrf_input))
    else:
        parts.append(_USER_MENU)
        parts.append(
            f'\n              <li><a href="{addresses.required("account_login")}">'
            f"{icon('user')}Log in</a></li>\n"
            f'              <li><a href="{addresses.required("account_signup")}">'
            f"{icon('plus')}Sign up</a></li>\n            "
        )
    parts.append("\n          </ul>\n        </nav>\n      </details>\n    </div>\n  </header>")
    return mark_safe("".join(parts))  # every value above is escaped


_USER_MENU = '\n          </ul>\n          <ul class="nav-user">\n            '
_INDENT = "\n              "
_GROUP_INDENT = "\n                    "


def _link(
    path: str, addresses: Urls, name: str, nav: str, icon_name: str, label: str, **current
) -> str:
    """``<li><a href="{{ x_url }}" data-nav="nav"{% aria_current x_url %}>{% icon %}label``."""
    address, text = addresses[name]
    return (
        f'<li><a href="{text}" data-nav="{nav}"{aria_current_attribute(path, address, **current)}>'
        f"{icon(icon_name)}{label}</a></li>"
    )


def _group(label: str, items: list[str]) -> str:
    """A secondary menu (Insights, Manage) of the nav: ``<li class="nav-group">``."""
    return (
        '\n                <li class="nav-group"><details data-nav-group>\n'
        f"                  <summary>{label}{icon('chevron-down', css='nav-group__chevron')}"
        "</summary>\n                  <ul>"
        + "".join(_GROUP_INDENT + item for item in items)
        + "\n                  </ul>\n                </details></li>\n              "
    )


def _nav_links(
    user, path: str, facts: Mapping[str, bool], addresses: Urls, waiting: Callable[[], int]
) -> str:
    def link(name: str, *args, **kwargs) -> str:
        return _link(path, addresses, name, *args, **kwargs)

    def exists(name: str) -> bool:
        return bool(addresses[name][0])

    new_url = addresses["ideas:new"][0]
    links = [
        link("ideas:board", "ideas", "lightbulb", "Ideas", unless=new_url)
        if exists("ideas:board")
        else "",
        link("ideas:campaigns", "campaigns", "megaphone", "Campaigns")
        if exists("ideas:campaigns")
        else "",
        link("ideas:new", "submit", "plus", "Submit an idea", exact=True) if new_url else "",
        link("scoring:queue", "review", "clipboard-check", "My reviews")
        if facts["can_review"] and exists("scoring:queue")
        else "",
        link("scoring:rounds", "rounds", "users", "Panels &amp; rounds")
        if facts["can_run_rounds"] and exists("scoring:rounds")
        else "",
        link("insights:dashboard", "budgets", "chart-column", "Budget dashboard")
        if facts["can_dash"] and exists("insights:dashboard")
        else "",
        "",  # the template's two comments
        "",
    ]
    if facts["can_map"] or facts["can_feedback"] or facts["can_portfolio"] or facts["can_accuracy"]:
        items = [
            link("insights:journey_default", "journey", "route", "Journey map")
            if facts["can_map"] and exists("insights:journey_default")
            else "",
            link("feedback:list", "feedback", "message-square", "Customer feedback")
            if facts["can_feedback"] and exists("feedback:list")
            else "",
            link("insights:portfolio", "portfolio", "trending-up", "Portfolio")
            if facts["can_portfolio"]
            else "",
            link("insights:accuracy", "accuracy", "target", "Panel accuracy")
            if facts["can_accuracy"]
            else "",
        ]
        links.append(_group("Insights", items))
    else:
        links.append("")
    if facts["can_moderate"] or facts["can_people"] or facts["can_audit"] or user.is_superuser:
        label = "Manage"
        if facts["can_moderate"] and (number := waiting()):
            label += (
                ' <span class="nav-count"><span class="sr-only">, waiting for moderation: '
                f"</span>{_text(number)}</span>"
            )
        moderation_url = addresses["moderation:queue"][0]
        items = [
            f"<li>{moderation_link_html(path, moderation_url, waiting())}\n</li>"
            if facts["can_moderate"] and moderation_url
            else "",
            link("accounts:people", "people", "users", "People") if facts["can_people"] else "",
            link("accounts:audit", "audit", "scroll-text", "Audit log")
            if facts["can_audit"]
            else "",
            f'<li><a href="{addresses.required("admin:index")}" data-nav="admin">'
            f"{icon('settings')}Admin</a></li>"
            if user.is_superuser
            else "",
        ]
        links.append(_group(label, items))
    else:
        links.append("")
    return "".join(_INDENT + link for link in ["", *links]) + "\n            "


def _nav_user(user, path: str, facts: Mapping[str, bool], addresses: Urls, csrf_input: str) -> str:
    if facts["is_manager"]:
        role, title = "manager", ", innovation manager"
    elif facts["is_reader"]:
        role, title = "executive", ", executive"
    else:
        role, title = ("customer" if user.is_customer else "employee"), ""
    panelist = ", panelist" if facts["can_review"] else ""
    kind = conditional_escape(str(user.get_kind_display()).lower())
    account_url, account_text = addresses["accounts:account"]
    return (
        f'{_INDENT}<li><span class="who" data-role="{role}">{_text(user.display_name)} '
        f"<small>({kind}{title}{panelist})</small></span></li>"
        f'{_INDENT}<li><a href="{account_text}"'
        f"{aria_current_attribute(path, account_url, exact=True)} "
        f'class="nav-compact" title="Your account">{icon("key-round")}'
        '<span class="nav-compact__label">Account</span></a></li>'
        f'{_INDENT}<li><form method="post" action="{addresses.required("account_logout")}" '
        f'class="inline">{csrf_input}<button type="submit" class="link">{icon("log-out")}'
        "Log out</button></form></li>\n            "
    )


def footer_html(*, user, nav: Nav | Mapping[str, bool]) -> SafeString:
    """The page's ``<footer>``."""
    user = unwrap_user(user)
    addresses = urls()
    styleguide = ""
    if getattr(user, "is_authenticated", False) and _facts(nav)["can_styleguide"]:
        styleguide = f'<li><a href="{addresses.required("styleguide")}">Style guide</a></li>'
    return mark_safe(  # every value is escaped
        '<footer class="site-footer">\n    <div class="site-footer__inner">\n'
        "      <p>Juncture — CX innovation, from customer need to funded experiment.</p>\n"
        f'      <ul>\n        <li><a href="{addresses.required("api-docs")}">API</a></li>\n'
        f"        {styleguide}\n      </ul>\n    </div>\n  </footer>"
    )

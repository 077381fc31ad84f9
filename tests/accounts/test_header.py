"""Every page's header and footer written in Python (accounts.layout, config/layout.py)
against the layout template they replaced: the same person, page, counts and CSRF token
through both, compared byte for byte, for every role and on several pages."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.template import Context, Engine
from django.template.loader import get_template
from django.test import RequestFactory

from accounts import layout
from accounts.backends import EmailBackend
from accounts.models import User
from ideas.models import ModerationCase, Notification
from tests.factories import (
    CustomerFactory,
    EmployeeFactory,
    IdeaFactory,
    ModeratorFactory,
    PanelFactory,
)

pytestmark = pytest.mark.django_db

# templates/_base.html as it was before the header and footer moved to Python, with its two
# includes (components/bell.html and components/nav_moderation.html) written in place.
TEMPLATE_BASE = """{% load ideas_tags %}{% load static django_htmx juncture ideas_tags %}<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false, "allowScriptTags": false, "historyCacheSize": 0}'>
  <meta name="theme-color" content="#0f1b33">
  <title>{% block title %}Juncture{% endblock %} · Juncture</title>
  <link rel="icon" href="{% static 'img/favicon.svg' %}" type="image/svg+xml">
  <link rel="apple-touch-icon" href="{% static 'img/apple-touch-icon.png' %}">
  <link rel="preload" href="{% static 'vendor/inter/inter-latin-wght-normal.woff2' %}" as="font" type="font/woff2" crossorigin>
  <link rel="stylesheet" href="{% static 'css/juncture.css' %}">
  {% htmx_script %}
  <script src="{% static 'js/juncture.js' %}" nonce="{{ csp_nonce }}" defer></script>
  {% block head %}{% endblock %}
</head>
<body hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}'>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header">
    <div class="site-header__inner">
      <a class="brand" href="{% url 'home' %}"><img class="brand__mark" src="{% static 'img/juncture-mark.svg' %}" alt="" width="32" height="32"><span>Juncture</span></a>
      {% if user.is_authenticated %}
        {# Each link asks the rule its view checks, by the same name (accounts.layout.NAV_PERMISSIONS). #}
        <div class="header-tools">
          {% block bell %}{% url 'ideas:notifications' as notif_url %}{% if notif_url %}{% unread_notifications user as unread %}<a href="{% url 'ideas:notifications' %}" class="bell{% if unread %} bell-unread{% endif %}" data-testid="bell" aria-label="Notifications: {{ unread }} unread">{% icon "bell" css="bell-icon" %} <span class="bell-count" data-testid="bell-count">{{ unread }}</span></a>
{% endif %}{% endblock %}
        </div>
      {% endif %}
      <details class="nav-menu" data-nav-menu>
        <summary>{% icon "menu" %}{% icon "x" %}<span>Menu</span></summary>
        <nav aria-label="Main" class="nav">
          <ul class="nav-links">
            {% if user.is_authenticated %}
              {% url 'ideas:board' as ideas_url %}{% url 'ideas:new' as new_url %}
              {% if ideas_url %}<li><a href="{{ ideas_url }}" data-nav="ideas"{% aria_current ideas_url unless=new_url %}>{% icon "lightbulb" %}Ideas</a></li>{% endif %}
              {% url 'ideas:campaigns' as campaigns_url %}{% if campaigns_url %}<li><a href="{{ campaigns_url }}" data-nav="campaigns"{% aria_current campaigns_url %}>{% icon "megaphone" %}Campaigns</a></li>{% endif %}
              {% if new_url %}<li><a href="{{ new_url }}" data-nav="submit"{% aria_current new_url exact=True %}>{% icon "plus" %}Submit an idea</a></li>{% endif %}
              {% url 'scoring:queue' as review_url %}{% if nav.can_review and review_url %}<li><a href="{{ review_url }}" data-nav="review"{% aria_current review_url %}>{% icon "clipboard-check" %}My reviews</a></li>{% endif %}
              {% url 'scoring:rounds' as rounds_url %}{% if nav.can_run_rounds and rounds_url %}<li><a href="{{ rounds_url }}" data-nav="rounds"{% aria_current rounds_url %}>{% icon "users" %}Panels &amp; rounds</a></li>{% endif %}
              {% url 'insights:dashboard' as budget_url %}{% if nav.can_dash and budget_url %}<li><a href="{{ budget_url }}" data-nav="budgets"{% aria_current budget_url %}>{% icon "chart-column" %}Budget dashboard</a></li>{% endif %}
              {# Secondary pages fold into two menus on a laptop (one row even for a manager); #}
              {# on a phone the open Menu lists them under their group's name. #}
              {% if nav.can_map or nav.can_feedback or nav.can_portfolio or nav.can_accuracy %}
                <li class="nav-group"><details data-nav-group>
                  <summary>Insights{% icon "chevron-down" css="nav-group__chevron" %}</summary>
                  <ul>
                    {% url 'insights:journey_default' as map_url %}{% if nav.can_map and map_url %}<li><a href="{{ map_url }}" data-nav="journey"{% aria_current map_url %}>{% icon "route" %}Journey map</a></li>{% endif %}
                    {% url 'feedback:list' as feedback_url %}{% if nav.can_feedback and feedback_url %}<li><a href="{{ feedback_url }}" data-nav="feedback"{% aria_current feedback_url %}>{% icon "message-square" %}Customer feedback</a></li>{% endif %}
                    {% if nav.can_portfolio %}{% url 'insights:portfolio' as portfolio_url %}<li><a href="{{ portfolio_url }}" data-nav="portfolio"{% aria_current portfolio_url %}>{% icon "trending-up" %}Portfolio</a></li>{% endif %}
                    {% if nav.can_accuracy %}{% url 'insights:accuracy' as accuracy_url %}<li><a href="{{ accuracy_url }}" data-nav="accuracy"{% aria_current accuracy_url %}>{% icon "target" %}Panel accuracy</a></li>{% endif %}
                  </ul>
                </details></li>
              {% endif %}
              {% if nav.can_moderate or nav.can_people or nav.can_audit or user.is_superuser %}
                <li class="nav-group"><details data-nav-group>
                  <summary>Manage{% if nav.can_moderate %}{% moderation_waiting user as waiting %}{% if waiting %} <span class="nav-count"><span class="sr-only">, waiting for moderation: </span>{{ waiting }}</span>{% endif %}{% endif %}{% icon "chevron-down" css="nav-group__chevron" %}</summary>
                  <ul>
                    {% url 'moderation:queue' as moderation_url %}{% if nav.can_moderate and moderation_url %}<li>{% moderation_waiting user as waiting %}<a href="{{ moderation_url }}" data-nav="moderation"{% aria_current moderation_url %}>{% icon "shield-alert" %}Moderation{% if waiting %} <span class="nav-count" data-testid="moderation-waiting"><span class="sr-only">, waiting: </span>{{ waiting }}</span>{% endif %}</a>
</li>{% endif %}
                    {% if nav.can_people %}{% url 'accounts:people' as people_url %}<li><a href="{{ people_url }}" data-nav="people"{% aria_current people_url %}>{% icon "users" %}People</a></li>{% endif %}
                    {% if nav.can_audit %}{% url 'accounts:audit' as audit_url %}<li><a href="{{ audit_url }}" data-nav="audit"{% aria_current audit_url %}>{% icon "scroll-text" %}Audit log</a></li>{% endif %}
                    {% if user.is_superuser %}<li><a href="{% url 'admin:index' %}" data-nav="admin">{% icon "settings" %}Admin</a></li>{% endif %}
                  </ul>
                </details></li>
              {% endif %}
            {% endif %}
          </ul>
          <ul class="nav-user">
            {% if user.is_authenticated %}
              <li><span class="who" data-role="{% if nav.is_manager %}manager{% elif nav.is_reader %}executive{% elif user.is_customer %}customer{% else %}employee{% endif %}">{{ user.display_name }} <small>({{ user.get_kind_display|lower }}{% if nav.is_manager %}, innovation manager{% elif nav.is_reader %}, executive{% endif %}{% if nav.can_review %}, panelist{% endif %})</small></span></li>
              {% url 'accounts:account' as account_url %}<li><a href="{{ account_url }}"{% aria_current account_url exact=True %} class="nav-compact" title="Your account">{% icon "key-round" %}<span class="nav-compact__label">Account</span></a></li>
              <li><form method="post" action="{% url 'account_logout' %}" class="inline">{% csrf_token %}<button type="submit" class="link">{% icon "log-out" %}Log out</button></form></li>
            {% else %}
              <li><a href="{% url 'account_login' %}">{% icon "user" %}Log in</a></li>
              <li><a href="{% url 'account_signup' %}">{% icon "plus" %}Sign up</a></li>
            {% endif %}
          </ul>
        </nav>
      </details>
    </div>
  </header>
  {% if email_pending %}
    <div class="messages" role="region" aria-label="E-mail confirmation">
      <form method="post" action="{% url 'accounts:verification_resend' %}" class="message message-warning banner">
        {% csrf_token %}<input type="hidden" name="next" value="{{ request.get_full_path }}">
        <strong>Confirm your e-mail address</strong> to submit, support and comment on ideas: open the link we sent you.
        <button type="submit">Send the link again</button>
      </form>
    </div>
  {% endif %}
  {% if messages %}
    <div class="messages" role="status" aria-live="polite">
      {% for message in messages %}
        <p class="message message-{{ message.tags }}">{% if message.level_tag == "success" %}{% icon "circle-check" %}{% elif message.level_tag == "warning" %}{% icon "triangle-alert" %}{% elif message.level_tag == "error" %}{% icon "circle-alert" %}{% else %}{% icon "info" %}{% endif %}<span><span class="sr-only">{% if message.level_tag == "error" %}Error: {% elif message.level_tag == "warning" %}Warning: {% elif message.level_tag == "success" %}Done: {% endif %}</span>{{ message }}</span></p>
      {% endfor %}
    </div>
  {% endif %}
  <main id="main" tabindex="-1"{% block main_class %}{% endblock %}>
    {% block content %}{% endblock %}
  </main>
  <footer class="site-footer">
    <div class="site-footer__inner">
      <p>Juncture — CX innovation, from customer need to funded experiment.</p>
      <ul>
        <li><a href="{% url 'api-docs' %}">API</a></li>
        {% if user.is_authenticated %}{% if nav.can_styleguide %}<li><a href="{% url 'styleguide' %}">Style guide</a></li>{% endif %}{% endif %}
      </ul>
    </div>
  </footer>
  {% block scripts %}{% endblock %}
</body>
</html>
"""


class TemplateNav:
    """``nav`` as the template read it before: ``user.has_perm`` per permission."""

    def __init__(self, user):
        self.user = user

    def __getattr__(self, name):
        perm = layout.NAV_PERMISSIONS[name]
        return bool(self.user.is_authenticated and self.user.has_perm(perm))


def _request(user, path, nonce):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionBase()
    if nonce is not None:
        request._csp_nonce = nonce
    return request


def _reload(user):
    """As the session loads the person: with groups, panel seat and counts."""
    return EmailBackend().get_user(user.pk)


def render_both(user, path, monkeypatch, *, loaded=True, messages=(), nonce="n0nce+/="):
    """The page through the old template and through the new, each with its own copy of the
    person (so nothing one remembers on the user object serves the other)."""
    monkeypatch.setattr(
        "django.template.context_processors.get_token", lambda request: "t0k&n<csrf>"
    )
    engine = Engine.get_default()
    pages = []
    for new in (False, True):
        person = (
            user if user is None else (_reload(user) if loaded else User.objects.get(pk=user.pk))
        )
        person = person or AnonymousUser()
        request = _request(person, path, nonce)
        request._messages = list(messages)
        if new:
            pages.append(get_template("_base.html").render({}, request))
        else:
            values = {}
            for processor in engine.template_context_processors:
                values.update(processor(request))
            values["nav"] = TemplateNav(person)
            pages.append(engine.from_string(TEMPLATE_BASE).render(Context(values)))
    return pages


PATHS = [
    "/",
    "/ideas/",
    "/ideas/new/",
    "/ideas/42/",
    "/campaigns/",
    "/accounts/",
    "/accounts/audit/",
    "/notifications/",
    "/reviews/",
    "/rounds/",
    "/budgets/",
    "/journeys/",
    "/feedback/",
    "/insights/portfolio/",
    "/insights/accuracy/",
    "/moderation/",
    "/people/",
    "/people/7/",
    "/styleguide/",
]


@pytest.fixture
def people(customer, employee, manager, executive, panelist, django_user_model):
    superuser = django_user_model.objects.create_superuser(
        email="root@example.com", password="x", display_name="Root <Admin> & co"
    )
    return {
        "anonymous": None,
        "customer": customer,
        "employee": employee,
        "panelist": panelist,
        "moderator": ModeratorFactory(display_name="Mo 'Moderator'"),
        "manager": manager,
        "executive": executive,
        "superuser": superuser,
    }


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "customer",
        "employee",
        "panelist",
        "moderator",
        "manager",
        "executive",
        "superuser",
    ],
)
def test_the_header_and_footer_are_the_templates(people, role, monkeypatch):
    user = people[role]
    for path in PATHS:
        old, new = render_both(user, path, monkeypatch)
        assert new == old, (role, path)
    assert "t0k&amp;n&lt;csrf&gt;" in new


@pytest.mark.parametrize("role", ["employee", "moderator", "manager", "superuser"])
def test_with_unread_notifications_and_cases_waiting(people, role, monkeypatch):
    user = people[role]
    for _ in range(3):
        Notification.objects.create(user=user, verb="commented", message="A")
    for _ in range(12):
        ModerationCase.objects.create(idea=IdeaFactory(), cause="premoderation")
    for path in ("/", "/moderation/", "/notifications/"):
        old, new = render_both(user, path, monkeypatch)
        assert new == old, (role, path)
    assert 'data-testid="bell-count">3<' in new


@pytest.mark.parametrize("role", ["customer", "employee", "manager", "superuser"])
def test_a_person_not_loaded_with_the_session(people, role, monkeypatch):
    """A user loaded another way (no facts on it): the rules and counts query for themselves."""
    for path in ("/", "/ideas/"):
        old, new = render_both(people[role], path, monkeypatch, loaded=False)
        assert new == old, (role, path)


def test_an_unverified_customer_and_messages(monkeypatch):
    from allauth.account.models import EmailAddress
    from django.contrib.messages.storage.base import Message

    customer = CustomerFactory(display_name="Una <Unverified>")
    EmailAddress.objects.create(user=customer, email=customer.email, verified=False)
    messages = [Message(25, "Saved & done"), Message(40, "Oops")]
    old, new = render_both(customer, "/ideas/?q=a&b", monkeypatch, messages=messages)
    assert new == old
    assert "Confirm your e-mail address" in new


def test_without_a_csp_nonce(employee, monkeypatch):
    old, new = render_both(employee, "/", monkeypatch, nonce=None)
    assert new == old


def test_the_nonce_and_the_csrf_token_are_each_requests_own(client, employee):
    from django.middleware.csrf import _unmask_cipher_token

    client.force_login(employee)
    nonces, secrets = set(), set()
    for _ in range(2):
        response = client.get("/accounts/")
        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
        assert html.count(f'nonce="{nonce}"') == 2  # htmx and the page's script
        nonces.add(nonce)
        header_token = re.search(r'"X-CSRFToken": "([^"]+)"', html)[1]
        form_tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert form_tokens and set(form_tokens) == {header_token}
        secrets.add(_unmask_cipher_token(header_token))
        assert _unmask_cipher_token(header_token) == client.cookies["csrftoken"].value
    assert len(nonces) == 2 and len(secrets) == 1


def test_every_kind_and_group_combination(monkeypatch):
    """The navigation's facts are asked once per role: each combination of kind, groups,
    superuser and panel seat gives what asking the person's own rules gives."""
    from accounts.models import EXECUTIVES_GROUP, MANAGERS_GROUP, MODERATORS_GROUP, role_group

    groups = [MANAGERS_GROUP, EXECUTIVES_GROUP, MODERATORS_GROUP]
    n = 0
    for kind in ("customer", "staff"):
        for mask in range(8):
            for superuser in (False, True):
                for panel in (False, True):
                    n += 1
                    factory = CustomerFactory if kind == "customer" else EmployeeFactory
                    user = factory(is_superuser=superuser)
                    for i, name in enumerate(groups):
                        if mask & (1 << i):
                            user.groups.add(role_group(name))
                    if panel:
                        PanelFactory(members=[user])
                    loaded = _reload(user)
                    expected = {
                        name: loaded.has_perm(perm) for name, perm in layout.NAV_PERMISSIONS.items()
                    }
                    assert layout.nav_facts(_reload(user)) == expected, (
                        kind,
                        mask,
                        superuser,
                        panel,
                    )
    assert n == 64

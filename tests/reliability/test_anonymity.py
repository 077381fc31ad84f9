"""An anonymous author's identity never reaches anyone but innovation managers (and the
author): not in HTML, API, CSV, in-app notifications or e-mail.

The world is the permission matrix's (every idea of ``Ada Anonymouse`` is anonymous), plus
one anonymous idea submitted through the real service (so its transition log carries the
author as the actor of "submitted"), followed by the other roles and moved by a manager so
notifications and e-mails go out. Each response body a non-manager can reach is searched for
the author's display name and e-mail address.
"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from ideas import engagement
from ideas import services as idea_services
from ideas.models import Notification
from tests.reliability.test_permission_matrix import build_world

NON_MANAGERS = ("customer", "employee", "panelist", "executive")


@pytest.fixture
def world(customer, employee, panelist, manager, executive, django_capture_on_commit_callbacks):
    w = build_world(
        customer=customer,
        employee=employee,
        panelist=panelist,
        manager=manager,
        executive=executive,
    )
    w.secrets = (w.anon_author.display_name, w.anon_author.email)
    # Through the service: the author is the actor of the "submitted" transition, follows
    # the idea, and the idea sits on a journey stage (so it shows in the map's cell panel).
    w.idea_new = idea_services.idea_submit(
        author=w.anon_author,
        title="Anonymous service idea",
        customer_need="Customers wait on hold for 20 minutes to change an address.",
        innovation_type="new_interaction_model",
        campaign=w.campaign_all,
        stage=w.stage,
        is_anonymous=True,
    )
    for follower in (customer, employee, panelist, executive, manager):
        engagement.follow_set(idea=w.idea_new, user=follower, following=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_transition(idea=w.idea_new, to="screening", actor=manager)
        engagement.comment_add(idea=w.idea_new, author=employee, body="Seen this at branches.")
    return w


def _client(user, *, api=False):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _html_urls(w, role: str) -> list[str]:
    urls = [
        reverse("ideas:board"),
        reverse("ideas:board") + "?q=Anonymous",
        reverse("ideas:detail", args=[w.idea_new.pk]),
        reverse("ideas:detail", args=[w.idea_anon.pk]),
        reverse("ideas:detail", args=[w.idea_closed.pk]),
        reverse("ideas:campaign", args=[w.campaign_all.slug]),
        reverse("ideas:campaigns"),
        reverse("ideas:similar") + "?q=Anonymous",
        reverse("ideas:notifications"),
        reverse("home"),
    ]
    if role != "customer":  # the map is staff-only (the matrix proves customers are denied)
        urls += [
            reverse("insights:journey_map", args=[w.journey.pk]),
            reverse("insights:journey_cell", args=[w.journey.pk, w.stage.pk]),
        ]
    if role == "panelist":
        urls += [
            reverse("scoring:queue"),
            reverse("scoring:scorecard", args=[w.assignment.pk]),
            reverse("scoring:round", args=[w.closed_round.pk]),
        ]
    if role == "executive":
        urls += [reverse("insights:dashboard")]
    return urls


def _api_urls(w, role: str) -> list[str]:
    urls = [
        "/api/v1/ideas/",
        "/api/v1/ideas/?q=Anonymous",
        f"/api/v1/ideas/{w.idea_new.pk}/",
        f"/api/v1/ideas/{w.idea_anon.pk}/",
        f"/api/v1/ideas/{w.idea_new.pk}/comments/",
        f"/api/v1/ideas/{w.idea_new.pk}/transitions/",
        "/api/v1/ideas/similar/?q=Anonymous",
        "/api/v1/campaigns/",
    ]
    if role != "customer":
        urls += [f"/api/v1/journeys/{w.journey.pk}/map/"]
    if role == "panelist":
        urls += [
            "/api/v1/assignments/",
            f"/api/v1/assignments/{w.assignment.pk}/",
            f"/api/v1/rounds/{w.closed_round.pk}/results/",
        ]
    if role == "executive":
        urls += [
            "/api/v1/budgets/allocations/",
            f"/api/v1/budgets/fiscal-years/{w.fiscal_year.pk}/summary/",
        ]
    return urls


def _csv_urls(w, role: str) -> list[str]:
    urls = []
    if role == "panelist":
        urls.append(reverse("scoring:results_csv", args=[w.closed_round.pk]))
    if role == "executive":
        urls.append(reverse("insights:summary_csv", args=[w.fiscal_year.pk]))
    return urls


def _leaks(body: str, secrets) -> list[str]:
    return [s for s in secrets if s.lower() in body.lower()]


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_it_never_shows_an_anonymous_author_to_a_non_manager(world, role):
    w = world
    user = getattr(w, role)
    found: list[str] = []
    checked = 0
    for api, urls in (
        (False, _html_urls(w, role) + _csv_urls(w, role)),
        (True, _api_urls(w, role)),
    ):
        client = _client(user, api=api)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
            checked += 1
            for secret in _leaks(_body(response), w.secrets):
                found.append(f"{url} shows {secret!r} to {role}")
    assert checked >= 12
    assert not found, "\n".join(found)


def test_it_keeps_the_board_export_for_managers(world):
    for role in NON_MANAGERS:
        assert _client(getattr(world, role)).get(reverse("ideas:export")).status_code == 403
    body = _body(_client(world.manager).get(reverse("ideas:export")))
    assert world.anon_author.display_name in body  # managers may know who it is


def test_it_shows_the_author_to_managers_and_to_the_author(world):
    """The search above would pass vacuously if the name were never rendered at all."""
    url = reverse("ideas:detail", args=[world.idea_new.pk])
    for user in (world.manager, world.anon_author):
        assert world.anon_author.display_name in _body(_client(user).get(url))
    data = _client(world.manager, api=True).get(f"/api/v1/ideas/{world.idea_new.pk}/").json()
    assert data["author"]["display_name"] == world.anon_author.display_name


def test_it_keeps_the_author_out_of_notifications_and_e_mail(world):
    w = world
    notes = Notification.objects.filter(idea=w.idea_new).exclude(user=w.anon_author)
    # Six followers (the author, customer, employee, panelist, executive, manager). Each
    # event notifies all but its actor: the manager's move 5, the employee's comment 5;
    # without the author's own two that leaves 4 + 4.
    assert notes.count() == 4 + 4
    for note in notes:
        assert not _leaks(note.message, w.secrets), note.message
    non_author_mail = [m for m in mail.outbox if w.anon_author.email not in m.to]
    assert len(non_author_mail) == notes.count()
    for message in non_author_mail:
        text = f"{message.subject}\n{message.body}\n{message.to}\n{message.cc}\n{message.bcc}"
        assert not _leaks(text, w.secrets), text


def test_it_names_a_transitions_actor_only_to_who_may_know_the_author(world):
    """``ideas.view_transition_actor`` (ideas/rules.py): the author's own "created" and
    "submitted" steps of an anonymous idea are unnamed for employees; managers and the
    author see the name; a manager's move stays visible to employees; customers see no actor."""
    w = world
    own_steps = list(w.idea_new.transitions.filter(actor=w.anon_author))
    managers_move = w.idea_new.transitions.get(actor=w.manager)
    assert [t.to_status for t in own_steps] == ["draft", "submitted"]
    for step in own_steps:
        for role in NON_MANAGERS:
            assert not getattr(w, role).has_perm("ideas.view_transition_actor", step), role
        assert w.manager.has_perm("ideas.view_transition_actor", step)
        assert w.anon_author.has_perm("ideas.view_transition_actor", step)
    assert w.employee.has_perm("ideas.view_transition_actor", managers_move)
    assert w.executive.has_perm("ideas.view_transition_actor", managers_move)
    assert not w.customer.has_perm("ideas.view_transition_actor", managers_move)

"""The people admin: managers search, invite, set function and roles, deactivate."""

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, AuditEvent, User
from accounts.services import token_create
from tests import factories
from tests.accounts.helpers import link_in

pytestmark = pytest.mark.django_db


def test_it_lists_and_searches_people(client, manager, employee, customer):
    client.force_login(manager)
    html = client.get(reverse("accounts:people"), {"q": "erin"}).content.decode()
    assert employee.email in html and customer.email not in html
    html = client.get(reverse("accounts:people"), {"kind": "customer"}).content.decode()
    assert customer.email in html and employee.email not in html
    partial = client.get(
        reverse("accounts:people"),
        {"q": "chloe"},
        headers={"HX-Request": "true", "HX-Target": "people-rows"},
    )
    assert partial.content.decode().lstrip().startswith('<div id="people-rows"')


def test_the_people_page_has_a_fixed_query_count(client, manager, django_assert_num_queries):
    for n in range(30):
        factories.ManagerFactory() if n % 3 == 0 else factories.EmployeeFactory()
    client.force_login(manager)
    # 1 session, 2 user (with groups, panel membership, unread count and the moderation
    # queue's waiting count: a manager moderates), 3 count of people, 4 the page of people,
    # 5 their groups (prefetch)
    with django_assert_num_queries(5):
        response = client.get(reverse("accounts:people"))
    assert response.status_code == 200


def test_an_invited_employee_sets_up_their_account(
    client, manager, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    # The e-mail goes once the invitation is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invite"),
            {"email": "New.Hire@Example.com", "function": "product", "roles": ["executive"]},
        )
    assert response.status_code == 302
    path = link_in(mailoutbox[0])
    assert mailoutbox[0].to == ["new.hire@example.com"]
    client.logout()
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {
            "display_name": "Nia Hire",
            "password1": "a-long-unusual-pass",
            "password2": "a-long-unusual-pass",
        },
    )
    assert response.status_code == 302
    hire = User.objects.get(email="new.hire@example.com")
    assert (hire.kind, hire.function, hire.display_name) == ("staff", "product", "Nia Hire")
    assert hire.has_perm("accounts.view_dashboards")
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "invitation.send",
        "invitation.accept",
        "role.change",
    }
    # Spent: the same link cannot make a second account.
    assert client.get(path).status_code == 400


def test_an_invitation_expires(client, manager, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with (
        time_machine.travel("2026-01-01 10:00:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(reverse("accounts:invite"), {"email": "late@example.com", "function": "it"})
    path = link_in(mailoutbox[0])
    client.logout()
    with time_machine.travel("2026-01-20 10:00:00", tick=False):
        response = client.get(path)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert client.get(path[:-5] + "xxxx/").status_code == 400


def test_a_manager_sets_function_and_roles(client, manager, employee):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:person", args=[employee.pk]),
        {"function": "finance", "roles": ["manager"]},
    )
    assert response.status_code == 302
    employee = User.objects.get(pk=employee.pk)
    assert employee.function == "finance"
    assert employee.has_perm("accounts.manage_innovation")
    assert AuditEvent.objects.filter(action="role.change", target_id=str(employee.pk)).exists()
    assert AuditEvent.objects.filter(action="person.function").exists()


def test_deactivating_ends_sessions_and_tokens(client, manager, employee):
    theirs = Client()
    theirs.force_login(employee)
    token_create(user=employee)
    assert Session.objects.count() == 1
    client.force_login(manager)
    response = client.post(reverse("accounts:person_active", args=[employee.pk]), {"active": "0"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert not employee.is_active
    assert not ApiToken.objects.filter(user=employee).exists()
    assert not theirs.get(reverse("home")).context["user"].is_authenticated
    event = AuditEvent.objects.get(action="person.deactivate")
    assert event.data == {"tokens": 1, "sessions": 1} and event.actor == manager
    # ... and back.
    client.post(reverse("accounts:person_active", args=[employee.pk]), {"active": "1"})
    employee.refresh_from_db()
    assert employee.is_active


def test_a_manager_cannot_deactivate_themselves(client, manager):
    client.force_login(manager)
    client.post(reverse("accounts:person_active", args=[manager.pk]), {"active": "0"})
    manager.refresh_from_db()
    assert manager.is_active

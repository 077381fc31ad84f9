import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_creating_an_employee_with_a_role_is_audited():
    call_command(
        "create_employee",
        "boss@example.com",
        "--name",
        "Boss",
        "--function",
        "finance",
        "--role",
        "executive",
    )
    event = AuditEvent.objects.get()
    assert event.action == "role.change"
    assert event.data == {"added": ["Executives"], "removed": []}


def test_a_role_change_in_the_admin_is_audited(client, employee, django_user_model):
    from accounts.models import role_group

    admin = django_user_model.objects.create_superuser(
        email="root@example.com", password="x-long-pass-1", display_name="Root"
    )
    client.force_login(admin)
    group = role_group("Innovation managers")
    response = client.post(
        reverse("admin:accounts_user_change", args=[employee.pk]),
        {
            "email": employee.email,
            "display_name": employee.display_name,
            "kind": "staff",
            "function": employee.function,
            "is_active": "on",
            "groups": [group.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="role.change")
    assert event.data == {"added": ["Innovation managers"], "removed": []}
    assert event.actor == admin


def test_only_managers_read_the_audit_log(client, manager, employee, executive, customer):
    audit_record(actor=manager, action="idea.transition", summary="Idea 1: submitted → screening")
    for user, expected in [(manager, 200), (employee, 403), (executive, 403), (customer, 403)]:
        client.force_login(user)
        assert client.get(reverse("accounts:audit")).status_code == expected
    client.force_login(manager)
    assert "Idea 1: submitted → screening" in client.get(reverse("accounts:audit")).content.decode()
    client.logout()
    assert client.get(reverse("accounts:audit")).status_code == 302


def test_the_audit_log_page_has_a_fixed_query_count(client, manager, django_assert_num_queries):
    for n in range(30):
        audit_record(actor=manager, action="allocation.create", summary=f"Allocation {n}")
    client.force_login(manager)
    # 1 session, 2 user, 3 user's groups (rules' group predicates, cached per user), 4 count of
    # events, 5 panel membership (nav: scoring.review), 6 unread notifications (the bell),
    # 7 distinct actions, 8 the page of events. None grows with the number of events.
    with django_assert_num_queries(8):
        response = client.get(reverse("accounts:audit"))
    assert response.status_code == 200


def test_the_database_refuses_to_edit_or_delete_audit_events_on_postgresql(manager):
    from tests.services import require_postgres

    require_postgres()
    event = audit_record(actor=manager, action="idea.merge", summary="merged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "merged"

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
    # 1 session, 2 user (with groups, panel membership, unread count and the moderation
    # queue's waiting count: a manager moderates), 3 count of events, 4 the page of events
    # (each made a sentence from its own row), 5 distinct actions. None grows with the number
    # of events.
    with django_assert_num_queries(5):
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


def test_the_database_refuses_to_edit_or_delete_audit_events_on_sqlite(manager):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite triggers; PostgreSQL has its own test")
    event = audit_record(actor=manager, action="idea.merge", summary="merged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "merged"


def _superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        email="root@example.com", password="x-long-pass-1", display_name="Root"
    )


def test_user_flag_changes_in_the_admin_are_audited_and_deactivation_ends_tokens(
    client, employee, django_user_model
):
    from accounts import services
    from accounts.models import ApiToken

    services.token_create(user=employee)
    admin = _superuser(django_user_model)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[employee.pk]),
        {
            "email": employee.email,
            "display_name": employee.display_name,
            "kind": "staff",
            "function": employee.function,
            # is_active left out: unticked
            "is_staff": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.flags")
    assert event.actor == admin
    assert event.data == {"changed": {"is_active": [True, False], "is_staff": [False, True]}}
    assert not ApiToken.objects.filter(user=employee).exists()
    assert AuditEvent.objects.filter(action="token.revoke").exists()


def test_admin_shows_money_and_history_read_only(client, django_user_model):
    from tests import factories

    allocation = factories.AllocationFactory()
    admin = _superuser(django_user_model)
    client.force_login(admin)
    url = reverse("admin:budgets_allocation_change", args=[allocation.pk])
    assert client.post(url, {"amount": "999999999"}).status_code == 403
    for name in ["budgets_allocation", "budgets_spend", "accounts_auditevent"]:
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:budgets_allocation_delete", args=[allocation.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_fiscal_years_rounds_and_panels_are_audited(manager):
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from budgets import services as budgets
    from scoring import services as scoring
    from tests import factories

    fy = budgets.fiscal_year_create(
        label="FY2031",
        starts_on=date(2031, 1, 1),
        ends_on=date(2031, 12, 31),
        marketing_budget=Decimal("500000.00"),
        actor=manager,
    )
    budgets.fiscal_year_update(fiscal_year=fy, actor=manager, innovation_target_pct=Decimal("12"))
    update = AuditEvent.objects.get(action="fiscal_year.update")
    assert update.data == {"changed": {"innovation_target_pct": ["10.00", "12.00"]}}
    assert AuditEvent.objects.filter(action="fiscal_year.create", actor=manager).exists()

    people = [factories.EmployeeFactory(function=f) for f in ("sales", "service", "it", "finance")]
    panel = scoring.panel_create(name="P", members=people[:3], actor=manager)
    scoring.panel_update(panel=panel, members=people[1:], actor=manager)
    changes = AuditEvent.objects.filter(action="panel.members").order_by("id")
    assert [e.data for e in changes] == [
        {"added": sorted(p.pk for p in people[:3]), "removed": []},
        {"added": [people[3].pk], "removed": [people[0].pk]},
    ]
    round = scoring.round_create(
        panel=panel,
        scorecard=factories.default_scorecard(),
        ideas=[factories.IdeaFactory(status="screening")],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
    )
    scoring.round_open(round=round, actor=manager)
    scoring.round_close(round=round, actor=manager)
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="round.")] == [
        "round.close",
        "round.open",
    ]

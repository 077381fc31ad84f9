import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_create_employee_makes_a_staff_member_with_function_and_roles():
    call_command(
        "create_employee",
        "Kim@Example.com",
        "--name",
        "Kim",
        "--function",
        "it",
        "--role",
        "manager",
        "--role",
        "executive",
        "--password",
        "a-long-pass-123",
    )
    user = User.objects.get(email="kim@example.com")
    assert (user.kind, user.function) == ("staff", "it")
    assert sorted(user.groups.values_list("name", flat=True)) == [
        "Executives",
        "Innovation managers",
    ]
    assert user.check_password("a-long-pass-123")


def test_create_employee_refuses_a_duplicate_and_changes_nothing(employee):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_employee", employee.email, "--name", "Again", "--function", "it")
    assert User.objects.count() == 1


def test_seed_demo_is_idempotent():
    call_command("seed_demo", "--quiet-logins")
    first = User.objects.count()
    call_command("seed_demo", "--quiet-logins")
    assert User.objects.count() == first
    manager = User.objects.get(email="manager@example.com")
    assert manager.has_perm("accounts.manage_innovation")
    assert User.objects.get(email="customer@example.com").kind == "customer"
    assert User.objects.filter(kind="staff").values("function").distinct().count() >= 5

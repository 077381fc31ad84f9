"""The role predicates read a person's groups once: from the names the layout loaded with the
user, or from one query that is then remembered on the user object."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from accounts.models import EXECUTIVES_GROUP, MANAGERS_GROUP, MODERATORS_GROUP, User
from accounts.rules import is_executive, is_manager, is_moderator

pytestmark = pytest.mark.django_db


def test_loaded_group_names_answer_without_a_query(employee, django_assert_num_queries):
    employee._group_names_cache = {MODERATORS_GROUP}
    with django_assert_num_queries(0):
        assert is_moderator(employee)
        assert not is_manager(employee)
        assert not is_executive(employee)


def test_without_loaded_names_one_query_answers_every_role(employee, django_assert_num_queries):
    employee.groups.add(Group.objects.get_or_create(name=EXECUTIVES_GROUP)[0])
    fresh = User.objects.get(pk=employee.pk)
    with django_assert_num_queries(1):
        assert is_executive(fresh)
        assert not is_manager(fresh)
        assert not is_moderator(fresh)
    assert fresh._group_names_cache == {EXECUTIVES_GROUP}


def test_a_customer_in_the_moderators_group_is_no_moderator(customer):
    customer.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    assert not is_moderator(User.objects.get(pk=customer.pk))


def test_a_manager_and_a_superuser_are_managers(manager, employee):
    assert is_manager(User.objects.get(pk=manager.pk))
    assert MANAGERS_GROUP in manager.groups.values_list("name", flat=True)
    employee.is_superuser = True
    employee.save()
    assert is_manager(User.objects.get(pk=employee.pk))


def test_no_one_signed_in_has_no_role():
    anonymous = AnonymousUser()
    assert not is_manager(anonymous)
    assert not is_executive(anonymous)
    assert not is_moderator(anonymous)

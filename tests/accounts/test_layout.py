"""The shared layout's facts arrive with the signed-in user (accounts.layout)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.backends import EmailBackend
from accounts.layout import Nav
from accounts.models import MANAGERS_GROUP
from ideas.models import Notification
from ideas.notifications import notifications_mark_read
from scoring.models import Panel

pytestmark = pytest.mark.django_db


def test_the_session_user_arrives_with_groups_panel_and_unread(manager, django_assert_num_queries):
    Panel.objects.create(name="Service panel").members.add(manager)
    Notification.objects.create(user=manager, verb="commented", message="A")
    Notification.objects.create(user=manager, verb="commented", message="B")
    Notification.objects.create(
        user=manager, verb="commented", message="C", read_at="2026-01-01T00:00Z"
    )
    # 1 the user with the three facts as subqueries
    with django_assert_num_queries(1):
        user = EmailBackend().get_user(manager.pk)
    with django_assert_num_queries(0):
        assert user._unread_notifications == 2
        assert user._scoring_is_panelist is True
        assert user._group_names_cache == {MANAGERS_GROUP}
        assert user.has_perm("accounts.manage_innovation")
        assert user.has_perm("scoring.review")


def test_a_person_without_groups_panels_or_notifications(employee, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = EmailBackend().get_user(employee.pk)
    with django_assert_num_queries(0):
        assert user._unread_notifications == 0
        assert user._scoring_is_panelist is False
        assert user._group_names_cache == set()
        assert not user.has_perm("accounts.manage_innovation")
        assert not user.has_perm("scoring.review")


def test_an_inactive_or_missing_user_is_no_one(employee):
    employee.is_active = False
    employee.save()
    assert EmailBackend().get_user(employee.pk) is None
    assert EmailBackend().get_user(10**9) is None


def test_the_page_shows_the_loaded_facts(client, manager):
    Panel.objects.create(name="Service panel").members.add(manager)
    Notification.objects.create(user=manager, verb="commented", message="A")
    client.force_login(manager)
    html = client.get(reverse("ideas:board")).content.decode()
    assert 'data-testid="bell-count">1<' in html
    assert 'data-nav="review"' in html  # a panelist
    assert 'data-nav="rounds"' in html  # a manager
    assert 'data-role="manager"' in html


def test_marking_read_makes_the_bell_count_again(manager, django_assert_num_queries):
    Notification.objects.create(user=manager, verb="commented", message="A")
    user = EmailBackend().get_user(manager.pk)
    assert user._unread_notifications == 1
    notifications_mark_read(user=user)
    assert not hasattr(user, "_unread_notifications")


def test_the_nav_asks_each_rule_once(employee):
    nav = Nav(employee)
    employee._group_names_cache = set()
    employee._scoring_is_panelist = False
    assert nav.can_review is False
    employee._scoring_is_panelist = True  # remembered for the request: not asked again
    assert nav.can_review is False
    with pytest.raises(AttributeError):
        nav.not_a_permission  # noqa: B018


def test_a_superuser_sees_every_link_and_the_admin_works(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(admin)
    assert client.session[SESSION_KEY] == str(admin.pk)
    html = client.get(reverse("ideas:board")).content.decode()
    for nav in ("rounds", "budgets", "people", "audit", "admin"):
        assert f'data-nav="{nav}"' in html
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_an_anonymous_nav_grants_nothing():
    assert Nav(AnonymousUser()).can_map is False


def test_a_token_brings_the_users_groups_along(manager, django_assert_num_queries):
    from rest_framework.test import APIClient

    from accounts.services import token_create
    from tests.factories import IdeaFactory

    IdeaFactory()
    _, key = token_create(user=manager)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.get("/api/v1/ideas/")  # first use: records last_used
    # 1 the token with its user and the user's group names (a manager: no group query
    # follows for the rules), 2 count, 3 the page of ideas
    with django_assert_num_queries(3):
        response = api.get("/api/v1/ideas/")
    assert response.status_code == 200


def test_the_compiled_query_is_reused_and_converts_like_the_orm(employee):
    first = EmailBackend().get_user(employee.pk)
    again = EmailBackend().get_user(str(employee.pk))  # a session may hold the id as text
    plain = type(employee).objects.get(pk=employee.pk)
    for user in (first, again):
        assert user == plain
        assert user.date_joined == plain.date_joined  # a datetime, not the database's text
        assert user.email == plain.email and user.kind == plain.kind
        assert user.is_active is True and user._state.adding is False
    assert EmailBackend().get_user("not a number") is None

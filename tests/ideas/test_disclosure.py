"""An anonymous idea's author signs their own comments "Author (anonymous)" to anyone who
may not know them (HTML, API, notifications); the merged banner and moved followers respect
visibility; sorting by score is for those who may see scores."""

import pytest
from django.urls import reverse

from ideas import engagement, services
from ideas.models import Follow, Notification
from tests.conftest import api_as
from tests.factories import CampaignFactory, EmployeeFactory, IdeaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon_idea(db):
    author = EmployeeFactory(display_name="Zed Secret")
    idea = IdeaFactory(author=author, is_anonymous=True, status="submitted")
    Follow.objects.create(idea=idea, user=author)
    return idea


def test_the_anonymous_authors_own_comments_are_signed_author_anonymous(
    anon_idea, client, employee, manager
):
    Follow.objects.create(idea=anon_idea, user=employee)
    engagement.comment_add(idea=anon_idea, author=anon_idea.author, body="My own idea, really")
    client.force_login(employee)
    html = client.get(reverse("ideas:detail", args=[anon_idea.pk])).content.decode()
    assert "Zed Secret" not in html and "Author (anonymous)" in html
    rows = api_as(employee).get(f"/api/v1/ideas/{anon_idea.pk}/comments/").json()["results"]
    assert rows[0]["author"] is None and rows[0]["author_name"] == "Author (anonymous)"
    note = Notification.objects.get(user=employee, verb="commented")
    assert "Zed Secret" not in note.message and "Author (anonymous)" in note.message
    # A manager may know the author.
    rows = api_as(manager).get(f"/api/v1/ideas/{anon_idea.pk}/comments/").json()["results"]
    assert rows[0]["author"]["display_name"] == "Zed Secret"


def test_the_merged_banner_and_moved_followers_respect_visibility(customer, manager):
    staff_only = CampaignFactory(audience="employees")
    source = IdeaFactory(status="submitted", author=customer)
    target = IdeaFactory(status="submitted", campaign=staff_only, title="Staff-only target")
    Follow.objects.get_or_create(idea=source, user=customer)
    services.idea_merge(source=source, target=target, actor=manager)
    assert not Follow.objects.filter(idea=target, user=customer).exists()
    assert not Notification.objects.filter(user=customer, verb="merged").exists()
    from django.test import Client

    client = Client()
    client.force_login(customer)
    html = client.get(reverse("ideas:detail", args=[source.pk])).content.decode()
    assert "Staff-only target" not in html and "another idea" in html


def test_only_those_who_may_see_scores_can_sort_by_them(client, customer, employee):
    client.force_login(customer)
    html = client.get(reverse("ideas:board")).content.decode()
    assert 'value="score"' not in html
    assert api_as(customer).get("/api/v1/ideas/?ordering=score").status_code == 400
    client.force_login(employee)
    assert 'value="score"' in client.get(reverse("ideas:board")).content.decode()
    assert api_as(employee).get("/api/v1/ideas/?ordering=score").status_code == 200


def test_owner_changes_and_comment_hiding_are_audited(manager, employee):
    from accounts.models import AuditEvent

    idea = IdeaFactory(status="submitted")
    services.idea_set_owner(idea=idea, owner=employee, actor=manager)
    assert AuditEvent.objects.get(action="idea.owner").data == {
        "from": None,
        "to": employee.pk,
        "title": idea.title,
        "owner_name": employee.display_name,
    }
    comment = engagement.comment_add(idea=idea, author=employee, body="Hmm")
    engagement.comment_hide(comment=comment, actor=manager)
    assert AuditEvent.objects.filter(action="comment.hide", actor=manager).count() == 1


def test_transitions_are_read_only_in_the_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        email="root@example.com", password="x-long-pass-1", display_name="Root"
    )
    client.force_login(admin)
    assert client.get(reverse("admin:ideas_ideatransition_add")).status_code == 403

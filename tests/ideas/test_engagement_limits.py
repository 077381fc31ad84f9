"""Comments and attachments are rate-limited, an idea holds a bounded number of files, and a
burst of comments makes one e-mail per follower, with an absolute link."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ideas import engagement, services
from ideas.models import Follow, Notification
from tests.conftest import api_as
from tests.factories import EmployeeFactory, IdeaFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_it_limits_comments_per_user_in_html_and_api(client, employee, settings):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "comment": "2/h"}
    idea = IdeaFactory(status="submitted")
    client.force_login(employee)
    url = reverse("ideas:comments", args=[idea.pk])
    statuses = [client.post(url, {"body": f"Comment {n}"}).status_code for n in range(3)]
    assert statuses[2] == 429 and 429 not in statuses[:2]
    response = api_as(employee).post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "More"})
    assert response.status_code == 429


def test_it_limits_attachment_uploads_and_caps_files_per_idea(client, employee, settings):
    settings.ATTACHMENTS_PER_IDEA = 2
    idea = IdeaFactory(author=employee, status="submitted")
    for n in range(2):
        services.attachment_add(
            idea=idea,
            uploaded_by=employee,
            file=SimpleUploadedFile(f"e{n}.pdf", PDF, content_type="application/pdf"),
        )
    with pytest.raises(ValidationError, match="at most 2 files"):
        services.attachment_add(
            idea=idea,
            uploaded_by=employee,
            file=SimpleUploadedFile("e3.pdf", PDF, content_type="application/pdf"),
        )
    settings.ATTACHMENTS_PER_IDEA = 50
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "attachment": "1/h"}
    client.force_login(employee)
    url = reverse("ideas:attachment_add", args=[idea.pk])
    first = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)})
    second = client.post(url, {"file": SimpleUploadedFile("b.pdf", PDF)})
    assert first.status_code != 429 and second.status_code == 429


def test_a_comment_burst_makes_one_email_per_follower_with_an_absolute_link(
    employee, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://juncture.example.com"
    idea = IdeaFactory(status="submitted", title="Queue app")
    follower = EmployeeFactory()
    Follow.objects.create(idea=idea, user=follower)
    # The e-mail task waits for the batch window: every comment of the burst exists before
    # it runs (the captured callbacks run after all five, as a real countdown would).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for n in range(5):
            engagement.comment_add(idea=idea, author=employee, body=f"Comment {n}")
    for callback in callbacks:
        callback()
    to_follower = [m for m in mailoutbox if m.to == [follower.email]]
    assert len(to_follower) == 1
    assert "5 new comments" in to_follower[0].subject
    assert f"https://juncture.example.com/ideas/{idea.pk}/" in to_follower[0].body
    assert Notification.objects.filter(user=follower, emailed_at__isnull=True).count() == 0

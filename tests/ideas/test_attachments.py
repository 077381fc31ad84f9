"""Attachments: the content decides, not the name or the browser's content type."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ideas import services
from ideas.models import Attachment, Idea
from ideas.uploads import MAX_BYTES, sanitize_name
from tests.factories import IdeaFactory, guided_idea_post

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<doc/>")
    return buffer.getvalue()


def _upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def idea(employee):
    return IdeaFactory(author=employee, status="submitted")


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("evidence.pdf", PDF, "application/pdf"),
        ("survey.csv", b"branch,wait_minutes\nLyon,27\nNantes,31\n", "text/csv"),
        ("notes.txt", "Verbatim: « j'attends depuis 30 min »".encode(), "text/plain"),
        (
            "plan.docx",
            _office("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "model.xlsx",
            _office("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "deck.pptx",
            _office("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("photo.GIF", b"GIF89a" + b"\x00" * 40, "image/gif"),
    ],
)
def test_it_accepts_real_files(idea, employee, name, content, stored_type):
    attachment = services.attachment_add(
        idea=idea, uploaded_by=employee, file=_upload(name, content)
    )
    assert attachment.content_type == stored_type
    assert attachment.original_name == name
    # stored under a random name that keeps nothing of the original but the extension
    stored = attachment.file.name
    assert stored.startswith("attachments/") and name.rsplit(".", 1)[0] not in stored


@pytest.mark.parametrize(
    ("name", "content", "claimed", "why"),
    [
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf", "content"),  # an exe
        ("photo.png", PDF, "image/png", "content"),  # a PDF posing as PNG
        ("notes.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "text/plain", "content"),
        ("plan.docx", _office("xl/workbook.xml"), "application/msword", "content"),  # an xlsx
        ("plan.docx", b"PK\x03\x04 not really a zip", "application/zip", "content"),
        ("script.html", b"<script>alert(1)</script>", "text/plain", "type"),
        ("run.exe", b"MZ\x90\x00", "application/pdf", "type"),
        ("archive.pdf.exe", PDF, "application/pdf", "type"),
        ("empty.txt", b"", "text/plain", "empty"),
    ],
)
def test_it_refuses_spoofed_or_wrong_files(idea, employee, name, content, claimed, why):
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            idea=idea, uploaded_by=employee, file=_upload(name, content, claimed)
        )
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()


def test_it_refuses_more_than_10_mb(idea, employee):
    big = _upload("big.txt", b"a" * (MAX_BYTES + 1), "text/plain")
    with pytest.raises(ValidationError, match="10 MB"):
        services.attachment_add(idea=idea, uploaded_by=employee, file=big)
    exact = _upload("exact.txt", b"a" * MAX_BYTES, "text/plain")
    assert services.attachment_add(idea=idea, uploaded_by=employee, file=exact).size == MAX_BYTES


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/abs/path/report.pdf", "report.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("re\x00port\n.pdf", "report.pdf"),
        ('quote"<>|.pdf', "quote____.pdf"),
    ],
)
def test_it_sanitises_names(raw, clean):
    assert sanitize_name(raw) == clean


def test_path_tricks_never_reach_the_file_system(idea, employee, settings):
    attachment = services.attachment_add(
        idea=idea, uploaded_by=employee, file=_upload("../../../evil.pdf", PDF)
    )
    assert ".." not in attachment.file.name
    assert attachment.original_name == "evil.pdf"


def test_submit_with_a_bad_file_saves_nothing(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("ideas:new"),
        {
            **guided_idea_post(),
            "attachments": [_upload("x.pdf", b"not a pdf at all")],
        },
    )
    assert response.status_code == 400
    assert "does not match a PDF" in response.content.decode()
    assert not Idea.objects.exists() and not Attachment.objects.exists()


def test_download_is_an_attachment_with_the_checked_type(client, idea, employee):
    attachment = services.attachment_add(
        idea=idea, uploaded_by=employee, file=_upload("e.pdf", PDF)
    )
    client.force_login(employee)
    response = client.get(reverse("ideas:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="e.pdf"'
    assert b"".join(response.streaming_content) == PDF

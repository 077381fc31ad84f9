"""The mail server is down: a transition still succeeds at once, the followers' notification
is in the app, marked unsent; once the server accepts connections the e-mail goes out, once."""

import socketserver
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from core import outbox
from core.models import OutboxMessage
from ideas.models import Follow, Notification
from ideas.tasks import notify_sweep_task
from tests import factories
from tests.reliability.processes import free_port


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        self._reply("220 test ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._reply("250 test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self._reply("250 OK")
            elif command == "DATA":
                self._reply("354 end with .")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data.decode())
                self.server.received.append("".join(body))
                self._reply("250 queued")
            elif command == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")

    def _reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())


class SMTPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), _SMTPHandler)
        self.received: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.mark.django_db
def test_mail_down_then_up_sends_each_notification_once(
    settings, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listening: connections are refused
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    manager = factories.ManagerFactory()
    author = factories.EmployeeFactory(email="author@example.com")
    idea = factories.IdeaFactory(status="submitted", author=author)
    Follow.objects.create(idea=idea, user=author)
    api = APIClient()
    api.force_authenticate(manager)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/ideas/{idea.pk}/transitions/", {"to": "screening"})
    took = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert took < 3, took

    # In the app at once, marked unsent; the e-mail task failed and waits in the outbox.
    note = Notification.objects.get(user=author)
    assert note.read_at is None and note.emailed_at is None
    message = OutboxMessage.objects.get(task_name="ideas.notify")
    assert message.sent_at is None and message.last_error.startswith("ConnectionRefusedError")

    # Still down: the sweep and the relay try, nothing is lost or marked sent.
    with time_machine.travel(timedelta(minutes=6)):
        assert notify_sweep_task.apply().get() == 0
    note.refresh_from_db()
    assert note.emailed_at is None

    server = SMTPServer(port)
    try:
        with time_machine.travel(timedelta(minutes=6)):
            assert notify_sweep_task.apply().get() == 1
        # The outbox retries its message too: the notification is claimed, no second e-mail.
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=note.created_at)
        assert outbox.relay().sent == 1
        assert notify_sweep_task.apply().get() == 0
    finally:
        server.shutdown()
        server.server_close()

    note.refresh_from_db()
    assert note.emailed_at is not None
    assert len(server.received) == 1
    assert "To: author@example.com" in server.received[0]

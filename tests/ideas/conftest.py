import pytest

from ideas import workflow
from tests.factories import CampaignFactory, MomentFactory, StageFactory
from tests.journeys.conftest import small_map  # noqa: F401  (the evidence heat on the map)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("journey map.png", PNG, content_type="image/png")


@pytest.fixture
def eager_celery():
    """Run queued tasks in process even when a broker is configured (as on CI)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def gates():
    """An empty gate registry for the test (other apps register theirs in ready());
    restored afterwards. Register checks with ``workflow.register_gate``."""
    saved = {to: list(checks) for to, checks in workflow._GATES.items()}
    workflow._GATES.clear()
    yield workflow._GATES
    workflow._GATES.clear()
    workflow._GATES.update(saved)


@pytest.fixture
def open_gates(gates):
    """Every external gate registered with a check that passes."""
    for to in workflow.EXTERNAL_GATES:
        workflow.register_gate(to, lambda ctx: None)
    return gates


@pytest.fixture
def campaign(db):
    return CampaignFactory(audience="everyone", slug="everyday")


@pytest.fixture
def staff_campaign(db):
    return CampaignFactory(audience="employees", slug="staff-only")


@pytest.fixture
def stage(db):
    return StageFactory(name="Onboard")


@pytest.fixture
def moment(stage):
    return MomentFactory(stage=stage, name="Card activation delay")

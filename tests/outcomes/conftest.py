from datetime import date
from decimal import Decimal

import pytest

from ideas import workflow
from tests import factories


@pytest.fixture
def owner(db):
    """The accountable owner of the ideas under test (an employee, not a manager)."""
    return factories.EmployeeFactory(display_name="Olive Owner", function="product")


@pytest.fixture
def funded(owner):
    return factories.IdeaFactory(title="Pre-filled income", status="funded", owner=owner)


@pytest.fixture
def experiment(funded):
    """Increase completion from 40 % to 60 %, pending, no measurements."""
    return factories.ExperimentFactory(
        idea=funded, baseline=Decimal("40"), target=Decimal("60"), starts_on=date(2026, 1, 1)
    )


@pytest.fixture
def launched(owner):
    return factories.IdeaFactory(title="Card in the app", status="launched", owner=owner)


@pytest.fixture
def gates():
    """An empty gate registry for the test, restored afterwards."""
    saved = {to: list(checks) for to, checks in workflow._GATES.items()}
    workflow._GATES.clear()
    yield workflow._GATES
    workflow._GATES.clear()
    workflow._GATES.update(saved)

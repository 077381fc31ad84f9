import pytest

from tests.factories import EmployeeFactory


@pytest.fixture
def members(db):
    """A panel's worth of employees spanning three functions (the default minimum)."""
    return [EmployeeFactory(function=f) for f in ["product", "sales", "it"]]

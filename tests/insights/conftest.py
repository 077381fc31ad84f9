"""The insights pages read every app: their tests reuse the journeys and budgets fixtures."""

from tests.budgets.conftest import approved_idea, fy, portfolio  # noqa: F401
from tests.journeys.conftest import small_map  # noqa: F401

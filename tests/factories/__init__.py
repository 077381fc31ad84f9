"""factory_boy factories, one module per app, re-exported here:
``from tests.factories import IdeaFactory``."""

from tests.factories.accounts import *  # noqa: F403
from tests.factories.budgets import *  # noqa: F403
from tests.factories.ideas import *  # noqa: F403
from tests.factories.journeys import *  # noqa: F403
from tests.factories.outcomes import *  # noqa: F403
from tests.factories.scoring import *  # noqa: F403

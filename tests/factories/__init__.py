"""factory_boy factories, one module per app, re-exported here:
``from tests.factories import IdeaFactory``."""

from tests.factories.accounts import *  # noqa: F403

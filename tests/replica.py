"""The ``replica`` database alias for one test, as ``DATABASE_REPLICA_URL`` would add it.

The suite runs without a replica. Tests of the routing add the alias for their duration:
pointed at the test database itself (a mirror: another connection to the same data, so
only committed rows are seen, as on a real replica) or at a real streaming replica.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.test import override_settings

from core.db import REPLICA, ReplicaRouter

ROUTERS = [f"{ReplicaRouter.__module__}.{ReplicaRouter.__qualname__}"]


@contextmanager
def replica_alias(**overrides) -> Iterator:
    """Add ``replica`` (the test database's settings with ``overrides``, e.g. another
    PORT) and the router; yields its connection and removes both afterwards."""
    settings_dict = {
        **connections["default"].settings_dict,
        **overrides,
        "TEST": {"MIRROR": "default"},
    }
    connections.settings[REPLICA] = settings_dict
    try:
        with override_settings(DATABASE_ROUTERS=ROUTERS):
            yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]

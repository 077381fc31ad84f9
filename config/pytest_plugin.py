"""pytest plugin (loaded with ``-p config.pytest_plugin`` from pyproject.toml): the
environment the test suite runs in, set before pytest-django imports the settings.

``DEBUG`` defaults to off in ``config/settings.py``; the suite runs with it on (development
key, no SSL redirect, plain static storage) unless the caller's environment says otherwise.
Django's test runner still switches ``settings.DEBUG`` off while tests run.
"""

import os

os.environ.setdefault("DEBUG", "true")

"""The one exception for "the request is valid, but the current state forbids it".

Services raise a ``Conflict`` (or an app's subclass that names its domain, such as the
workflow's ``TransitionError``); the DRF exception handler turns every one into a 409 with
``{"detail": message, "code": code}``, and HTML views show ``message`` to the user.
"""


class Conflict(Exception):
    """``message`` is for people; ``code`` is a stable machine-readable reason."""

    default_code = "conflict"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code

    def __str__(self) -> str:
        return self.message

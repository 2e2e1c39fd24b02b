"""Errors that services raise: each carries a message a user can act on."""

from django.http import Http404


class CasusError(Exception):
    """A rule refused the request; ``message`` is translated and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleViolation(CasusError):
    """The request breaks a business rule (wrong state, missing precondition)."""


class Forbidden(Http404):
    """The actor may not do this: answered as 404, so forbidden and missing look alike."""


class EditConflict(CasusError):
    """Someone else saved the same record meanwhile; nothing was overwritten.

    ``current`` is the record as it is now, so the page can show both versions.
    """

    def __init__(self, message: str, current: object = None) -> None:
        super().__init__(message)
        self.current = current

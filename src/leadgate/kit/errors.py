"""One error hierarchy for the whole product; each error carries the HTTP-style status it maps to."""

from __future__ import annotations


class LeadgateError(Exception):
    """Base class. `code` is stable (clients match on it); `message` says what to do about it."""

    status_code = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str]:
        out = {"code": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


class InvalidInput(LeadgateError):
    status_code = 422
    code = "invalid_input"


class RulebookError(LeadgateError):
    """A rulebook or organisation file is malformed or tries something it may not (e.g. loosen a law)."""

    status_code = 500
    code = "rulebook_error"


class Unauthenticated(LeadgateError):
    """No credentials, or credentials that are not (or no longer) valid."""

    status_code = 401
    code = "unauthenticated"


class Forbidden(LeadgateError):
    """Valid credentials whose role or partner may not do this."""

    status_code = 403
    code = "forbidden"


class NotFound(LeadgateError):
    status_code = 404
    code = "not_found"


class Conflict(LeadgateError):
    status_code = 409
    code = "conflict"


class TooLarge(LeadgateError):
    status_code = 413
    code = "body_too_large"


class RateLimited(LeadgateError):
    status_code = 429
    code = "rate_limited"

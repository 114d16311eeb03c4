"""What the booking service says when it cannot do what was asked: a code for code, a message for people."""

from __future__ import annotations

from django.utils.translation import gettext_noop


class BookingError(Exception):
    """The change cannot be made; ``message`` says why in words a visitor or clerk can act on."""

    code = "booking_error"
    message = gettext_noop("The visit could not be changed")  # translated where it is shown

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.message
        self.code = code or self.code
        super().__init__(self.message)


class SessionUnavailable(BookingError):
    """The session cannot take this visit (full, blocked, not open to the prisoner, ...)."""

    code = "session_unavailable"
    message = gettext_noop("Your visit time is no longer available. Select a new time.")  # translated where it is shown


class HoldLost(SessionUnavailable):
    code = "hold_lost"


class AlreadyProcessed(BookingError):
    """Someone else changed the visit first (e.g. two clerks processing one request)."""

    code = "already_processed"
    message = gettext_noop("This visit has already been processed by someone else")  # translated where it is shown


class NotAllowed(BookingError):
    """The change is not allowed for this visit in its state, or at this time."""

    code = "not_allowed"


class InvalidChange(BookingError):
    """The change was asked for with missing or wrong details (e.g. a rejection without its reason)."""

    code = "invalid"

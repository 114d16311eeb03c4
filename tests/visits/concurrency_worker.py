"""A separate OS process that books visits, for the cross-process concurrency tests.

Run as ``python -m tests.visits.concurrency_worker <session_id> <prisoner_prefix> <attempts>`` with DATABASE_URL
pointing at the test database; prints one JSON line: how many bookings succeeded and the error codes of the rest.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date


def main(session_id: int, prefix: str, attempts: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from prisons.models import VisitSession
    from visits.errors import BookingError
    from visits.rules import PartyMember
    from visits.services import ContactDetails, PrisonerDetails, visit_book, visit_reserve

    booked, errors = 0, []
    for n in range(attempts):
        session = VisitSession.objects.get(pk=session_id)
        prisoner = PrisonerDetails(f"{prefix}{n:04d}ZZ"[:7], "Test", "Prisoner")
        try:
            visit = visit_reserve(
                session=session,
                prisoner=prisoner,
                closed=False,
                party=[PartyMember("Ann", "Visitor", date(1980, 1, 1))],
            )
            visit_book(visit=visit, contact=ContactDetails(email="a@example.com"))
            booked += 1
        except BookingError as error:
            errors.append(error.code)
    print(json.dumps({"booked": booked, "errors": errors}))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))

"""Book a visit in a separate OS process, for the "Redis is down when the booking commits" test.

Run as ``python -m tests.notifications.book_elsewhere <session_id>`` with DATABASE_URL at the test database and
REDIS_URL wherever the test wants the broker to be (nowhere, for that test).
"""

from __future__ import annotations

import os
import sys


def main(session_id: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from prisons.models import VisitSession
    from tests.factories import MARY, details, make_prisoner
    from tests.notifications.flows import CONTACT
    from visits.services import visit_book, visit_reserve

    session = VisitSession.objects.get(pk=session_id)
    visit = visit_reserve(session=session, prisoner=details(make_prisoner("R1234ED")), party=[MARY], closed=False)
    visit_book(visit=visit, contact=CONTACT)  # with the broker down nothing after the commit may raise either
    print(visit.reference)


if __name__ == "__main__":
    main(int(sys.argv[1]))

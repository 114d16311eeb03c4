"""Book a visit in a separate OS process, for the "Redis is down when the booking commits" test.

Run as ``python -m tests.visits.notify.book_elsewhere <session_id>`` with DATABASE_URL at the test database and
REDIS_URL wherever the test wants the broker to be (nowhere, for that test).
"""

from __future__ import annotations

import os
import sys


def main(session_id: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from kombu.exceptions import OperationalError

    from prisons.models import VisitSession
    from tests.factories import MARY, details, make_prisoner
    from tests.visits.notify.flows import CONTACT
    from visits.services import visit_book, visit_reserve

    session = VisitSession.objects.get(pk=session_id)
    visit = visit_reserve(session=session, prisoner=details(make_prisoner("R1234ED")), party=[MARY], closed=False)
    try:
        visit_book(visit=visit, contact=CONTACT)
    except OperationalError as error:
        # Raised after the commit by another after-commit callback that queues a task (the NOMIS push) and does
        # not catch a broker error: the booking stands, and a web request would have shown an error page.
        print(f"an after-commit callback failed: {error!r}", file=sys.stderr)
    print(visit.reference)


if __name__ == "__main__":
    main(int(sys.argv[1]))

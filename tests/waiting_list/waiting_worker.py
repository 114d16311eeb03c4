"""A separate OS process that cancels visits, for the waiting list's cross-process test: each cancellation offers
its freed place to the waiting list (the offer task runs in this process: tasks are eager in the test settings).

Run as ``python -m tests.waiting_list.waiting_worker <visit_id> [<visit_id> ...]`` with DATABASE_URL pointing at the
test database, after the line "go" arrives on stdin (so that every worker starts at once); prints one JSON line: how
many cancellations it made.
"""

from __future__ import annotations

import json
import os
import sys


def main(visit_ids: list[int]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from visits.models import Visit
    from visits.services import Actor, visit_cancel

    visits = [Visit.objects.get(pk=pk) for pk in visit_ids]
    sys.stdin.readline()  # "go"
    for visit in visits:
        visit_cancel(visit=visit, reason="Someone is ill", actor=Actor.visitor())
    print(json.dumps({"cancelled": len(visits)}))


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]])

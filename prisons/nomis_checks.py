"""NOMIS data quality, tolerated and shown: what the service finds wrong in NOMIS's answer about a prisoner (no cell
location, a visitor with no date of birth or listed twice, a restriction with no start date, no visit balance) is
kept as ``NomisCheck`` rows for the prison's "to check in NOMIS" list, and dropped the first time NOMIS answers
without it. None of it stops a booking: the rules treat a missing date as in force and a missing balance as one for
the prison to check (a request).

Recorded when the public journey or the console asks NOMIS afresh about a prisoner (``visits.selectors``): one
DELETE of what is no longer seen and, when something is, one INSERT ... ON CONFLICT, whatever the prisoner, so a
number that exists costs what one that does not costs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from prisons.models import NomisCheck
from prisons.nomis.interface import BookingFacts


@dataclass(frozen=True)
class Found:
    kind: str
    subject: str = ""
    detail: str = ""


def nomis_checks_in(facts: BookingFacts) -> list[Found]:
    """What NOMIS's answer about this prisoner gets wrong."""
    found = []
    if not facts.prisoner.location:
        found.append(Found(NomisCheck.Kind.NO_CELL))
    if not facts.balance.known:
        found.append(Found(NomisCheck.Kind.NO_VISIT_BALANCE))
    if any(r.start_date == dt.date.min for r in facts.prisoner.restrictions):
        found.append(Found(NomisCheck.Kind.RESTRICTION_WITHOUT_START, detail="On the prisoner"))
    people: dict[tuple[str, str, dt.date | None], list[int]] = defaultdict(list)
    for visitor in facts.approved:
        name = f"{visitor.first_name} {visitor.last_name}"
        if visitor.date_of_birth is None:
            found.append(Found(NomisCheck.Kind.NO_DATE_OF_BIRTH, str(visitor.contact_id), name))
        if any(r.start_date == dt.date.min for r in visitor.restrictions):
            found.append(Found(NomisCheck.Kind.RESTRICTION_WITHOUT_START, str(visitor.contact_id), f"On {name}"))
        key = (visitor.first_name.strip().lower(), visitor.last_name.strip().lower(), visitor.date_of_birth)
        people[key].append(visitor.contact_id)
    for (first, last, _born), ids in people.items():
        if len(ids) > 1:
            name = f"{first.title()} {last.title()}"
            found.append(Found(NomisCheck.Kind.SAME_VISITOR_TWICE, ",".join(map(str, sorted(ids))), name))
    return found


def nomis_checks_forget(*, now: dt.datetime | None = None) -> int:
    """Drop the items of prisoners nobody has looked up for ``NOMIS_CHECKS_DAYS`` (released, moved on, or never
    asked about again): nothing then says whether NOMIS is still wrong, and the details name visitors."""
    before = (now or timezone.now()) - dt.timedelta(days=settings.NOMIS_CHECKS_DAYS)
    deleted, _ = NomisCheck.objects.filter(last_seen__lt=before).delete()
    return deleted


def nomis_checks_record(number: str, facts: BookingFacts | None, *, now: dt.datetime | None = None) -> None:
    """Keep what is wrong in NOMIS's answer about prisoner ``number`` (``facts``; None: no such prisoner), and drop
    what was wrong before and is not now."""
    now = now or timezone.now()
    found = nomis_checks_in(facts) if facts is not None else []
    still = Q()
    for item in found:
        still |= Q(kind=item.kind, subject=item.subject)
    gone = NomisCheck.objects.filter(prisoner_number=number)
    (gone.exclude(still) if found else gone).delete()
    if not found or facts is None:
        return
    NomisCheck.objects.bulk_create(
        [
            NomisCheck(
                prison_code=facts.prisoner.prison_code,
                prisoner_number=number,
                kind=item.kind,
                subject=item.subject,
                detail=item.detail[:200],
                first_seen=now,
                last_seen=now,
            )
            for item in found
        ],
        update_conflicts=True,
        unique_fields=["prisoner_number", "kind", "subject"],
        update_fields=["prison_code", "detail", "last_seen"],
    )

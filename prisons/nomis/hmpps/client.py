"""``HmppsNomisClient``: the NOMIS interface over the HMPPS APIs (docs/nomis.md maps every method to its calls).

Every call goes through ``HmppsHttp`` (token, timeouts, retries, circuit breaker, typed errors) and every answer
is read through ``answers.Answer`` (a missing or malformed field is a ``NomisError`` naming it). What NOMIS is
known to get wrong (no cell, no date of birth, a restriction with no start) is tolerated, not an error.

The APIs' base URLs are ``settings.HMPPS_API_URLS``; their paths do not overlap, so one origin can serve them all
(the fake HMPPS server does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone

from prisons.nomis.hmpps import codes
from prisons.nomis.hmpps.answers import Answer, answers
from prisons.nomis.hmpps.events import EventsQueue, cursor_position, events_page
from prisons.nomis.hmpps.transport import Conflict, HmppsHttp
from prisons.nomis.interface import (
    ApprovedVisitor,
    BookingFacts,
    CancelOutcome,
    EventPage,
    LegalStatus,
    NomisError,
    NomisNotFound,
    Prisoner,
    Restriction,
    Unavailability,
    UnavailableReason,
    VisitBalance,
    VisitToRecord,
)

PRISONER_NUMBER = re.compile(r"[A-Z][0-9]{4}[A-Z]{2}")
RELEASED = "OUT"
T = TypeVar("T")

PRISONER_SEARCH = "prisoner search"
PRISON_API = "prison-api"
ALERTS = "alerts API"
CONTACTS = "contact registry"
NON_ASSOCIATIONS = "non-associations API"
ALLOCATION = "visit allocation API"
WHEREABOUTS = "whereabouts API"
NOMIS_PRISONER_API = "NOMIS prisoner API"
API_KEYS = {
    PRISONER_SEARCH: "prisoner_search",
    PRISON_API: "prison_api",
    ALERTS: "alerts",
    CONTACTS: "contact_registry",
    NON_ASSOCIATIONS: "non_associations",
    ALLOCATION: "visit_allocation",
    WHEREABOUTS: "whereabouts",
    NOMIS_PRISONER_API: "nomis_prisoner",
}


def nomis_number(number: str) -> str | None:
    """The number as NOMIS writes it, or None when it cannot be one (then no API is asked)."""
    number = str(number).strip().upper()
    return number if PRISONER_NUMBER.fullmatch(number) else None


def display_name(name: str) -> str:
    """NOMIS keeps prisoners' names in capitals: 'O'NEILL' -> "O'Neill"; a name already mixed stays as it is."""
    return name.title() if name.isupper() else name


class HmppsNomisClient:
    """The NOMIS interface over HTTP. ``http``, ``urls`` and ``concurrent`` are for tests: a transport of their own,
    answered in the test's thread (its database transaction) when ``concurrent`` is False."""

    def __init__(
        self,
        *,
        http: HmppsHttp | None = None,
        urls: Mapping[str, str] | None = None,
        events: EventsQueue | None = None,
        concurrent: bool = True,
    ) -> None:
        self.http = http or HmppsHttp()
        self.events = events or EventsQueue(
            self.http, queue_url=settings.HMPPS_EVENTS_QUEUE_URL, region=settings.HMPPS_EVENTS_REGION
        )
        self.urls = dict(urls or settings.HMPPS_API_URLS)
        missing = [key for key in API_KEYS.values() if not self.urls.get(key)]
        if missing:
            raise NomisError(f"No base URL for {', '.join(missing)} (HMPPS_API_URL, or each API's own setting)")
        # The calls of one question go out together (as the MOJ's orchestration service makes them).
        self._together = ThreadPoolExecutor(max_workers=8, thread_name_prefix="hmpps") if concurrent else None

    # --- calls --------------------------------------------------------------------------------------------------

    def _url(self, api: str, path: str) -> str:
        return self.urls[API_KEYS[api]].rstrip("/") + path

    def _get(self, api: str, path: str, params: dict[str, Any] | None = None, *, missing_ok: bool = True) -> Any:
        return self.http.get(api, self._url(api, path), params=params, missing_ok=missing_ok)

    def _all(self, *calls: Callable[[], Any]) -> list[Any]:
        """Make the calls at once and wait for every answer; the first failure is raised."""
        if self._together is None:
            return [call() for call in calls]
        futures = [self._together.submit(call) for call in calls]
        return [future.result() for future in futures]

    # --- the prisoner -------------------------------------------------------------------------------------------

    def _search(self, number: str) -> Any:
        return self._get(PRISONER_SEARCH, f"/prisoner/{number}")

    def _restrictions(self, number: str) -> Any:
        return self._get(
            PRISON_API, f"/api/offenders/{number}/offender-restrictions", {"activeRestrictionsOnly": "true"}
        )

    def _alerts(self, number: str) -> Any:
        return self._get(ALERTS, f"/prisoners/{number}/alerts", {"isActive": "true"})

    def get_prisoner(self, number: str) -> Prisoner | None:
        found = nomis_number(number)
        if found is None:
            return None
        search, restrictions, alerts = self._all(
            lambda: self._search(found), lambda: self._restrictions(found), lambda: self._alerts(found)
        )
        return _prisoner(search, restrictions, alerts)

    def get_approved_visitors(self, number: str) -> list[ApprovedVisitor]:
        found = nomis_number(number)
        return [] if found is None else _approved(self._contacts(found))

    def _contacts(self, number: str) -> Any:
        return self._get(
            CONTACTS,
            f"/v2/prisoners/{number}/contacts/social/approved",
            {"hasDateOfBirth": "false", "withRestrictions": "true"},
        )

    def get_non_associations(self, number: str) -> list[str]:
        found = nomis_number(number)
        return [] if found is None else _non_associations(self._non_associations(found))

    def _non_associations(self, number: str) -> Any:
        return self._get(NON_ASSOCIATIONS, f"/prisoner/{number}/non-associations", {"includeOtherPrisons": "true"})

    def get_visit_balance(self, number: str) -> VisitBalance:
        found = nomis_number(number)
        if found is None:
            raise NomisNotFound("No such prisoner in NOMIS")  # errors are logged: no prisoner numbers in them
        search, balance = self._all(lambda: self._search(found), lambda: self._balance(found))
        if search is None:
            raise NomisNotFound("No such prisoner in NOMIS")
        return _balance(balance, remand=_remand(Answer(PRISONER_SEARCH, search)))

    def _balance(self, number: str) -> Any:
        return self._get(ALLOCATION, f"/visits/allocation/prisoner/{number}/balance/detailed")

    def get_unavailable_dates(self, number: str, start: date, end: date) -> list[Unavailability]:
        found = nomis_number(number)
        if found is None or end < start:
            return []
        search, transfers, appointments = self._all(
            lambda: self._search(found),
            lambda: self._transfers(found),
            lambda: self._appointments(found, start, end),
        )
        if search is None:
            return []
        hearings = self._hearings(Answer(PRISONER_SEARCH, search), start, end)
        return _unavailable(search, hearings, transfers, appointments, start, end)

    def _transfers(self, number: str) -> Any:
        return self._get(PRISON_API, f"/api/schedules/{number}/scheduled-transfers")

    def _appointments(self, number: str, start: date, end: date) -> Any:
        return self._get(WHEREABOUTS, f"/events/{number}", {"fromDate": start.isoformat(), "toDate": end.isoformat()})

    def _hearings(self, search: Answer, start: date, end: date) -> Any:
        booking = search.text_or_none("bookingId")
        if booking is None or not booking.isdigit():
            return None
        path = f"/api/bookings/{booking}/court-hearings"
        return self._get(PRISON_API, path, {"fromDate": start.isoformat(), "toDate": end.isoformat()})

    def get_booking_facts(self, number: str, start: date, end: date) -> BookingFacts | None:
        found = nomis_number(number)
        if found is None:
            return None
        search, restrictions, alerts, contacts, pairs, balance, transfers, appointments = self._all(
            lambda: self._search(found),
            lambda: self._restrictions(found),
            lambda: self._alerts(found),
            lambda: self._contacts(found),
            lambda: self._non_associations(found),
            lambda: self._balance(found),
            lambda: self._transfers(found),
            lambda: self._appointments(found, start, end),
        )
        prisoner = _prisoner(search, restrictions, alerts)
        if prisoner is None:
            return None
        hearings = self._hearings(Answer(PRISONER_SEARCH, search), start, end) if end >= start else None
        return BookingFacts(
            prisoner=prisoner,
            balance=_balance(balance, remand=prisoner.legal_status == LegalStatus.REMAND),
            approved=tuple(_approved(contacts)),
            non_associations=tuple(_non_associations(pairs)),
            unavailable=tuple(_unavailable(search, hearings, transfers, appointments, start, end)),
        )

    # --- visits -------------------------------------------------------------------------------------------------

    def record_visit(self, visit: VisitToRecord) -> str:
        found = nomis_number(visit.prisoner_number)
        if found is None:
            raise NomisNotFound("No such prisoner in NOMIS")
        start, end = timezone.localtime(visit.start), timezone.localtime(visit.end)
        reference = f"Visit someone in prison booking reference: {visit.reference}"
        body = {
            "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%S"),
            "endTime": end.strftime("%H:%M"),
            "prisonId": visit.prison_code,
            "visitorPersonIds": list(visit.visitor_contact_ids),
            "visitType": codes.SOCIAL_VISIT,
            "issueDate": timezone.localdate().isoformat(),
            "visitComment": reference,  # NOMIS's duplicate check compares it: a retry is answered 409
            "visitOrderComment": reference,
            "room": visit.room,
            "openClosedStatus": codes.CLOSED if visit.closed else codes.OPEN,
        }
        url = self._url(NOMIS_PRISONER_API, f"/prisoners/{found}/visits")
        try:
            answer = self.http.send(NOMIS_PRISONER_API, "POST", url, body=body)
        except Conflict as already:  # recorded before: NOMIS names the visit it holds
            existing = already.body.get("moreInfo") if isinstance(already.body, dict) else None
            if existing is None or not str(existing).isdigit():
                raise NomisError(f"{NOMIS_PRISONER_API}: a 409 without the recorded visit's id") from already
            return str(existing)
        return str(Answer(NOMIS_PRISONER_API, answer).number("visitId"))

    def cancel_visit(self, prisoner_number: str, nomis_visit_id: str, outcome: CancelOutcome) -> None:
        found = nomis_number(prisoner_number)
        if found is None or not str(nomis_visit_id).isdigit():
            raise NomisNotFound("No such visit of the prisoner's in NOMIS")
        url = self._url(NOMIS_PRISONER_API, f"/prisoners/{found}/visits/{nomis_visit_id}/cancel")
        try:
            self.http.send(NOMIS_PRISONER_API, "PUT", url, body={"outcome": CancelOutcome(outcome).value})
        except Conflict:
            return  # cancelled already

    # --- events -------------------------------------------------------------------------------------------------

    def events_since(self, cursor: str | None, limit: int = 100) -> EventPage:
        """Take in what the events queue holds, then page the events kept (the cursor is a row id)."""
        cursor_position(cursor)  # a cursor that is not one fails before anything is taken from the queue
        if not self.events.queue_url:
            raise NomisError("No events queue (HMPPS_EVENTS_QUEUE_URL)")
        self.events.receive()
        return events_page(cursor, limit)


# --- reading the answers ----------------------------------------------------------------------------------------


def _prisoner(search: Any, restrictions: Any, alerts: Any) -> Prisoner | None:
    if search is None:
        return None
    record = Answer(PRISONER_SEARCH, search)
    incentive = record.child_or_none("currentIncentive")
    level = incentive.child_or_none("level") if incentive else None
    return Prisoner(
        number=record.text("prisonerNumber"),
        first_name=display_name(record.text("firstName")),
        last_name=display_name(record.text("lastName")),
        date_of_birth=record.day("dateOfBirth"),
        prison_code=record.text("prisonId"),
        location=record.text_or_none("cellLocation") or "",
        category=record.text_or_none("category") or "",
        incentive_level=(level.text_or_none("code") if level else None) or "",
        legal_status=LegalStatus.REMAND if _remand(record) else LegalStatus.CONVICTED,
        restrictions=_prisoner_restrictions(restrictions),
        alerts=_alert_codes(alerts),
    )


def _remand(record: Answer) -> bool:
    convicted = record.text_or_none("convictedStatus")
    if convicted is not None:
        return convicted == codes.REMAND
    return record.text_or_none("legalStatus") == "REMAND"


def _prisoner_restrictions(restrictions: Any) -> tuple[Restriction, ...]:
    if restrictions is None:
        return ()
    found = [
        _restriction(row, codes.PRISONER_RESTRICTIONS)
        for row in Answer(PRISON_API, restrictions).children("offenderRestrictions", optional=True)
        if row.flag("active", default=True)
    ]
    return _in_order(found)


def _restriction(row: Answer, vocabulary: Mapping[str, Any]) -> Restriction | None:
    kind = vocabulary.get(row.text("restrictionType"))
    if kind is None:
        return None  # a restriction the service does not act on (CCTV, PREINF...)
    return Restriction(
        type=kind,
        # NOMIS holds restrictions with no start date: in force from the start of time, never dropped.
        start_date=row.day_or_none("startDate") or date.min,
        end_date=row.day_or_none("expiryDate"),
        comment=row.text_or_none("comment") or "",
    )


def _in_order(restrictions: list[Restriction | None]) -> tuple[Restriction, ...]:
    kept = [restriction for restriction in restrictions if restriction is not None]
    return tuple(sorted(kept, key=lambda restriction: restriction.start_date))


def _alert_codes(alerts: Any) -> tuple[str, ...]:
    if alerts is None:
        return ()
    page = Answer(ALERTS, alerts)
    found = []
    for alert in page.children("content"):
        if alert.flag("isActive", default=True):
            found.append(alert.child("alertCode").text("code"))
    return tuple(dict.fromkeys(found))


def _approved(contacts: Any) -> list[ApprovedVisitor]:
    if contacts is None:
        return []
    found = []
    for person in answers(CONTACTS, contacts):
        if not person.flag("approvedVisitor", default=True):
            continue
        found.append(
            ApprovedVisitor(
                contact_id=person.number("personId"),
                first_name=person.text("firstName"),
                last_name=person.text("lastName"),
                date_of_birth=person.day_or_none("dateOfBirth"),
                relationship=person.text_or_none("relationshipDescription")
                or person.text_or_none("relationshipCode")
                or "",
                restrictions=_in_order(
                    [
                        _restriction(row, codes.VISITOR_RESTRICTIONS)
                        for row in person.children("restrictions", optional=True)
                    ]
                ),
            )
        )
    return found


def _non_associations(pairs: Any) -> list[str]:
    if pairs is None:
        return []
    found = {
        pair.child("otherPrisonerDetails").text("prisonerNumber")
        for pair in Answer(NON_ASSOCIATIONS, pairs).children("nonAssociations", optional=True)
        if not pair.flag("isClosed")
    }
    return sorted(found)


def _balance(balance: Any, *, remand: bool) -> VisitBalance:
    # No HMPPS API has the weekly cap of a prisoner on remand: the visit services keep it per prison.
    weekly = settings.NOMIS_REMAND_VISITS_PER_WEEK if remand else None
    if balance is None:  # NOMIS holds none for a prisoner it knows: the prison must check (data quality)
        return VisitBalance.unknown(remand_visits_per_week=weekly)
    row = Answer(ALLOCATION, balance)
    return VisitBalance(
        visiting_orders=max(0, row.number("voBalance")),
        privileged_visiting_orders=max(0, row.number("pvoBalance")),
        renews_on=row.day_or_none("nextVoAllocationDate"),
        remand_visits_per_week=weekly,
    )


def _unavailable(
    search: Any, hearings: Any, transfers: Any, appointments: Any, start: date, end: date
) -> list[Unavailability]:
    found: set[tuple[date, UnavailableReason]] = set()

    def from_then_on(day: date | None, reason: UnavailableReason) -> None:
        if day is not None and day <= end:
            first = max(day, start)
            found.update((first + timedelta(days=n), reason) for n in range((end - first).days + 1))

    def on(day: date | None, reason: UnavailableReason) -> None:
        if day is not None and start <= day <= end:
            found.add((day, reason))

    from_then_on(Answer(PRISONER_SEARCH, search).day_or_none("confirmedReleaseDate"), UnavailableReason.RELEASE)
    if hearings is not None:
        for hearing in Answer(PRISON_API, hearings).children("hearings", optional=True):
            on(_day_of(hearing, "dateTime"), UnavailableReason.COURT)
    if transfers is not None:
        for transfer in answers(PRISON_API, transfers):
            from_then_on(_day_of(transfer, "startTime"), UnavailableReason.TRANSFER)
    if appointments is not None:
        for event in answers(WHEREABOUTS, appointments):
            if event.text_or_none("eventType") == codes.APPOINTMENT and (
                event.text_or_none("eventSubType") in codes.MEDICAL_APPOINTMENTS
            ):
                on(event.day_or_none("eventDate"), UnavailableReason.HOSPITAL)
    return [Unavailability(date=day, reason=reason) for day, reason in sorted(found)]


def _day_of(row: Answer, field: str) -> date | None:
    value = row.text_or_none(field)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return row.day(field)  # names the field in the error

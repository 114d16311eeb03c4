"""Reads for the staff console, always through the prison the user is working in (see staff.access)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from prisons.models import Prison, VisitSession
from visits.models import PLACE_TAKING_STATES, Visit, VisitFlag, Visitor, VisitState


def prisons_for_user(user: AbstractBaseUser | AnonymousUser) -> list[Prison]:
    """The prisons this staff user covers, in name order (none for anyone signed out)."""
    if not user.is_authenticated:
        return []
    return list(Prison.objects.filter(staff_access__user=user).order_by("name"))


def has_started(session: VisitSession) -> bool:
    """Whether the session's start time has passed (staff cannot book or move visits into it any more)."""
    now = timezone.localtime()
    return (session.date, session.start_time) <= (now.date(), now.time())


def sessions_with_counts(*, prison: Prison, day: date) -> list[VisitSession]:
    """The day's sessions, each with ``open_taken`` and ``closed_taken`` places (one query)."""
    now = timezone.now()
    live = Q(visits__state__in=[s.value for s in PLACE_TAKING_STATES]) & ~Q(
        visits__state=VisitState.RESERVED, visits__hold_expires_at__lte=now
    )
    return list(
        VisitSession.objects.filter(prison=prison, date=day)
        .annotate(
            open_taken=Count("visits", filter=live & Q(visits__closed=False)),
            closed_taken=Count("visits", filter=live & Q(visits__closed=True)),
        )
        .order_by("start_time")
    )


def _open_flags() -> Exists:
    return Exists(VisitFlag.objects.filter(visit=OuterRef("pk"), cleared_at__isnull=True))


def dashboard_counts(*, prison: Prison) -> dict[str, int]:
    """Requests waiting, flagged visits, and visits not yet in NOMIS at the prison (one query)."""
    return Visit.objects.filter(prison=prison).aggregate(
        requests=Count("id", filter=Q(state=VisitState.REQUESTED)),
        unsynced=Count("id", filter=Q(nomis_sync_needed=True), distinct=True),
        flagged=Count(
            "id",
            filter=Q(
                state__in=[VisitState.BOOKED, VisitState.REQUESTED], flags__cleared_at__isnull=True, flags__isnull=False
            ),
            distinct=True,
        ),
    )


def _with_people(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    return (
        visits.select_related("session")
        .annotate(flagged=_open_flags())
        .prefetch_related(Prefetch("visitors", queryset=Visitor.objects.order_by("position")))
    )


def visits_on(*, prison: Prison, day: date, session_id: int | None = None) -> list[Visit]:
    """Booked, requested and finished visits on a day (not holds or dead ones), with visitors (two queries)."""
    visits = Visit.objects.filter(prison=prison, session__date=day).exclude(
        state__in=[VisitState.RESERVED, VisitState.EXPIRED, VisitState.WITHDRAWN, VisitState.REJECTED]
    )
    if session_id is not None:
        visits = visits.filter(session_id=session_id)
    return list(_with_people(visits).order_by("session__start_time", "prisoner_last_name", "id"))


def visits_unsynced(*, prison: Prison) -> list[Visit]:
    """Visits whose last change has not reached NOMIS yet, oldest change first (two queries)."""
    return list(_with_people(Visit.objects.filter(prison=prison, nomis_sync_needed=True)).order_by("updated_at"))


def requests_waiting(*, prison: Prison) -> list[Visit]:
    """Requests for staff to decide, soonest first (two queries)."""
    visits = Visit.objects.filter(prison=prison, state=VisitState.REQUESTED)
    return list(_with_people(visits).order_by("session__date", "session__start_time", "id"))


def flagged_visits(*, prison: Prison) -> list[Visit]:
    """Visits with a flag not yet cleared, soonest first, each with its open flags (three queries)."""
    visits = Visit.objects.filter(prison=prison, state__in=[VisitState.BOOKED, VisitState.REQUESTED]).filter(
        _open_flags()
    )
    return list(
        _with_people(visits)
        .prefetch_related(
            Prefetch("flags", queryset=VisitFlag.objects.filter(cleared_at__isnull=True), to_attr="open_flags")
        )
        .order_by("session__date", "session__start_time", "id")
    )


def visit_for_staff(*, prison: Prison, reference: str) -> Visit | None:
    """One visit at this prison, with everything its page shows."""
    return (
        Visit.objects.filter(prison=prison, reference=reference)
        .select_related("session", "booked_by")
        .prefetch_related("visitors", "events__actor", "flags", "preferences__session")
        .first()
    )


def search_visits(*, prison: Prison, query: str) -> list[Visit]:
    """Visits at this prison by reference, prisoner number or visitor name (latest first, at most 50)."""
    text = query.strip()
    if not text:
        return []
    words = text.split()
    condition = Q(reference__iexact=text) | Q(prisoner_number__iexact=text)
    name = Q()
    for word in words:
        name &= Q(visitors__first_name__icontains=word) | Q(visitors__last_name__icontains=word)
    visits = (
        Visit.objects.filter(prison=prison)
        .filter(condition | name)
        .exclude(state__in=[VisitState.RESERVED, VisitState.EXPIRED])
    )
    return list(_with_people(visits.distinct()).order_by("-session__date", "-id")[:50])

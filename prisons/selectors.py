"""Reads about prisons and their timetables."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from prisons.models import Prison
from prisons.timetable import SessionSlot, sessions_between


def prisons_bookable_online() -> list[Prison]:
    """Every prison a visitor can choose online, in name order."""
    return list(Prison.objects.bookable_online().order_by("name"))


def prison_timetable(*, prison: Prison, first: date, last: date) -> dict[date, list[SessionSlot]]:
    """The sessions the prison's timetable runs on each date from ``first`` to ``last`` (three queries)."""
    templates = prison.session_templates.filter(valid_from__lte=last).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=first)
    )
    specific = prison.date_specific_sessions.filter(date__range=(first, last))
    blocks = prison.blocked_dates.filter(date__range=(first, last))
    return sessions_between(first, last, templates, specific, blocks)


def prison_coming_week(*, prison: Prison, today: date) -> dict[date, list[SessionSlot]]:
    """Visiting times for the seven days from today, without blocked sessions."""
    week = prison_timetable(prison=prison, first=today, last=today + timedelta(days=6))
    return {day: [slot for slot in slots if not slot.blocked] for day, slots in week.items()}

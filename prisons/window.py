"""The bookable window as pure functions: processing days, the first and the last bookable date.

A visit must be booked ``lead_days`` processing days ahead: processing days skip weekends (unless the prison
works weekends) and always skip the bank holidays of England and Wales. The first bookable date is the day after
the ``lead_days``-th processing day after today; the last is today plus the booking window (28 days at most).
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays

MAX_BOOKING_WINDOW_DAYS = 28
SATURDAY = 5


@functools.cache
def bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays of England and Wales in a year (Wales has the same as England), from `holidays`."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def is_processing_day(day: date, *, works_weekends: bool) -> bool:
    """Whether staff process bookings on this day."""
    if is_bank_holiday(day):
        return False
    return works_weekends or day.weekday() < SATURDAY


def first_bookable_date(today: date, *, lead_days: int, works_weekends: bool) -> date:
    """The day after the ``lead_days``-th processing day after today."""
    day = today
    counted = 0
    while counted < lead_days:
        day += timedelta(days=1)
        if is_processing_day(day, works_weekends=works_weekends):
            counted += 1
    return day + timedelta(days=1)


def last_bookable_date(today: date, *, booking_window: int) -> date:
    """Today plus the booking window, which is never more than 28 days."""
    return today + timedelta(days=min(booking_window, MAX_BOOKING_WINDOW_DAYS))


def bookable_window(today: date, *, lead_days: int, works_weekends: bool, booking_window: int) -> tuple[date, date]:
    """The first and last bookable dates; first > last when the window is empty."""
    return (
        first_bookable_date(today, lead_days=lead_days, works_weekends=works_weekends),
        last_bookable_date(today, booking_window=booking_window),
    )


def processing_days_after(start: date, end: date, *, works_weekends: bool) -> int:
    """How many processing days there are after ``start`` up to and including ``end`` (0 when end <= start): how
    long something asked on ``start`` and answered on ``end`` took, in the working days staff promise in."""
    days = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_processing_day(day, works_weekends=works_weekends):
            days += 1
    return days

"""Processing days and the bookable window, as pure functions with fixed dates."""

from __future__ import annotations

from datetime import date

import pytest

from prisons.window import bookable_window, first_bookable_date, is_processing_day, last_bookable_date


@pytest.mark.parametrize(
    ("today", "works_weekends", "expected", "why"),
    [
        (date(2026, 11, 23), False, date(2026, 11, 27), "Mon: Tue, Wed, Thu are processing days; Friday is first"),
        (date(2026, 11, 26), False, date(2026, 12, 2), "Thu: Fri, Mon, Tue; the weekend is skipped"),
        (date(2026, 11, 26), True, date(2026, 11, 30), "Thu, works weekends: Fri, Sat, Sun"),
        (date(2026, 12, 23), False, date(2026, 12, 31), "Christmas: 24th, (25th, 28th bank holidays), 29, 30"),
        (date(2026, 12, 23), True, date(2026, 12, 30), "works weekends, still skips bank holidays: 24, 27, 29"),
        (date(2026, 12, 30), False, date(2027, 1, 6), "turn of the year: 31, (1 Jan), 4, 5"),
        (
            date(2027, 3, 25),
            False,
            date(2027, 4, 2),
            "Easter 2027: Good Friday and Easter Monday skipped: 30, 31 Mar, 1 Apr",
        ),
    ],
)
def test_first_bookable_date(today: date, works_weekends: bool, expected: date, why: str) -> None:
    assert first_bookable_date(today, lead_days=3, works_weekends=works_weekends) == expected, why


def test_bank_holidays_are_never_processing_days() -> None:
    assert not is_processing_day(date(2026, 12, 28), works_weekends=True)  # Boxing Day (substitute)
    assert not is_processing_day(date(2026, 8, 31), works_weekends=False)  # late summer bank holiday
    assert is_processing_day(date(2026, 11, 28), works_weekends=True)  # an ordinary Saturday
    assert not is_processing_day(date(2026, 11, 28), works_weekends=False)


def test_zero_lead_days_means_tomorrow() -> None:
    assert first_bookable_date(date(2026, 11, 23), lead_days=0, works_weekends=False) == date(2026, 11, 24)


def test_last_bookable_date_is_never_more_than_28_days() -> None:
    assert last_bookable_date(date(2026, 11, 23), booking_window=14) == date(2026, 12, 7)
    assert last_bookable_date(date(2026, 11, 23), booking_window=60) == date(2026, 12, 21)


def test_window_can_be_empty() -> None:
    first, last = bookable_window(date(2026, 11, 23), lead_days=10, works_weekends=False, booking_window=7)
    assert first > last

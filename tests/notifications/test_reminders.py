"""Reminders: written by a beat job that queries the database, the prison's number of days before each visit, once
per visit and date, even when two jobs run at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from tests.factories import make_prison
from tests.notifications.flows import book, session_on
from visits.models import OutboxMessage, Visit
from visits.outbox import reminders_queue
from visits.services import Actor, visit_cancel, visit_change

NOW = timezone.now()
TODAY = timezone.localdate(NOW)


def booked_days_ago(prison, days_ahead: int, hour: int = 14, booked_days_ago: int = 3) -> Visit:  # type: ignore[no-untyped-def]
    visit = book(prison, TODAY + timedelta(days=days_ahead), hour=hour)
    Visit.objects.filter(pk=visit.pk).update(created_at=NOW - timedelta(days=booked_days_ago))
    return visit


def reminded() -> list[int]:
    return sorted(OutboxMessage.objects.filter(kind="reminder", channel="email").values_list("visit_id", flat=True))


@pytest.mark.django_db
def test_reminders_go_the_prisons_number_of_days_before_each_visit_once() -> None:
    day_before = make_prison("rochester", "RCI")
    three_days = make_prison("cardiff", "CFI", reminder_days_before=3)
    never = make_prison("altcourse", "ALI", reminder_days_before=0)
    tomorrow = booked_days_ago(day_before, 1)
    in_two_days = booked_days_ago(day_before, 2)  # not yet
    booked_today = booked_days_ago(day_before, 1, hour=16, booked_days_ago=0)  # just told: no reminder
    cancelled = booked_days_ago(day_before, 1, hour=18)
    visit_cancel(visit=cancelled, reason="Ill", actor=Actor.visitor())
    in_three_days = booked_days_ago(three_days, 3)
    in_two_days_there = booked_days_ago(three_days, 2)  # inside its window: a missed run catches up
    booked_days_ago(never, 1)

    assert reminders_queue(now=NOW) == 3
    assert reminded() == sorted([tomorrow.pk, in_three_days.pk, in_two_days_there.pk])
    assert OutboxMessage.objects.filter(kind="reminder").count() == 6  # email and text message each
    assert reminders_queue(now=NOW) == 0  # the next hourly run
    assert in_two_days.pk not in reminded() and booked_today.pk not in reminded()
    assert reminders_queue(now=NOW + timedelta(days=1)) == 1  # its day comes
    assert in_two_days.pk in reminded()


@pytest.mark.django_db
def test_a_visit_moved_to_another_day_is_reminded_of_its_new_day() -> None:
    prison = make_prison(reminder_days_before=3)
    visit = booked_days_ago(prison, 3)
    assert reminders_queue(now=NOW) == 1
    visit_change(visit=visit, session=session_on(prison, TODAY + timedelta(days=2)), actor=Actor.visitor())
    assert reminders_queue(now=NOW) == 1
    personalisation = OutboxMessage.objects.filter(kind="reminder", channel="email").latest("id").personalisation
    assert personalisation["visit_date_and_time"].startswith(f"{TODAY + timedelta(days=2):%A} ")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reminder_jobs_at_once_remind_each_visit_once() -> None:
    prisons = [make_prison(f"prison{n}", f"P{n:02d}", reminder_days_before=1 + n % 2) for n in range(4)]
    visits = [booked_days_ago(prisons[n % 4], 1 + (n % 4) % 2, hour=9 + n // 4) for n in range(12)]
    barrier = threading.Barrier(4)
    counts: list[int] = []

    def job() -> None:
        try:
            barrier.wait()
            counts.append(reminders_queue(now=NOW))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == len(visits)
    assert reminded() == sorted(v.pk for v in visits)
    assert Visit.objects.filter(reminder_sent_for__isnull=True).count() == 0


def test_the_reminder_job_runs_hourly_in_the_daytime(settings) -> None:  # type: ignore[no-untyped-def]
    schedule = settings.CELERY_BEAT_SCHEDULE["queue-visit-reminders"]["schedule"]
    assert schedule.hour == set(range(9, 21))
    assert settings.CELERY_BEAT_SCHEDULE["send-stuck-messages"]["task"] == "visits.tasks.sweep_outbox"

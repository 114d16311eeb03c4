"""Generations (prisons.generations) move on every write the booking pages would see, and only then."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import transaction
from django.test import override_settings

from prisons import generations as gen
from prisons.models import Prison, VisitSession
from tests.factories import make_prison, make_session
from visits.models import Visit, VisitState

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def read(*keys: str) -> tuple[int, ...]:
    return gen.read(list(keys))


def test_reading_sets_a_missing_generation_once() -> None:
    first = read("generation:test")
    assert read("generation:test") == first
    gen.move(["generation:test"])
    assert read("generation:test") != first


def test_saving_or_deleting_a_prison_or_session_moves_the_prisons_generation() -> None:
    prison = make_prison()
    other = make_prison(slug="cardiff", code="CFI")
    mine, theirs = gen.prison_key(prison.pk), gen.prison_key(other.pk)
    before = read(mine, theirs)
    session = make_session(prison, DAY)
    after_session = read(mine, theirs)
    assert after_session[0] != before[0] and after_session[1] == before[1]
    prison.phone = "01634 803100"
    prison.save(update_fields=["phone"])
    assert read(mine)[0] != after_session[0]
    moved = read(mine)
    session.delete()
    assert read(mine) != moved


def test_a_visits_save_moves_its_prison_and_prisoner_but_not_for_bookkeeping_fields() -> None:
    prison = make_prison()
    session = make_session(prison, DAY)
    keys = (gen.prison_key(prison.pk), gen.prisoner_key("A1001AA"))
    before = read(*keys)
    visit = Visit.objects.create(
        reference="ABC-123-XYZ",
        prison=prison,
        session=session,
        prisoner_number="A1001AA",
        state=VisitState.BOOKED,
    )
    created = read(*keys)
    assert created[0] != before[0] and created[1] != before[1]
    visit.nomis_sync_attempts = 2
    visit.save(update_fields=["nomis_sync_attempts"])  # NOMIS bookkeeping: no page reads it
    assert read(*keys) == created
    visit.state = VisitState.CANCELLED
    visit.save(update_fields=["state", "updated_at"])
    assert read(*keys) != created


def test_bulk_writes_move_everything_unless_they_touch_only_bookkeeping() -> None:
    prison = make_prison()
    session = make_session(prison, DAY)
    before = read(gen.EVERYTHING)
    VisitSession.objects.filter(pk=session.pk).update(open_capacity=1)
    updated = read(gen.EVERYTHING)
    assert updated != before
    Visit.objects.filter(prison=prison).update(nomis_sync_needed=True)  # no rows: nothing moves
    Visit.objects.create(
        reference="ABC-123-XYZ", prison=prison, session=session, prisoner_number="A1001AA", state=VisitState.BOOKED
    )
    created = read(gen.EVERYTHING)
    Visit.objects.filter(prison=prison).update(nomis_sync_needed=True)  # rows, but bookkeeping only
    assert read(gen.EVERYTHING) == created
    VisitSession.objects.bulk_create(
        [
            VisitSession(
                prison=prison, date=DAY, start_time=time(9), end_time=time(10), open_capacity=5, closed_capacity=1
            )
        ]
    )
    assert read(gen.EVERYTHING) != created
    moved = read(gen.EVERYTHING)
    Prison.objects.filter(pk=prison.pk).update(enabled=False)
    assert read(gen.EVERYTHING) != moved


def test_a_write_moves_again_when_its_transaction_commits(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    prison = make_prison()
    key = gen.prison_key(prison.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        prison.save()
        during = read(key)
    assert len(callbacks) == 1
    callbacks[0]()  # what the commit does
    assert read(key) != during


DEAD_REDIS = {"default": {"BACKEND": "config.cache.ReusedClientRedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}


def test_with_the_cache_down_a_write_stands_and_a_read_matches_nothing_kept() -> None:
    prison = make_prison()
    with override_settings(CACHES=DEAD_REDIS):  # nothing listens on port 9
        prison.phone = "01634 803100"
        with transaction.atomic():
            prison.save()  # moves nothing, and does not fail
        first, second = read(gen.prison_key(prison.pk)), read(gen.prison_key(prison.pk))
        assert first != second  # new numbers each time: nothing kept under them is used
    prison.refresh_from_db()
    assert prison.phone == "01634 803100"

"""Retention: every visit past the retention period is anonymised, whatever its state, in one run, and a visit
that cannot be anonymised never stops the others."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest
from django.db import DatabaseError
from django.utils import timezone

from tests.factories import make_prison, make_session
from visits import lifecycle
from visits.lifecycle import ANONYMISED, visits_anonymise
from visits.models import Visit, Visitor, VisitState

pytestmark = pytest.mark.django_db
_numbers = count(1)


def old_visit(session, state: VisitState) -> Visit:  # type: ignore[no-untyped-def]
    n = next(_numbers)
    visit = Visit.objects.create(
        reference=f"bc-df-gh-{n:02d}"[:11],
        prison=session.prison,
        session=session,
        state=state,
        hold_expires_at=timezone.now() if state == VisitState.RESERVED else None,
        prisoner_number=f"A{n:04d}AA",
        prisoner_first_name="Ryan",
        prisoner_last_name="Walker",
        prisoner_date_of_birth=date(1988, 4, 12),
        contact_email=f"family{n}@example.com",
        nomis_visit_id=str(9000 + n),
        nomis_key=f"bc-df-gh-{n:02d}/{session.id}",
        nomis_sync_needed=True,
    )
    Visitor.objects.create(
        visit=visit,
        position=0,
        first_name="Sophie",
        last_name="Walker",
        date_of_birth=date(1990, 7, 3),
        nomis_contact_id=5000 + n,
    )
    return visit


@pytest.fixture
def crowded_old_session():  # type: ignore[no-untyped-def]
    """One session 7 months ago with 12 visits: several in each state, active ones included (attendance never
    recorded, a request nobody answered, a hold that ran out), all of different prisoners."""
    session = make_session(make_prison(), timezone.localdate() - timedelta(days=31 * 7))
    states = [VisitState.BOOKED] * 4 + [VisitState.REQUESTED] * 3 + [VisitState.RESERVED] * 2
    states += [VisitState.CANCELLED, VisitState.ATTENDED, VisitState.NO_SHOW]
    return [old_visit(session, state) for state in states]


def test_every_old_visit_of_a_session_is_anonymised_whatever_its_state(crowded_old_session: list[Visit]) -> None:
    assert visits_anonymise() == 12
    assert visits_anonymise() == 0  # run twice: nothing left to do
    for visit in Visit.objects.all():
        assert visit.anonymised_at is not None and visit.prisoner_number == "" and visit.contact_email == ""
        assert visit.prisoner_first_name == ANONYMISED
    assert set(Visitor.objects.values_list("first_name", flat=True)) == {ANONYMISED}
    # Nothing that leads back to NOMIS's records of these people (issue 26, item 6), and nothing left to push there.
    assert set(Visit.objects.values_list("nomis_visit_id", "nomis_key", "nomis_sync_needed")) == {("", "", False)}
    assert set(Visitor.objects.values_list("nomis_contact_id", flat=True)) == {None}
    states = sorted(Visit.objects.values_list("state", flat=True))
    assert states == sorted(v.state for v in crowded_old_session)  # the figures keep their states


def test_a_visit_that_cannot_be_anonymised_does_not_stop_the_others(
    crowded_old_session: list[Visit], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = crowded_old_session[5].pk
    anonymise = lifecycle._anonymise

    def failing_for_one(ids: list[int]) -> None:
        if broken in ids:
            raise DatabaseError("simulated: this row cannot be written")
        anonymise(ids)

    monkeypatch.setattr(lifecycle, "_anonymise", failing_for_one)
    assert visits_anonymise(batch=5) == 11
    assert list(Visit.objects.filter(anonymised_at__isnull=True).values_list("pk", flat=True)) == [broken]
    monkeypatch.setattr(lifecycle, "_anonymise", anonymise)
    assert visits_anonymise() == 1  # the next run takes it

"""The stub client's own promises beyond the contract: it is cheap on hot paths and serves the seeded data."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prisons.nomis.interface import CancelOutcome, EventType, RestrictionType, UnavailableReason
from prisons.nomis.stub.client import StubNomisClient
from prisons.nomis.stub.seed import stub_seed
from prisons.nomis.stub.services import event_fire

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


@pytest.fixture
def client(no_faults: None) -> StubNomisClient:
    stub_seed(seed=1, per_prison=0, today=TODAY)  # the fixed test prisoners only
    return StubNomisClient(rng=random.Random(0))


def test_each_question_costs_one_query_and_the_fault_check(client: StubNomisClient, django_assert_num_queries) -> None:
    with django_assert_num_queries(2):
        prisoner = client.get_prisoner("a1003aa")  # has a restriction: joined, not queried again
    assert prisoner is not None and prisoner.restrictions[0].type == RestrictionType.CLOSED
    with django_assert_num_queries(2):
        visitors = client.get_approved_visitors("A1006AA")  # four visitors, two with restrictions
    assert len(visitors) == 4
    with django_assert_num_queries(2):
        assert client.get_non_associations("A1007AA") == ["A1008AA"]
    with django_assert_num_queries(2):
        assert client.get_visit_balance("A1001AA").total == 3
    with django_assert_num_queries(2):
        assert client.get_unavailable_dates("A1004AA", TODAY, TODAY + timedelta(days=28))
    with django_assert_num_queries(2):
        client.events_since(None)


def test_recording_costs_few_queries_and_a_retry_fewer(client: StubNomisClient, django_assert_max_num_queries) -> None:
    from tests.prisons.nomis.test_contract import visit

    with django_assert_max_num_queries(5):  # fault check, lookup, insert (in a savepoint in tests)
        nomis_id = client.record_visit(visit(number="A1001AA"))
    with django_assert_max_num_queries(2):
        assert client.record_visit(visit(number="A1001AA")) == nomis_id
    with django_assert_max_num_queries(2):
        client.cancel_visit("A1001AA", nomis_id, CancelOutcome.VISITOR_CANCELLED)
    with django_assert_max_num_queries(3):
        client.cancel_visit("A1001AA", nomis_id, CancelOutcome.VISITOR_CANCELLED)


def test_every_question_is_answered_through_an_index(client: StubNomisClient) -> None:
    """No full scan of a stub table: on PostgreSQL with sequential scans priced out, on SQLite by its plan."""
    with CaptureQueriesContext(connection) as captured:
        client.get_prisoner("A1003AA")
        client.get_approved_visitors("A1006AA")
        client.get_non_associations("A1007AA")
        client.get_visit_balance("A1001AA")
        client.get_unavailable_dates("A1004AA", TODAY, TODAY + timedelta(days=28))
        client.events_since("3")
    selects = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")]
    assert len(selects) == 12
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            # On tables this small the planner may walk a whole index for a merge join instead: priced out too, so
            # the plan shows whether each table is reached through a condition on an index.
            cursor.execute("SET LOCAL enable_mergejoin = off")
            for sql in selects:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                assert not _postgres_full_scans(plan[0]["Plan"]), f"{sql}\n{plan}"
        else:
            for sql in selects:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
                full_scans = [line for line in plan.splitlines() if line.startswith("SCAN nomis_stub")]
                assert not full_scans, f"{sql}\n{plan}"


def _postgres_full_scans(node: dict) -> list[str]:
    """Scans of a stub table that read it all: sequential, or through an index with no condition on it."""
    found = []
    relation, kind = node.get("Relation Name", ""), node["Node Type"]
    if relation.startswith("nomis_stub") and (
        kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node)
    ):
        found.append(f"{kind} on {relation}")
    for child in node.get("Plans", []):
        found.extend(_postgres_full_scans(child))
    return found


def test_a_release_shows_in_unavailable_dates_and_the_prison(client: StubNomisClient) -> None:
    found = client.get_unavailable_dates("A1004AA", TODAY, TODAY + timedelta(days=28))
    assert found[0].date == TODAY + timedelta(days=12) and found[0].reason == UnavailableReason.RELEASE
    assert len(found) == 28 - 12 + 1
    event_fire(event_type=EventType.RELEASED, prisoner_number="A1004AA")
    prisoner = client.get_prisoner("A1004AA")
    assert prisoner is not None and prisoner.prison_code == "OUT"

"""A reduced fuzz of every form and URL parameter on the production-shaped stack (gunicorn, DEBUG off, PostgreSQL,
Redis, the worker and beat): no answer is a server error, and the stack's logs show no traceback.

The full fuzz is ``python scripts/fuzz_forms.py`` (its docstring says what it tries); this runs the same code with a
few hostile values of each kind (``--quick``). The stack is behind one trusted proxy, as production is, so that each
request comes from an address of its own and no rate limit or lockout cuts the fuzzing short.
"""

from __future__ import annotations

import secrets

import pytest

from scripts.fuzz_forms import fuzz, load_world, report
from scripts.prod_local import Stack

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

STACK_ENV = {"TRUSTED_PROXY_COUNT": "1"}
# Forms the fuzz must reach, so that a change that hides one from it (a journey step it no longer gets to, a
# console page it no longer finds) fails here rather than passing with less fuzzed.
MUST_REACH = [
    "/prison",
    "/prisoner",
    "/visitors/add",
    "/support",
    "/choose-time",
    "/contact",
    "/check",
    "/manage",
    "/staff/rochester/blocks",
    "/staff/rochester/book",
    "/staff/rochester/timetable/add",
    "/staff/rochester/pause-booking",
    "/staff/sign-in",
    "/django-admin/login/",
]


def test_a_quick_fuzz_of_every_form_and_parameter_gets_no_server_error(service: Stack) -> None:
    password = secrets.token_urlsafe(16)
    world = load_world(service, password)
    tally, fuzzer = fuzz(service.url, world, password, quick=True)
    problems = service.problems()
    summary = report(tally, fuzzer, problems, 0)
    assert tally.server_errors == [], summary
    assert problems == [], summary
    reached = {form.split(" ", 1)[0] for form in fuzzer.forms_fuzzed}
    assert not [path for path in MUST_REACH if path not in reached], summary
    assert tally.tried > 500 and len(fuzzer.seen_params) >= 10 and len(fuzzer.seen_paths) >= 10, summary

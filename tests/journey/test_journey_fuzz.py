"""Property-based: whatever a client sends to a step of the journey, the answer is a page, a redirect or a refusal,
never a server error. Django's test client re-raises a view's exception, so a 500 fails with its traceback.

Each step is reached once by a real journey; every example then runs against a copy of that session, inside a
transaction that is rolled back, so examples neither see nor spoil each other (and the clock is stopped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.core import signing
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journey.steps import SESSION_KEY
from tests.journey.journey_support import (
    book_visit,
    forget_lookups,
    frozen_at_nine,
    journey_to,
    read_page,
    seed_rochester,
)
from visits.links import SALT, manage_token

pytestmark = pytest.mark.django_db

ALLOWED = {200, 302, 400, 404, 405, 429}
# Deterministic (the same examples every run, none replayed from a local database) and sized so that the file runs
# in well under a minute on an idle machine.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEWER = settings(FUZZ, max_examples=15)  # the date picker's pages, the slowest to render
MORE = settings(FUZZ, max_examples=60)  # cheap: a token that finds no visit


@pytest.fixture(autouse=True)
def rochester(tmp_path, prison_data_dir):  # type: ignore[no-untyped-def]
    seed_rochester(tmp_path, prison_data_dir)
    with frozen_at_nine():
        yield


# --- What a client may send ------------------------------------------------------------------------------------------

TEXT = st.text(max_size=40)  # any unicode but lone surrogates, including NUL and right-to-left marks
LONG = st.text(min_size=1, max_size=8).map(lambda s: s * 600)  # up to 4,800 characters
NUMBERS = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)).map(str)
# Answers a step might accept, so that some examples get past validation (a hold, a NOMIS look-up, a booking).
PLAUSIBLE = st.one_of(
    st.sampled_from(["", " ", "yes", "no", "other", "ill", "email", "sms", "rochester", "A1001AA", "Walker"]),
    st.sampled_from(["12", "4", "1988", "-1", "1e9", "99999999999999999999"]),
    st.integers(min_value=0, max_value=60).map(str),  # session ids
)
VALUE = st.one_of(TEXT, LONG, NUMBERS, PLAUSIBLE, st.lists(st.one_of(TEXT, PLAUSIBLE, NUMBERS), max_size=4))


def post_data(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the step's real fields and some made-up ones, each with any value (a list posts several)."""
    keys = st.one_of(st.sampled_from([*fields, "change", "csrfmiddlewaretoken"]), st.text(min_size=1, max_size=12))
    return st.dictionaries(keys, VALUE, max_size=8)


ENCODINGS = st.sampled_from(["urlencoded", "multipart"])


def send(client: Client, path: str, data: dict[str, Any], encoding: str) -> Any:
    if encoding == "multipart":
        # the test client writes each key into a Content-Disposition header: keep those parseable
        data = {k: v for k, v in data.items() if not any(ch in k for ch in '"\r\n')}
        return client.post(path, data)
    return client.post(path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def check(response: Any) -> None:
    assert response.status_code in ALLOWED, response.status_code
    html = response.content.decode() if "text/html" in response.get("Content-Type", "") else ""
    if response.status_code in (200, 400) and "govuk-error-summary" in html:
        page = read_page(html)
        if page.summary:  # an error summary: its links land on the page and the title says "Error: "
            assert page.title.startswith("Error: "), page.title
            for href, _text in page.summary:
                assert href[1:] in page.ids, (href, sorted(page.ids))


# --- The steps, with the session that reaches each -----------------------------------------------------------------

NAME_AND_DOB = ["first_name", "last_name", "date_of_birth-day", "date_of_birth-month", "date_of_birth-year"]


def _journey(step: str, *, request: bool = False) -> Callable[[Client], str]:
    def reach(client: Client) -> str:
        journey_to(client, step, request=request)
        return ""

    return reach


def _booked(client: Client) -> str:
    return manage_token(book_visit(client))


def _second_choice(client: Client) -> str:
    journey_to(client, "another-time", request=True)
    client.post("/another-time", {"another": "yes"})
    return ""


# (name, path with {token} for a visit's link, how to reach it, the step's own fields)
TARGETS: list[tuple[str, str, Callable[[Client], str], list[str]]] = [
    ("prison", "/prison", _journey("prison"), ["prison"]),
    ("prisoner", "/prisoner", _journey("prisoner"), [*NAME_AND_DOB, "number"]),
    ("lead visitor", "/visitors/add", _journey("visitor-add"), NAME_AND_DOB),
    ("another visitor", "/visitors/add", _journey("visitors"), NAME_AND_DOB),
    ("change visitor", "/visitors/0/change", _journey("visitors"), NAME_AND_DOB),
    ("remove visitor", "/visitors/0/remove", _journey("visitors"), []),
    ("add another", "/visitors", _journey("visitors"), ["add_another"]),
    ("support", "/support", _journey("support"), ["needs", "details"]),
    ("choose time", "/choose-time", _journey("choose-time"), ["session"]),
    ("change time choice", "/choose-time", _journey("contact"), ["session"]),
    ("second choice", "/choose-time/2", _second_choice, ["session"]),
    ("another time", "/another-time", _journey("another-time", request=True), ["another"]),
    ("contact", "/contact", _journey("contact"), ["updates", "email", "phone"]),
    ("check", "/check", _journey("check"), []),
    ("find your visit", "/manage", _journey("start"), ["reference", "email"]),
    ("cancel", "/visit/{token}/cancel", _booked, ["reason"]),
    ("withdraw", "/visit/{token}/withdraw", _booked, []),
    ("change a booked time", "/visit/{token}/change", _booked, ["session"]),
]


class Reached:
    """A step reached once; ``client()`` is a new client holding a copy of that session."""

    def __init__(self, reach: Callable[[Client], str]) -> None:
        setup = Client()
        self.token = reach(setup)
        self.session = dict(setup.session.items())

    def client(self) -> Client:
        client = Client(raise_request_exception=True)
        session = client.session
        session.update(self.session)
        session.save()
        return client


def isolated(run: Callable[[], None]) -> None:
    """Run one example in a transaction that is rolled back, with no rate-limit counts left from the last one."""
    forget_lookups()
    with transaction.atomic():
        run()
        transaction.set_rollback(True)


@pytest.mark.parametrize(("path", "reach", "fields"), [pytest.param(p, r, f, id=n) for n, p, r, f in TARGETS])
def test_posting_anything_to_a_step_is_never_a_server_error(path, reach, fields) -> None:  # type: ignore[no-untyped-def]
    reached = Reached(reach)
    url = path.format(token=reached.token)

    @(FEWER if path.startswith("/choose-time") or path.endswith("/change") else FUZZ)
    @given(data=post_data(fields), encoding=ENCODINGS)
    def post_anything(data: dict[str, Any], encoding: str) -> None:
        isolated(lambda: check(send(reached.client(), url, data, encoding)))

    post_anything()


QUERY_KEYS = st.one_of(st.sampled_from(["days", "times", "change", "lang"]), st.text(min_size=1, max_size=8))
QUERY_VALUES = st.one_of(st.sampled_from(["weekdays", "weekends", "morning", "afternoon", "1", ""]), TEXT, LONG)


@pytest.mark.parametrize(
    ("path", "reach"),
    [
        pytest.param("/choose-time", _journey("choose-time"), id="first choice"),
        pytest.param("/choose-time", _journey("contact"), id="with a hold"),
        pytest.param("/choose-time/2", _second_choice, id="second choice"),
        pytest.param("/choose-time/3", _second_choice, id="third choice"),
        pytest.param("/visit/{token}/change", _booked, id="change a booked time"),
    ],
)
def test_any_query_string_on_the_picker_is_never_a_server_error(path, reach) -> None:  # type: ignore[no-untyped-def]
    reached = Reached(reach)
    url = path.format(token=reached.token)

    @FEWER
    @given(query=st.lists(st.tuples(QUERY_KEYS, QUERY_VALUES), max_size=6))
    def get_with(query: list[tuple[str, str]]) -> None:
        isolated(lambda: check(reached.client().get(f"{url}?{urlencode(query)}")))

    get_with()


@pytest.mark.parametrize("step", ["choose-time", "contact"], ids=["no time chosen yet", "with a hold"])
def test_any_rank_of_the_picker_is_never_a_server_error(step: str) -> None:
    # Rank 0 is a known server error: test_journey_errors.py::test_the_picker_for_rank_0_is_not_a_server_error.
    reached = Reached(_journey(step))

    @FEWER
    @given(rank=st.integers(min_value=1, max_value=10**30), method=st.sampled_from(["get", "post"]))
    def any_rank(rank: int, method: str) -> None:
        isolated(lambda: check(getattr(reached.client(), method)(f"/choose-time/{rank}", {"session": "1"})))

    any_rank()


_ONCE: dict[str, Reached] = {}


def _reached_once(key: str, reach: Callable[[Client], str]) -> Reached:
    """A step reached once per test (hypothesis runs the examples of one test inside one database transaction)."""
    if key not in _ONCE:
        _ONCE[key] = Reached(reach)
    return _ONCE[key]


@pytest.fixture(autouse=True)
def _forget_reached():  # type: ignore[no-untyped-def]
    _ONCE.clear()
    yield
    _ONCE.clear()


PAYLOADS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["ref", "x"]), inner)),
    max_leaves=5,
)


def _tokens() -> st.SearchStrategy[tuple[str, Any]]:
    """Random text, a real token spoiled, and well-signed tokens carrying payloads no link ever has."""
    return st.one_of(
        st.tuples(st.just("text"), st.one_of(TEXT.filter(bool), LONG)),
        st.tuples(st.just("spoiled"), st.tuples(st.integers(0, 200), st.integers(0, 200), TEXT)),
        st.tuples(st.just("signed"), st.tuples(PAYLOADS, st.booleans())),
    )


@MORE
@given(token=_tokens(), suffix=st.sampled_from(["", "/cancel", "/withdraw", "/change", "/calendar.ics"]))
def test_any_token_on_a_visit_link_is_never_a_server_error(token: tuple[str, Any], suffix: str) -> None:
    reached = _reached_once("booked", _booked)
    kind, value = token
    if kind == "text":
        text = value
    elif kind == "spoiled":
        start, length, insert = value
        text = reached.token[:start] + insert + reached.token[start + length :]
    else:
        payload, compress = value
        text = signing.dumps(payload, salt=SALT, compress=compress)
    path = f"/visit/{quote(text, safe='')}{suffix}"

    def visit() -> None:
        client = reached.client()
        check(client.get(path))
        if suffix in ("/cancel", "/withdraw", "/change"):
            check(client.post(path, {"reason": "ill", "session": "1"}))

    isolated(visit)


def test_the_session_copy_reaches_the_step() -> None:
    """The harness itself: a copied session is at the step it was copied from (else the fuzzing tests nothing)."""
    reached = Reached(_journey("contact"))
    client = reached.client()
    assert client.get("/contact").status_code == 200
    assert client.session[SESSION_KEY]["hold_visit_id"]
    booked = Reached(_booked)
    assert "Cancel visit" in booked.client().get(f"/visit/{booked.token}").content.decode()

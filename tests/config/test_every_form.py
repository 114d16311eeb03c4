"""Every GOV.UK form in the service, each field wrong in turn, gets a GOV.UK page: never a server error.

The forms are found, not listed, so that the next one is covered without anyone remembering to add it:

- every route of the URL conf (public journey, staff console, the sign-ins; the Django
  admin's own pages are out of scope) is sent a POST, and each that does not answer "method not allowed" must have a
  recipe in ``FORMS`` below: how to reach it and what a valid answer is. A route with a form and no recipe fails;
- every ``GovukForm`` subclass in the project must be bound and validated by at least one of those posts.

For each recipe the valid answer is posted once (it must be accepted: the harness really reaches the form), then
again with each field of each form the view bound replaced in turn by each hostile value (empty, a NUL byte, control
characters, 100,000 characters, Unicode digits like ² and ٣, negative and huge numbers; dates 9999-99-99, 0000,
31 12 9999, year 1, ...) with every other field valid, then sent in another character set and as a broken
multipart body. Each answer must be a GOV.UK page (or a redirect), never a server error: Django's test client
re-raises a view's exception, which is recorded with its traceback's last line. A value that is always wrong (a NUL,
control characters, 100,000 characters) must be shown as an error (an error summary linked to the page).

Every post runs on a copy of the reached session, inside a transaction that is rolled back, with the clock stopped
(tests/journey/journey_support.py), so posts neither see nor spoil each other.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import VISITS_ADMIN
from common.govuk.forms import DATE_PARTS, GovukDateField, GovukForm, GovukFormMixin, GovukModelForm
from prisons.models import BlockedDate, Prison, SessionTemplate, VisitSession
from tests.factories import book_for, make_prisoner, make_session
from tests.journey.journey_support import (
    TODAY,
    book_visit,
    first_radio_value,
    forget_lookups,
    frozen_at_nine,
    journey_to,
    read_page,
    seed_rochester,
)
from visits.links import manage_token
from visits.models import Visit, VisitState, WaitingListEntry
from visits.services import Actor, visit_cancel, visit_flag, visitor_approve

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password"
# What a form may answer: the page again with its errors, a redirect (an answer accepted), not found (a link that
# has ended), too many attempts.
ALLOWED = {200, 302, 400, 404, 429}

HOSTILE: dict[str, str] = {
    "empty": "",
    "a NUL byte": "\x00",
    "control characters": "\x01\x1b\u202e",
    "100,000 characters": "A" * 100_000,
    "superscript two": "²",
    "Arabic-Indic three": "٣",
    "full-width digits": "１２",
    "negative": "-1",
    "huge": "99999999999999999999",
    "year 0000": "0000",
    "9999-99-99": "9999-99-99",
}
HOSTILE_DATES: dict[str, tuple[str, str, str]] = {
    "empty": ("", "", ""),
    "a NUL byte": ("\x00", "\x00", "\x00"),
    "9999-99-99": ("99", "99", "9999"),
    "0000-00-00": ("0", "0", "0000"),
    "31 12 9999": ("31", "12", "9999"),
    "1 1 0001": ("1", "1", "0001"),
    "Unicode digits": ("²", "٣", "٢٠٢٦"),
    "negative": ("-1", "-1", "-1"),
    "huge": ("99999999999999999999",) * 3,
    "100,000 characters": ("1", "1", "2" * 100_000),
}
# Values no field may take: the page must say so.
ALWAYS_WRONG = {"a NUL byte", "control characters", "100,000 characters"}


# --- Discovering the routes and the forms ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "staff:blocks", or the route itself where it has no name ("django-admin/login/")
    route: str
    params: tuple[str, ...]


def every_route() -> list[Route]:
    """Each URL pattern of the service, by name, with its parameters; the Django admin's own pages left out."""
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str, params: tuple[str, ...]) -> None:
        for entry in patterns:
            route = str(entry.pattern).lstrip("^").rstrip("$")
            names = tuple(getattr(entry.pattern, "converters", {})) or tuple(re.compile(str(entry.pattern)).groupindex)
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue  # the Django admin: out of scope (its date filters: tests/staff/test_hostile_input.py)
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + route, inner, params + names)
            else:
                assert isinstance(entry, URLPattern)
                name = f"{namespace}{entry.name}" if entry.name else prefix + route
                found.append(Route(name, prefix + route, params + names))

    walk(get_resolver().url_patterns, "", "", ())
    return found


def project_form_classes() -> set[type]:
    """Every GovukForm (or GovukModelForm) subclass defined in the project, its forms modules all imported; base
    classes meant only to be subclassed (a leading underscore) left out."""
    for app in apps.get_app_configs():
        if not Path(app.path).is_relative_to(ROOT):
            continue
        for module in pkgutil.walk_packages([app.path], prefix=f"{app.name}."):
            if module.name.rsplit(".", 1)[-1] == "forms":
                importlib.import_module(module.name)
    found: set[type] = set()
    pending = [GovukFormMixin]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.split(".")[0] in {a.name.split(".")[0] for a in apps.get_app_configs()}:
                found.add(subclass)
    return {c for c in found if c not in (GovukForm, GovukModelForm) and not c.__name__.startswith("_")}


class FormsBound:
    """Records every GOV.UK form a view binds to posted data, while ``recording``."""

    def __init__(self) -> None:
        self.forms: list[Any] = []
        self.classes: set[type] = set()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = GovukFormMixin.__init__
        recorder = self

        def init(form: Any, *args: Any, **kwargs: Any) -> None:
            original(form, *args, **kwargs)
            if form.is_bound:
                recorder.forms.append(form)
                recorder.classes.add(type(form))

        monkeypatch.setattr(GovukFormMixin, "__init__", init)

    def take(self) -> list[Any]:
        forms, self.forms = self.forms, []
        return forms


def posted_fields(forms: list[Any]) -> dict[str, bool]:
    """The names a browser posts for these forms' fields, each with whether it is a date (three boxes)."""
    fields: dict[str, bool] = {}
    for form in forms:
        for bound in form:
            if not bound.is_hidden:
                fields[bound.html_name] = isinstance(bound.field, GovukDateField)
    return fields


# --- The world the forms are about ---------------------------------------------------------------------------------


@dataclass
class World:
    prison: Prison
    staff: User
    superuser: User
    booked: Visit  # booked through the journey: manage link, staff cancel and change
    requested: Visit  # a request through the journey, with a visitor not on the approved list
    today: Visit  # booked for this afternoon: its attendance can be recorded
    flagged: Visit
    full: VisitSession  # fully booked: the journey's visitor may join its waiting list
    template: SessionTemplate
    block: BlockedDate
    extra: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    prison = Prison.objects.get(slug="rochester")
    sync_roles()
    staff = User.objects.create_user("walker", password=PASSWORD, is_staff=True)
    staff.groups.set([Group.objects.get(name=VISITS_ADMIN)])
    staff.user_permissions.add(Permission.objects.get(codename="pause_booking_nationally"))
    PrisonAccess.objects.create(user=staff, prison=prison)
    superuser = User.objects.create_superuser("root", password=PASSWORD)

    booked = book_visit(Client())
    requested = book_visit(Client(), request=True)
    sessions = list(
        VisitSession.objects.filter(prison=prison, date__gt=TODAY + timedelta(days=5)).order_by("date", "start_time")
    )
    taken = {booked.session_id, requested.session_id, *requested.preferences.values_list("session_id", flat=True)}
    busy_days = {booked.session.date, requested.session.date}
    free = [s for s in sessions if s.id not in taken and s.date not in busy_days]
    flagged = book_for(free[0], make_prisoner("A7001AA"))
    visit_flag(visit=flagged, reason="prisoner_moved", detail="Moved to another wing")
    cancelled = book_for(free[1], make_prisoner("A7002AA"))
    visit_cancel(visit=cancelled, reason="Someone is ill", actor=Actor.visitor())
    today = book_for(make_session(prison, TODAY, time(15)), make_prisoner("A7003AA"))
    full = free[2]
    book_for(full, make_prisoner("A7004AA"))
    VisitSession.objects.filter(pk=full.pk).update(open_capacity=1, closed_capacity=0)
    template = SessionTemplate.objects.create(
        prison=prison, weekday=2, start_time=time(9), end_time=time(10), valid_from=TODAY + timedelta(days=60)
    )
    block = BlockedDate.objects.create(prison=prison, date=TODAY + timedelta(days=40), reason="Training")
    return World(prison, staff, superuser, booked, requested, today, flagged, full, template, block)


# --- Reaching each form with a valid answer ------------------------------------------------------------------------


@dataclass
class Reached:
    path: str
    valid: dict[str, Any]
    session: dict[str, Any]
    govuk: bool = True  # a GOV.UK page (the Django admin's sign-in is Django's own)
    says_errors: bool = True  # an always-wrong value must be shown as an error
    accepted: int = 302  # what the valid answer gets

    def client(self) -> Client:
        client = Client(raise_request_exception=True)
        session = client.session
        session.update(self.session)
        session.save()
        return client


Recipe = Callable[[World, Client], tuple[str, dict[str, Any]]]


def staff_client(world: World, client: Client) -> Client:
    client.force_login(world.staff)
    return client


def console(name: str, data: Callable[[World], dict[str, Any]], **kwargs: Callable[[World], Any]) -> Recipe:
    """A staff console page of Rochester, signed in as a visits admin; ``kwargs`` give the URL's other parts."""

    def reach(world: World, client: Client) -> tuple[str, dict[str, Any]]:
        staff_client(world, client)
        path = reverse(f"staff:{name}", kwargs={"prison": "rochester", **{k: f(world) for k, f in kwargs.items()}})
        return path, data(world)

    return reach


def journey(step: str, path: str, data: Callable[[World, Client], dict[str, Any]], *, request: bool = False) -> Recipe:
    def reach(world: World, client: Client) -> tuple[str, dict[str, Any]]:
        journey_to(client, step, request=request)
        return path, data(world, client)

    return reach


def dob(day: date, name: str = "date_of_birth") -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _free_for(world: World) -> VisitSession:
    """A session in the next four weeks with places, on a day when the booked visit's prisoner has no visit (not
    even a hold)."""
    busy = Visit.objects.filter(prisoner_number=world.booked.prisoner_number).values_list("session__date", flat=True)
    sessions = VisitSession.objects.filter(
        prison=world.prison, date__range=(TODAY + timedelta(days=5), TODAY + timedelta(days=28)), blocked=False
    )
    return sessions.exclude(date__in=list(busy)).exclude(pk=world.full.pk).order_by("date", "start_time")[0]


def _ref(world: World) -> str:
    return world.booked.reference


def _change_picker(world: World, client: Client) -> tuple[str, dict[str, Any]]:
    path = reverse("visits:change-time", kwargs={"token": manage_token(world.booked)})
    return path, {"session": first_radio_value(client.get(path).content.decode())}


def _second_choice(world: World, client: Client) -> tuple[str, dict[str, Any]]:
    journey_to(client, "another-time", request=True)
    client.post("/another-time", {"another": "yes"})
    page = client.get("/choose-time/2").content.decode()
    return "/choose-time/2", {"session": first_radio_value(page)}


def _book_details(world: World, client: Client) -> tuple[str, dict[str, Any]]:
    staff_client(world, client)
    client.post(reverse("staff:book", kwargs={"prison": "rochester"}), _find_prisoner(world))
    path = reverse("staff:book-details", kwargs={"prison": "rochester"})
    page = client.get(path).content.decode()
    contact = re.search(r'name="visitors" type="checkbox" value="(\d+)"', page)
    session = re.search(r'<option value="(\d+)"', page)
    assert contact and session, "the caller's page lists no approved visitor or no time"
    return path, {
        "visitors": [contact[1]],
        "session": session[1],
        "channel": "phone",
        "email": "sophie@example.com",
    }


def _find_prisoner(world: World) -> dict[str, Any]:
    return {"number": "A1001AA", "last_name": "Walker", **dob(date(1988, 4, 12))}


def _request(action: str, data: Callable[[World], dict[str, Any]]) -> Recipe:
    def reach(world: World, client: Client) -> tuple[str, dict[str, Any]]:
        staff_client(world, client)
        path = reverse("staff:request", kwargs={"prison": "rochester", "reference": world.requested.reference})
        return path, {"action": action, **data(world)}

    return reach


def _decided(world: World) -> dict[str, Any]:
    """Every visitor of the request decided (approved for this visit), then approve its first choice."""
    for visitor in world.requested.visitors.all():
        if visitor.needs_decision:
            visitor_approve(visit=world.requested, visitor=visitor, actor=Actor(user=world.staff))
    return {"approve-session": str(world.requested.session_id)}


def _visitor(world: World) -> str:
    return str(next(v.id for v in world.requested.visitors.all() if v.needs_decision))


def _waiting(world: World, purpose: str) -> str:
    from waiting_list.services import waiting_token

    entry = WaitingListEntry.objects.order_by("id").first()
    assert entry is not None, "the waiting list recipe runs first"
    return waiting_token(entry, purpose)


def _waiting_link(name: str, purpose: str) -> Recipe:
    def reach(world: World, client: Client) -> tuple[str, dict[str, Any]]:
        return reverse(f"visits:{name}", kwargs={"token": _waiting(world, purpose)}), {}

    return reach


def _join_waiting_list(world: World, client: Client) -> tuple[str, dict[str, Any]]:
    journey_to(client, "choose-time")
    path = reverse("visits:waiting-join", kwargs={"session_id": world.full.id})
    data = {"updates": ["email"], "email": "sophie@example.com"}
    response = _copy(client).post(path, data)  # joined for real, once: the offer and leave links need an entry
    assert response.status_code == 302 and WaitingListEntry.objects.exists(), response.status_code
    return path, data


def _copy(client: Client) -> Client:
    copy = Client()
    session = copy.session
    session.update(dict(client.session.items()))
    session.save()
    return copy


def _pause(world: World, client: Client) -> tuple[str, dict[str, Any]]:
    staff_client(world, client)
    data = {"message": "Closed for a day", "message_cy": "Ar gau am ddiwrnod", "scope": "prison"}
    return reverse("staff:booking-pause", kwargs={"prison": "rochester"}), data


def _resume(world: World, client: Client) -> tuple[str, dict[str, Any]]:
    from accounts.maintenance import booking_pause

    staff_client(world, client)
    world.extra["pause"] = booking_pause(prison=world.prison, message="Closed", message_cy="", user=world.staff)
    cache.delete("booking-pauses")
    return reverse("staff:booking-pause", kwargs={"prison": "rochester"}), {"resume": str(world.extra["pause"].id)}


def _sign_in(path: str) -> Recipe:
    def reach(world: World, client: Client) -> tuple[str, dict[str, Any]]:
        return path, {"username": "walker", "password": PASSWORD}

    return reach


def _sign_out(world: World, client: Client) -> tuple[str, dict[str, Any]]:
    staff_client(world, client)
    return reverse("staff:sign-out"), {}


def _language(world: World, client: Client) -> tuple[str, dict[str, Any]]:
    return reverse("set_language"), {"language": "cy", "next": "/prison"}


def _journey_post(name: str, step: str, data: dict[str, Any], *, request: bool = False, **kwargs: Any) -> Recipe:
    return journey(step, reverse(f"visits:{name}", kwargs=kwargs or None), lambda w, c: dict(data), request=request)


# Each route with a form: (name, how to reach it, recipe options). A route may have several forms (variants).
FORMS: dict[str, list[tuple[str, Recipe, dict[str, Any]]]] = {
    # The public journey, in order.
    "visits:choose-prison": [("", _journey_post("choose-prison", "prison", {"prison": "rochester"}), {})],
    "visits:prisoner": [
        (
            "",
            _journey_post(
                "prisoner",
                "prisoner",
                {"first_name": "Ryan", "last_name": "Walker", "number": "A1001AA", **dob(date(1988, 4, 12))},
            ),
            {},
        )
    ],
    "visits:visitor-add": [
        (
            "",
            _journey_post(
                "visitor-add", "visitor-add", {"first_name": "Sophie", "last_name": "Walker", **dob(date(1990, 7, 3))}
            ),
            {},
        )
    ],
    "visits:visitor-change": [
        (
            "",
            _journey_post(
                "visitor-change",
                "visitors",
                {"first_name": "Sophie", "last_name": "Walker", **dob(date(1990, 7, 3))},
                index=0,
            ),
            {},
        )
    ],
    "visits:visitor-remove": [("", _journey_post("visitor-remove", "visitors", {}, index=0), {})],
    "visits:visitors": [("", _journey_post("visitors", "visitors", {"add_another": "no"}), {})],
    "visits:support": [("", _journey_post("support", "support", {"needs": ["wheelchair"], "details": "A ramp"}), {})],
    "visits:choose-time": [
        (
            "",
            journey(
                "choose-time",
                "/choose-time",
                lambda w, c: {"session": first_radio_value(c.get("/choose-time").content.decode())},
            ),
            {},
        )
    ],
    "visits:choose-time-rank": [("", _second_choice, {})],
    "visits:another-time": [("", _journey_post("another-time", "another-time", {"another": "no"}, request=True), {})],
    "visits:contact": [
        (
            "",
            _journey_post(
                "contact", "contact", {"updates": ["email", "sms"], "email": "a@example.com", "phone": "07700 900 982"}
            ),
            {},
        )
    ],
    "visits:check": [("", _journey_post("check", "check", {}), {})],
    "visits:waiting-join": [("", _join_waiting_list, {})],
    # No place offered yet: the offer's link shows where they stand; leaving shows they have left.
    "visits:waiting-offer": [("", _waiting_link("waiting-offer", "offer"), {"accepted": 200})],
    "visits:waiting-leave": [("", _waiting_link("waiting-leave", "leave"), {"accepted": 200})],
    # Managing a visit.
    "visits:find-visit": [
        (
            "",
            lambda w, c: ("/manage", {"reference": w.booked.reference, "email": "sophie@example.com"}),
            {},
        )
    ],
    "visits:cancel": [
        ("", lambda w, c: (reverse("visits:cancel", kwargs={"token": manage_token(w.booked)}), {"reason": "ill"}), {})
    ],
    "visits:withdraw": [
        ("", lambda w, c: (reverse("visits:withdraw", kwargs={"token": manage_token(w.requested)}), {}), {})
    ],
    "visits:change-time": [("", _change_picker, {})],
    "set_language": [("", _language, {"says_errors": False})],
    # Signing in and out.
    "staff:sign-in": [("", _sign_in("/staff/sign-in"), {})],
    "django-admin/login/": [("", _sign_in("/django-admin/login/"), {"govuk": False, "says_errors": False})],
    "staff:sign-out": [("", _sign_out, {})],
    # The staff console.
    "staff:visit-cancel": [("", console("visit-cancel", lambda w: {"reason": "Prisoner moved"}, reference=_ref), {})],
    "staff:visit-change": [
        (
            "",
            console(
                "visit-change",
                lambda w: {"session": str(_free_for(w).id), "reason": "Asked to move"},
                reference=_ref,
            ),
            {},
        )
    ],
    "staff:visit-attendance": [
        ("", console("visit-attendance", lambda w: {"attended": "yes"}, reference=lambda w: w.today.reference), {})
    ],
    "staff:visit-keep": [
        (
            "",
            console("visit-keep", lambda w: {"resolution": "Still fine"}, reference=lambda w: w.flagged.reference),
            {},
        )
    ],
    "staff:book": [("", console("book", _find_prisoner), {})],
    "staff:book-details": [("", _book_details, {})],
    # Refusing and allowing a visitor first: approving needs every visitor decided (its recipe decides them).
    "staff:request": [
        (
            "reject",
            _request("reject", lambda w: {"reject-reasons": ["slots_unavailable"], "reject-message": "Sorry"}),
            {},
        ),
        ("refuse", _request("refuse", lambda w: {"refuse-visitor": _visitor(w), "refuse-kind": "visitor_banned"}), {}),
        ("allow", _request("allow", lambda w: {"allow-visitor": _visitor(w)}), {}),
        ("approve", _request("approve", _decided), {}),
    ],
    "staff:cancellation-seen": [
        (
            "",
            console(
                "cancellation-seen",
                lambda w: {},
                reference=lambda w: Visit.objects.get(state=VisitState.CANCELLED).reference,
            ),
            {},
        )
    ],
    "staff:blocks": [
        (
            "",
            console(
                "blocks",
                lambda w: {
                    **dob(TODAY + timedelta(days=20), "date"),
                    "start_time": "",
                    "reason": "Staff training",
                    "visits": "flag",
                    "confirm": "yes",
                },
            ),
            {},
        )
    ],
    "staff:unblock": [("", console("unblock", lambda w: {}, block_id=lambda w: w.block.id), {})],
    "staff:template-add": [("", console("template-add", lambda w: _template_data()), {})],
    "staff:template": [("", console("template", lambda w: _template_data(), template_id=lambda w: w.template.id), {})],
    "staff:timetable-settings": [
        ("", console("timetable-settings", lambda w: {"visits_mailbox": "visits@example.com"}), {})
    ],
    "staff:booking-pause": [("pause", _pause, {}), ("resume", _resume, {})],
}
# Routes that take a POST but are no form a person fills in, with where they are tested.
NOT_FORMS = {
    "notify-delivery-receipt": "GOV.UK Notify's JSON callback with a bearer token: tests/notifications/",
}


def _template_data() -> dict[str, Any]:
    return {
        "weekday": "3",
        "start_time": "14:00",
        "end_time": "15:45",
        **dob(TODAY + timedelta(days=70), "valid_from"),
        "every_n_weeks": "1",
        "open_capacity": "20",
        "closed_capacity": "2",
        "confirm": "yes",
    }


# --- Posting ---------------------------------------------------------------------------------------------------------


@dataclass
class Walk:
    """The problems found, as lines that say which form, which field and which value."""

    problems: list[str] = field(default_factory=list)
    posts: int = 0

    def post(self, label: str, reached: Reached, data: dict[str, Any] | bytes, content_type: str = "") -> Any:
        """One post, on a copy of the reached session, rolled back; None when it raised."""
        self.posts += 1
        forget_lookups()
        cache.delete("booking-pauses")
        try:
            with transaction.atomic():
                client = reached.client()
                # Each post from an address of its own: a wrong answer counted against this client (a prisoner's
                # details that do not match) must not close the journey to the posts that follow.
                address = f"10.{self.posts >> 16 & 255}.{self.posts >> 8 & 255}.{self.posts & 255}"
                if isinstance(data, bytes):
                    response = client.generic(
                        "POST", reached.path, data, content_type=content_type, REMOTE_ADDR=address
                    )
                else:
                    response = client.post(
                        reached.path,
                        urlencode(data, doseq=True),
                        content_type="application/x-www-form-urlencoded",
                        REMOTE_ADDR=address,
                    )
                transaction.set_rollback(True)
        except Exception as error:  # a server error: the view's exception, re-raised by the test client
            last = traceback.format_exception(error)[-1].strip()
            self.problems.append(f"{label}: server error: {last[:300]}")
            return None
        finally:
            cache.delete("booking-pauses")
        return response

    def check(self, label: str, reached: Reached, response: Any, *, wrong: bool) -> None:
        if response is None:
            return
        if response.status_code not in ALLOWED:
            self.problems.append(f"{label}: answered {response.status_code}")
            return
        html = response.content.decode() if "text/html" in response.get("Content-Type", "") else ""
        if response.status_code == 302 or not html:
            if wrong and reached.says_errors:
                self.problems.append(f"{label}: accepted ({response.status_code}) instead of showing an error")
            return
        if reached.govuk and "govuk-template" not in html:
            self.problems.append(f"{label}: {response.status_code} is not a GOV.UK page")
            return
        page = read_page(html)
        if page.has_summary and reached.govuk:
            if not page.title.startswith("Error: "):
                self.problems.append(f"{label}: the title of a page with errors is {page.title!r}")
            for href, _text in page.summary:
                if href[1:] not in page.ids:
                    self.problems.append(f"{label}: the error summary links to {href}, not on the page")
        elif wrong and reached.says_errors and response.status_code in (200, 400):
            self.problems.append(f"{label}: {response.status_code} without an error summary")


def variants(fields: dict[str, bool], valid: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(what, data, always wrong) for each field in turn, each hostile value, every other field valid."""
    for name, is_date in fields.items():
        if is_date:
            for label, parts in HOSTILE_DATES.items():
                data = {**valid, **{f"{name}-{part}": value for part, value in zip(DATE_PARTS, parts, strict=True)}}
                yield f"{name}={label}", data, label in ALWAYS_WRONG
        else:
            for label, value in HOSTILE.items():
                yield f"{name}={label}", {**valid, name: value}, label in ALWAYS_WRONG


def other_charsets(valid: dict[str, Any]) -> Iterator[tuple[str, bytes, str]]:
    text = urlencode(valid, doseq=True) + "&note=caf%E9"
    yield "in latin-1", text.encode("latin-1"), "application/x-www-form-urlencoded; charset=latin-1"
    yield "in UTF-16", text.encode("utf-16"), "application/x-www-form-urlencoded; charset=utf-16"
    yield "as multipart without a boundary", b"--x\r\n\r\n--x--", "multipart/form-data"


# --- The tests -------------------------------------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path, prison_data_dir) -> Iterator[World]:  # type: ignore[no-untyped-def]
    seed_rochester(tmp_path, prison_data_dir)
    with frozen_at_nine():
        yield build_world()


def reach(world: World, recipe: Recipe, options: dict[str, Any]) -> Reached:
    forget_lookups()
    setup = Client()
    path, valid = recipe(world, setup)
    return Reached(path, valid, dict(setup.session.items()), **options)


def test_every_form_with_each_field_wrong_is_a_govuk_page_never_a_server_error(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = FormsBound()
    bound.install(monkeypatch)
    walk = Walk()
    for route, recipes in FORMS.items():
        for variant, recipe, options in recipes:
            name = f"{route} {variant}".strip()
            reached = reach(world, recipe, options)
            bound.take()
            response = walk.post(f"{name}, valid", reached, reached.valid)
            forms = bound.take()
            if response is not None and response.status_code != reached.accepted:
                page = read_page(response.content.decode(errors="replace"))
                walk.problems.append(
                    f"{name}: the valid answer was not accepted ({response.status_code}): {page.title!r}, "
                    f"{[text for _, text in page.summary]}"
                )
            fields = posted_fields(forms) or {k: False for k in reached.valid if k not in ("confirm", "action")}
            for what, data, wrong in variants(fields, reached.valid):
                label = f"{name}, {what}"
                walk.check(label, reached, walk.post(label, reached, data), wrong=wrong)
            for what, body, content_type in other_charsets(reached.valid):
                response = walk.post(f"{name}, {what}", reached, body, content_type)
                if response is not None and (response.status_code != 400 or b"govuk-template" not in response.content):
                    walk.problems.append(f"{name}, {what}: {response.status_code}, not the GOV.UK bad request page")
    assert not walk.problems, f"{len(walk.problems)} problems in {walk.posts} posts:\n" + "\n".join(walk.problems)
    unbound = {f"{c.__module__}.{c.__name__}" for c in project_form_classes() - bound.classes}
    assert not unbound, f"GOV.UK forms no recipe in FORMS binds: {sorted(unbound)}"


def test_every_route_that_takes_a_post_has_a_recipe(world: World) -> None:
    """A POST to each route of the service: any that does not answer "method not allowed" is a form (or a button)
    and needs a recipe in FORMS; a recipe for a route that no longer exists fails too."""
    values = {
        "prison": "rochester",
        "slug": "rochester",
        "reference": world.booked.reference,
        "token": manage_token(world.booked),
        "template_id": world.template.id,
        "block_id": world.block.id,
        "session_id": world.full.id,
        "index": 0,
        "rank": 2,
        "reason": "moved",
    }
    takes_post = []
    routes = every_route()
    for route in routes:
        path = "/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: str(values[m[1]]), route.route)
        client = Client(raise_request_exception=False)
        client.force_login(world.staff)  # afresh: a POST to sign out ends the session
        with transaction.atomic():
            status = client.post(path).status_code
            transaction.set_rollback(True)
        if status != 405:
            takes_post.append(route.name)
    assert len(routes) > 40 and "staff:blocks" in takes_post, "the walk sees the routes"
    missing = sorted(set(takes_post) - FORMS.keys() - NOT_FORMS.keys())
    assert not missing, f"routes that take a POST with no recipe in FORMS (tests/config/test_every_form.py): {missing}"
    gone = sorted((FORMS.keys() | NOT_FORMS.keys()) - set(takes_post))
    assert not gone, f"recipes for routes that take no POST: {gone}"

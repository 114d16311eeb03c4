"""The prison's visits mailbox: where a prison has set one, each new request and each visitor's cancellation writes
one email to it, in the same transaction, with no visitor's personal data; otherwise nothing is sent to it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from notifications import sending as notifications
from notifications.gateway import FakeNotifyGateway, NotifyRejected
from notifications.sending import message_send
from tests.factories import make_prison
from tests.notifications.flows import CONTACT, WELSH_CONTACT, book, reserve, session_on
from visits.models import FakeNotifyMessage, FlagReason, MessageStatus, OutboxMessage, VisitFlag
from visits.outbox import describe_session
from visits.services import Actor, request_withdraw, visit_cancel, visit_request

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() + timedelta(days=5)
MAILBOX = "socialvisits.rochester@justice.gov.uk"
MAILBOX_KINDS = ("prison_new_request", "prison_visitor_cancelled")


@pytest.fixture
def prison():  # type: ignore[no-untyped-def]
    return make_prison(name_cy="Carchar Rochester", phone="0300 060 6603", visits_mailbox=MAILBOX)


def to_mailbox() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(recipient=MAILBOX))


def assert_no_visitor_personal_data(values: object, *texts: str) -> None:
    everything = json.dumps(values) + "\n".join(texts)
    for personal in ("Mary", "Tom", "Harris", CONTACT.email, CONTACT.phone, WELSH_CONTACT.email, "900456"):
        assert personal not in everything, personal


def test_a_new_request_sends_one_email_to_the_mailbox(prison, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    later = session_on(prison, DAY + timedelta(days=1), hour=10)
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_request(visit=reserve(prison, DAY), contact=CONTACT, preferences=[later])
    [message] = to_mailbox()
    assert (message.kind, message.channel, message.status) == ("prison_new_request", "email", MessageStatus.SENT)
    first = describe_session(visit.session)
    assert message.personalisation == {
        "reference": visit.reference,
        "prison": "Rochester",
        "visit_date_and_time": first,
        "prisoner_number": visit.prisoner_number,
        "visit_type": "open",
        "console_link": f"http://testserver/staff/rochester/requests/{visit.reference}",
        "requested_times": [first, describe_session(later)],
    }
    # The visitor has their own messages as before.
    assert OutboxMessage.objects.filter(visit=visit, kind="requested").count() == 2
    fake = FakeNotifyMessage.objects.get(reference=message.reference)
    assert fake.template_name == "prison_new_request.email.en"
    assert fake.subject == f"New visit request: {visit.reference}"
    assert f"Prisoner number: {visit.prisoner_number}" in fake.body
    assert f"* {first}\n* {describe_session(later)}" in fake.body
    assert message.personalisation["console_link"] in fake.body
    assert_no_visitor_personal_data(message.personalisation, fake.subject, fake.body)


def test_a_visitors_cancellation_sends_one_email_to_the_mailbox(prison, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    visit = book(prison, DAY)
    assert to_mailbox() == []  # an instant booking: the console has it, the mailbox is not told
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=visit, reason="Car broke down", actor=Actor.visitor())
    [message] = to_mailbox()
    assert (message.kind, message.status) == ("prison_visitor_cancelled", MessageStatus.SENT)
    assert message.personalisation == {
        "reference": visit.reference,
        "prison": "Rochester",
        "visit_date_and_time": describe_session(visit.session),
        "prisoner_number": visit.prisoner_number,
        "visit_type": "open",
        "console_link": f"http://testserver/staff/rochester/visits/{visit.reference}",
    }
    fake = FakeNotifyMessage.objects.get(reference=message.reference)
    assert fake.template_name == "prison_visitor_cancelled.email.en"
    assert fake.subject == f"Visit cancelled by the visitor: {visit.reference}"
    assert "Car broke down" not in fake.body  # the visitor's own words stay in the console
    assert_no_visitor_personal_data(message.personalisation, fake.subject, fake.body)


def test_the_mailbox_is_written_to_in_english_whatever_the_visitors_language(  # type: ignore[no-untyped-def]
    prison, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_request(visit=reserve(prison, DAY), contact=WELSH_CONTACT)
        visit_cancel(visit=book(prison, DAY, WELSH_CONTACT), reason="Salwch", actor=Actor.visitor())
    messages = to_mailbox()
    assert [m.kind for m in messages] == list(MAILBOX_KINDS)
    names = set(FakeNotifyMessage.objects.filter(recipient=MAILBOX).values_list("template_name", flat=True))
    assert names == {"prison_new_request.email.en", "prison_visitor_cancelled.email.en"}
    assert messages[0].personalisation["prison"] == "Rochester"
    assert not messages[0].personalisation["visit_date_and_time"].startswith("Dydd")
    visitor = FakeNotifyMessage.objects.get(template_name="requested.email.cy")  # the visitor's stays Welsh
    assert visit.reference in visitor.body


def test_without_a_mailbox_nothing_is_sent_to_one(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    prison = make_prison()
    with django_capture_on_commit_callbacks(execute=True):
        visit_request(visit=reserve(prison, DAY), contact=CONTACT)
        visit_cancel(visit=book(prison, DAY), reason="Ill", actor=Actor.visitor())
    assert not OutboxMessage.objects.filter(kind__in=MAILBOX_KINDS).exists()
    assert not FakeNotifyMessage.objects.filter(template_name__startswith="prison_").exists()


def test_a_mailbox_set_after_the_journey_read_the_prison_is_used(prison) -> None:  # type: ignore[no-untyped-def]
    visit = reserve(prison, DAY)
    visit.prison.visits_mailbox = ""  # the journey's copy of the prison, read before staff set the mailbox
    visit_request(visit=visit, contact=CONTACT)
    assert [m.kind for m in to_mailbox()] == ["prison_new_request"]


def test_staff_and_system_cancellations_and_withdrawals_send_nothing_to_the_mailbox(prison) -> None:  # type: ignore[no-untyped-def]
    staff = Actor(user=User.objects.create_user("rochester-team"))
    visit_cancel(visit=book(prison, DAY), reason="Staff shortage", actor=staff)
    visit_cancel(visit=book(prison, DAY, hour=16), reason="Prisoner released", actor=Actor.system())
    request = visit_request(visit=reserve(prison, DAY + timedelta(days=1)), contact=CONTACT)
    request_withdraw(visit=request)
    assert [m.kind for m in to_mailbox()] == ["prison_new_request"]  # the request's own, only


def test_a_request_that_rolls_back_writes_nothing_to_the_mailbox(prison, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    held = reserve(prison, DAY)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        visit_request(visit=held, contact=CONTACT)
        raise RuntimeError("something later in the same transaction failed")
    assert to_mailbox() == [] and not FakeNotifyMessage.objects.exists()


def test_a_refused_mailbox_email_fails_without_flagging_the_visit(prison, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    class Refuses(FakeNotifyGateway):
        def send(self, **kwargs: object) -> str:
            raise NotifyRejected("400 ValidationError: email_address Not a valid email address", status_code=400)

    visit = visit_request(visit=reserve(prison, DAY), contact=CONTACT)
    monkeypatch.setattr(notifications, "get_gateway", Refuses)
    [message] = to_mailbox()
    assert message_send(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert not VisitFlag.objects.filter(visit=visit, reason=FlagReason.MESSAGE_FAILED).exists()

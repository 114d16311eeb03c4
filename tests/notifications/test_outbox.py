"""The outbox: messages written with the change that causes them, sent after commit through the fake Notify, each
at most once, and swept up when stuck. No services needed: SQLite, eager tasks, the fake gateway."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import sending as notifications
from notifications.gateway import FakeNotifyGateway, NotifyRejected, NotifyTemporaryError, NotifyUnavailable
from notifications.sending import message_send, outbox_sweep
from notifications.tasks import backoff_seconds, send_message
from tests.factories import make_prison
from tests.notifications.flows import CONTACT, WELSH_CONTACT, book, every_kind_of_message
from visits.models import (
    EventType,
    FakeNotifyMessage,
    FlagReason,
    MessageStatus,
    OutboxMessage,
    VisitFlag,
)
from visits.outbox import is_uk_mobile, queue_messages
from visits.services import ContactDetails

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() + timedelta(days=5)


@pytest.fixture
def prison():  # type: ignore[no-untyped-def]
    return make_prison(name_cy="Carchar Rochester", phone="0300 060 6603")


class LosesTheAnswer(FakeNotifyGateway):
    """Notify keeps the message, but the answer never arrives (a timeout)."""

    def send(self, **kwargs: Any) -> str:
        super().send(**kwargs)
        raise NotifyTemporaryError("503 Request failed", status_code=503)


class Refuses(FakeNotifyGateway):
    def send(self, **kwargs: Any) -> str:
        raise NotifyRejected("400 ValidationError: email_address Not a valid email address", status_code=400)


class Failing(FakeNotifyGateway):
    def __init__(self, error: Exception) -> None:
        self.error = error

    def send(self, **kwargs: Any) -> str:
        raise self.error


def use_gateway(monkeypatch: pytest.MonkeyPatch, gateway: Any) -> None:
    monkeypatch.setattr(notifications, "get_gateway", lambda: gateway)


def test_messages_are_sent_after_the_change_commits(prison, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        visit = book(prison, DAY)
        assert FakeNotifyMessage.objects.count() == 0  # written, not sent, until the transaction commits
    for callback in callbacks:
        callback()
    messages = list(OutboxMessage.objects.filter(visit=visit).order_by("channel"))
    sent = {m.reference: m for m in FakeNotifyMessage.objects.all()}
    assert [(m.channel, m.status) for m in messages] == [("email", "sent"), ("sms", "sent")]
    email, sms = (sent[m.reference] for m in messages)
    assert [m.notify_id for m in messages] == [str(email.id), str(sms.id)]
    assert email.subject == f"Visit booked: {messages[0].personalisation['visit_date_and_time']}"
    assert f"Reference: {visit.reference}" in email.body and messages[0].personalisation["manage_link"] in email.body
    assert (sms.template_name, sms.recipient, sms.subject) == ("booked.sms.en", CONTACT.phone, "")


def test_a_change_that_rolls_back_sends_nothing(prison, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        book(prison, DAY)
        raise RuntimeError("something later in the same transaction failed")
    assert not OutboxMessage.objects.exists() and not FakeNotifyMessage.objects.exists()


@pytest.mark.parametrize(("contact", "language"), [(CONTACT, "en"), (WELSH_CONTACT, "cy")])
def test_every_kind_of_message_renders_from_its_template(  # type: ignore[no-untyped-def]
    prison, contact: ContactDetails, language: str, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        every_kind_of_message(prison, contact)
    messages = list(OutboxMessage.objects.all())
    assert {m.status for m in messages} == {MessageStatus.SENT}
    sent = {m.reference: m for m in FakeNotifyMessage.objects.all()}
    names = {sent[m.reference].template_name for m in messages}
    assert names == {f"{k}.{c}.{language}" for k in notifications_kinds() for c in ("email", "sms")}
    for message in messages:
        fake = sent[message.reference]
        assert "((" not in fake.subject + fake.body
        assert message.personalisation["manage_link"] in fake.body


def notifications_kinds() -> list[str]:
    """The kinds of message about a visit (a waiting list's own are in tests/waiting_list/test_waiting_list.py)."""
    from django.conf import settings

    from waiting_list.services import MESSAGE_KINDS

    return [kind for kind in settings.NOTIFY_MESSAGE_KINDS if kind not in MESSAGE_KINDS]


def test_welsh_messages_have_welsh_dates_names_and_reasons(prison, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        visits = every_kind_of_message(prison, WELSH_CONTACT)
    booked = OutboxMessage.objects.filter(visit=visits["booked"], channel="email").get().personalisation
    assert booked["visit_date_and_time"].startswith("Dydd ") and " i " in booked["visit_date_and_time"]
    assert (booked["prison"], booked["visit_type"]) == ("Carchar Rochester", "agored")
    rejected = OutboxMessage.objects.get(visit=visits["rejected"], kind="rejected", channel="email").personalisation
    assert rejected["rejection_reasons"][0].startswith("Nid oes gan y carcharor lwfans ymweld ar ôl")
    assert rejected["rejection_reasons"][1] == "The visits hall is closed for repairs"  # the clerk's own words
    fake = FakeNotifyMessage.objects.get(template_name="rejected.email.cy")
    assert "* The visits hall is closed for repairs" in fake.body


def test_text_messages_go_only_to_uk_mobiles(prison) -> None:  # type: ignore[no-untyped-def]
    for number in ("+447700900123", "07700 900123", "447700900123", "+44 7911 123456"):
        assert is_uk_mobile(number), number
    for number in ("+12025550123", "+441234567890", "01234 567890", "+4477009001", "07700"):
        assert not is_uk_mobile(number), number
    visit = book(prison, DAY, ContactDetails(email="a@example.com", phone="+12025550123", wants_sms=True))
    assert list(OutboxMessage.objects.filter(visit=visit).values_list("channel", flat=True)) == ["email"]
    assert queue_messages(visit, "booked") and OutboxMessage.objects.filter(channel="sms").count() == 0


def test_a_message_is_sent_once_however_often_its_task_runs(prison) -> None:  # type: ignore[no-untyped-def]
    message = OutboxMessage.objects.filter(visit=book(prison, DAY)).first()
    assert message_send(message_id=message.pk) == "sent"
    assert message_send(message_id=message.pk) == "skipped"
    assert send_message.apply(args=(message.pk,)).get() == "skipped"
    assert FakeNotifyMessage.objects.filter(reference=message.reference).count() == 1


def test_a_message_another_sender_holds_is_left_alone_until_its_lease_runs_out(prison, settings) -> None:  # type: ignore[no-untyped-def]
    message = OutboxMessage.objects.filter(visit=book(prison, DAY)).first()
    held = timezone.now() - timedelta(seconds=settings.NOTIFY_CLAIM_LEASE_SECONDS - 5)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=held, attempts=1)
    assert message_send(message_id=message.pk) == "skipped"
    expired = timezone.now() - timedelta(seconds=settings.NOTIFY_CLAIM_LEASE_SECONDS + 5)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=expired)
    assert message_send(message_id=message.pk) == "sent"  # the holder died; nothing had reached Notify
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)


def test_an_answer_lost_after_notify_kept_the_message_is_found_not_sent_again(prison, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    message = OutboxMessage.objects.filter(visit=book(prison, DAY)).first()
    use_gateway(monkeypatch, LosesTheAnswer())
    with pytest.raises(NotifyTemporaryError):
        message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.claimed_at, message.attempts) == (MessageStatus.PENDING, None, 1)
    assert "503" in message.last_error
    use_gateway(monkeypatch, FakeNotifyGateway())
    assert message_send(message_id=message.pk) == "found"
    kept = FakeNotifyMessage.objects.get(reference=message.reference)
    message.refresh_from_db()
    assert (message.status, message.notify_id) == (MessageStatus.SENT, str(kept.id))


def test_a_message_notify_refuses_fails_and_flags_the_visit_for_staff(prison, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    visit = book(prison, DAY, ContactDetails(email="mary@example.com"))
    message = OutboxMessage.objects.get(visit=visit)
    use_gateway(monkeypatch, Refuses())
    assert message_send(message_id=message.pk) == "failed"
    assert message_send(message_id=message.pk) == "skipped"  # not retried
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "Not a valid email address" in message.last_error
    flag = VisitFlag.objects.get(visit=visit)
    assert flag.reason == FlagReason.MESSAGE_FAILED and "mary@example.com" in flag.detail
    assert visit.events.filter(type=EventType.FLAGGED).count() == 1


def test_temporary_and_configuration_errors_leave_the_message_for_a_retry(prison, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    message = OutboxMessage.objects.filter(visit=book(prison, DAY)).first()
    for error in (NotifyTemporaryError("429 RateLimitError"), NotifyUnavailable("403 AuthError")):
        use_gateway(monkeypatch, Failing(error))
        # Eagerly (no worker), the task does not wait in the request: the sweep sends it later.
        assert send_message.apply(args=(message.pk,)).get() == "left for the sweep"
        message.refresh_from_db()
        assert (message.status, message.claimed_at) == (MessageStatus.PENDING, None)
        assert message.last_error == str(error)


def test_backoff_grows_with_jitter_up_to_its_cap(settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_RETRY_BACKOFF_SECONDS, settings.NOTIFY_RETRY_BACKOFF_MAX_SECONDS = 5, 300
    assert 2.5 <= backoff_seconds(0) <= 5
    assert 20 <= backoff_seconds(3) <= 40
    assert 150 <= backoff_seconds(12) <= 300


def test_the_sweep_sends_stuck_messages_and_gives_up_on_stale_ones(prison, settings) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    visits = [book(prison, DAY + timedelta(days=n), ContactDetails(email=f"v{n}@example.com")) for n in range(5)]
    fresh, never_queued, held, dead_sender, ancient = (OutboxMessage.objects.get(visit=v) for v in visits)
    minutes_ago = lambda m: now - timedelta(minutes=m)  # noqa: E731
    OutboxMessage.objects.filter(pk=never_queued.pk).update(created_at=minutes_ago(10))
    OutboxMessage.objects.filter(pk=held.pk).update(created_at=minutes_ago(10), claimed_at=minutes_ago(1))
    OutboxMessage.objects.filter(pk=dead_sender.pk).update(created_at=minutes_ago(10), claimed_at=minutes_ago(6))
    OutboxMessage.objects.filter(pk=ancient.pk).update(created_at=now - timedelta(hours=49))

    assert outbox_sweep(now=now) == {"stuck": 2, "queued": 2, "given_up": 1}
    status = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert status[fresh.pk] == status[held.pk] == MessageStatus.PENDING  # its task is on its way; its sender alive
    assert status[never_queued.pk] == status[dead_sender.pk] == MessageStatus.SENT
    assert status[ancient.pk] == MessageStatus.FAILED
    assert VisitFlag.objects.get(visit=visits[4]).reason == FlagReason.MESSAGE_FAILED
    assert outbox_sweep(now=now) == {"stuck": 0, "queued": 0, "given_up": 0}


def test_a_broker_that_is_down_does_not_undo_or_break_the_booking(prison, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from kombu.exceptions import OperationalError

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_message, "apply_async", broker_down)
    visit = book(prison, DAY)
    ids = list(OutboxMessage.objects.filter(visit=visit).values_list("pk", flat=True))
    send_message.app.conf.task_always_eager = False  # a broker, and it is down
    try:
        assert notifications.messages_enqueue(ids) == 0  # as on commit (the test's transaction never commits)
    finally:
        send_message.app.conf.task_always_eager = True
    assert "the outbox sweep will send them" in caplog.text
    assert OutboxMessage.objects.filter(visit=visit, status=MessageStatus.PENDING).count() == 2


def test_the_sweep_tries_each_message_once_so_an_outage_builds_no_retry_storm(prison, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(send_message, "apply_async", lambda args, kwargs, **options: queued.append((args, kwargs)))
    visit = book(prison, DAY)
    OutboxMessage.objects.filter(visit=visit).update(created_at=timezone.now() - timedelta(minutes=10))
    assert outbox_sweep()["queued"] == 2
    assert [kwargs for _, kwargs in queued] == [{"retry": False}] * 2

"""The Notify gateway: the real notifications-python-client against the fake Notify HTTP server (JWTs checked),
what each of Notify's answers means for the sender, the shared rate limit, the template ids and their docs."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from notifications.gateway import (
    NotifyClientGateway,
    NotifyRejected,
    NotifyTemporaryError,
    NotifyUnavailable,
    SharedRateLimit,
    get_gateway,
    placeholders,
    render,
    template_text,
)
from tests.notifications.conftest import ROOT, TEMPLATE_IDS
from tests.notifications.fake_notify import API_KEY, FakeNotify
from waiting_list.services import MESSAGE_KINDS as WAITING_LIST_KINDS

VALUES = {
    "reference": "bc-df-gh-jk",
    "prison": "Rochester",
    "prison_phone": "0300 060 6603",
    "arrive_minutes": "45",
    "visit_date_and_time": "Tuesday 1 December 2026, 2pm to 3:45pm",
    "visit_type": "open",
    "prisoner": "Jimmy Harris",
    "visitors": "Mary Harris",
    "manage_link": "https://visits.example/visit/abc",
}


def send(template: str = "booked.email.en", recipient: str = "mary@example.com", reference: str = "outbox-1") -> str:
    channel = template.split(".")[1]
    return get_gateway().send(
        channel=channel, recipient=recipient, template=template, personalisation=VALUES, reference=reference
    )


def test_the_real_client_sends_to_notify_and_finds_by_reference(real_notify: FakeNotify) -> None:
    assert isinstance(get_gateway(), NotifyClientGateway)
    email_id = send()
    sms_id = send("booked.sms.en", "+447700900123", "outbox-2")
    email, sms = real_notify.sent()
    assert (email["id"], email["reference"], email["email_address"]) == (email_id, "outbox-1", "mary@example.com")
    assert email["template"]["id"] == TEMPLATE_IDS["booked.email.en"] and email["personalisation"] == VALUES
    assert email["subject"] == "Visit booked: Tuesday 1 December 2026, 2pm to 3:45pm"
    assert (sms["id"], sms["phone_number"]) == (sms_id, "+447700900123")
    assert get_gateway().find_sent("outbox-2") == sms_id
    assert get_gateway().find_sent("outbox-3") is None


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (429, "RateLimitError", NotifyTemporaryError),  # Notify's per-minute limit: back off and retry
        (500, "Exception", NotifyTemporaryError),
        (502, "Exception", NotifyTemporaryError),
        (503, "Exception", NotifyTemporaryError),
        (400, "ValidationError", NotifyRejected),  # this message will never go: fail it, flag the visit
        (429, "TooManyRequestsError", NotifyUnavailable),  # the daily limit: not before midnight
        (403, "AuthError", NotifyUnavailable),  # our key: a person must fix it, then the sweep sends
    ],
)
def test_what_each_answer_means(real_notify: FakeNotify, status: int, error: str, expected: type) -> None:
    real_notify.fail_next(1, status, error)
    with pytest.raises(expected) as raised:
        send()
    assert raised.value.status_code == status and error in raised.value.message
    assert send()  # and the next one goes


def test_timeouts_and_refused_connections_are_temporary(real_notify: FakeNotify, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_TIMEOUT_SECONDS = 0.3
    real_notify.delay_next(1, 1)
    with pytest.raises(NotifyTemporaryError, match="503"):
        send()
    assert len(real_notify.sent()) == 1  # Notify kept it: only a check by reference can tell
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"
    with pytest.raises(NotifyTemporaryError):
        send()


def test_the_fake_server_checks_the_token_like_notify(real_notify: FakeNotify, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_API_KEY = API_KEY[:-36] + "00000000-0000-4000-8000-000000000000"  # the wrong secret
    with pytest.raises(NotifyUnavailable, match="403"):
        send()
    assert real_notify.sent() == []


def test_a_missing_template_id_waits_for_the_operator(real_notify: FakeNotify, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_TEMPLATE_IDS = {**TEMPLATE_IDS, "booked.email.en": ""}
    with pytest.raises(NotifyUnavailable, match="NOTIFY_TEMPLATE_BOOKED_EMAIL_EN"):
        send()


def test_missing_personalisation_is_refused_like_notify_does() -> None:
    with pytest.raises(NotifyRejected, match="Missing personalisation: previous_date_and_time"):
        render("changed.email.en", VALUES)


def test_the_shared_rate_limit_keeps_each_second_within_budget(settings) -> None:  # type: ignore[no-untyped-def]
    limit = SharedRateLimit(per_second=4)
    seconds = []
    for _ in range(9):
        limit.acquire()
        seconds.append(int(time.time()))
    assert max(Counter(seconds).values()) <= 4 and len(set(seconds)) >= 3
    with pytest.raises(NotifyTemporaryError):
        impatient = SharedRateLimit(per_second=1, max_wait=0)
        impatient.acquire()
        impatient.acquire()
    SharedRateLimit(per_second=0).acquire()  # off


def test_every_template_id_setting_has_its_template_and_its_documentation() -> None:
    docs = (ROOT / "docs" / "notify-templates.md").read_text()
    assert len(django_settings.NOTIFY_TEMPLATE_IDS) == 43  # 32 about visits, 8 for waiting lists, 3 to mailboxes
    for name in django_settings.NOTIFY_TEMPLATE_IDS:
        subject, body = template_text(name)
        assert f"`NOTIFY_TEMPLATE_{name}`".replace(".", "_").upper() in docs.upper()
        assert f"```text\n{body}\n```" in docs, f"docs/notify-templates.md has a different text for {name}"
        if subject:
            assert f"```text\n{subject}\n```" in docs
        if name.split(".")[0] in django_settings.NOTIFY_MAILBOX_MESSAGE_KINDS:
            assert "console_link" in placeholders(name), f"{name} has no link to the staff console"
            assert not {"prisoner", "visitors", "manage_link"} & set(placeholders(name)), name
        elif name.split(".")[0] in WAITING_LIST_KINDS:
            assert {"leave_link", "offer_link"} & set(placeholders(name)), f"{name} has no link for its waiting list"
        else:
            assert "manage_link" in placeholders(name), f"{name} has no link to manage the visit"


def test_production_refuses_to_start_with_a_key_but_no_template_ids(tmp_path: Path) -> None:
    from tests.config.test_settings_and_health import HMPPS

    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "visits.example", "DEBUG": "0"}
    env |= {"REDIS_URL": "redis://127.0.0.1:6379/0", "SERVICE_BASE_URL": "https://visits.example", **HMPPS}
    check = [sys.executable, "-c", "import config.settings"]
    result = subprocess.run(check, cwd=ROOT, env={**env, "NOTIFY_API_KEY": API_KEY}, capture_output=True, text=True)
    assert result.returncode != 0 and "NOTIFY_TEMPLATE_BOOKED_EMAIL_EN" in result.stderr
    for variable in (
        "NOTIFY_TEMPLATE_PRISON_NEW_REQUEST_EMAIL_EN",
        "NOTIFY_TEMPLATE_PRISON_VISITOR_CANCELLED_EMAIL_EN",
    ):
        assert variable in result.stderr
    assert "NOTIFY_TEMPLATE_PRISON_NEW_REQUEST_EMAIL_CY" not in result.stderr  # the mailbox is written to in English
    ids = {f"NOTIFY_TEMPLATE_{n}".replace(".", "_").upper(): v for n, v in TEMPLATE_IDS.items()}
    result = subprocess.run(check, cwd=ROOT, env={**env, "NOTIFY_API_KEY": API_KEY, **ids}, capture_output=True)
    assert result.returncode == 0, result.stderr

"""django-axes's records of staff sign-ins (usernames, addresses, browsers) are kept for SIGN_IN_LOGS_DAYS, then
deleted by a nightly job (issue 26, item 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone

from accounts.tasks import remove_old_sign_in_logs

pytestmark = pytest.mark.django_db


def test_sign_in_records_older_than_the_period_are_deleted_each_night() -> None:
    now = timezone.now()
    for days in (1, 89, 91, 400):
        when = now - timedelta(days=days)
        log = AccessLog.objects.create(username=f"u{days}", ip_address="203.0.113.7", user_agent="Firefox")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=when)
        failure = AccessFailureLog.objects.create(username=f"u{days}", ip_address="203.0.113.7", user_agent="Firefox")
        AccessFailureLog.objects.filter(pk=failure.pk).update(attempt_time=when)
    assert settings.SIGN_IN_LOGS_DAYS == 90
    assert remove_old_sign_in_logs() == 4
    assert sorted(AccessLog.objects.values_list("username", flat=True)) == ["u1", "u89"]
    assert sorted(AccessFailureLog.objects.values_list("username", flat=True)) == ["u1", "u89"]
    assert settings.CELERY_BEAT_SCHEDULE["remove-old-sign-in-logs"]["task"] == "accounts.tasks.remove_old_sign_in_logs"

"""Celery tasks of the staff side: thin, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task
def remove_old_sign_in_logs() -> int:
    """Delete django-axes's records of sign-ins, sign-outs and failures (usernames, addresses, browsers) older than
    ``SIGN_IN_LOGS_DAYS`` (docs/security.md). Returns how many went. (The attempts that count towards a lockout
    are axes's own to clear, at the end of the cool-off.)"""
    cutoff = timezone.now() - timedelta(days=settings.SIGN_IN_LOGS_DAYS)
    logs, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    return logs + failures

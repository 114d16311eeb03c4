"""Periodic jobs for prisons: keep every prison's visit sessions rolling."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from prisons.services import sessions_generate


@shared_task
def generate_sessions_for_all_prisons() -> dict[str, int]:
    """Create, update and retire the visit sessions of every prison's window (safe to run twice)."""
    result = sessions_generate(today=timezone.localdate())
    return {
        "created": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
        "kept_for_review": len(result.kept_for_review),
    }

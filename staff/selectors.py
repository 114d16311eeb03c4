"""Reads for the staff console, always scoped to the prisons a user covers."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from prisons.models import Prison


def prisons_for_user(user: AbstractBaseUser | AnonymousUser) -> list[Prison]:
    """The prisons this staff user covers, in name order (none for anyone signed out)."""
    if not user.is_authenticated:
        return []
    return list(Prison.objects.filter(staff_access__user=user).order_by("name"))

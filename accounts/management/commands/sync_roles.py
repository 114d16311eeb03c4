"""Make the staff roles (groups) and their permissions match `accounts.roles`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.roles import ADMIN_PERMISSIONS, ROLE_PERMISSIONS


def sync_roles() -> None:
    """Create each role's group and give it exactly its permissions: the console's, and the Django admin's."""
    console = {p.codename: p for p in Permission.objects.filter(content_type__app_label="staff")}
    admin = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(content_type__app_label="prisons").select_related("content_type")
    }
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([console[c] for c in codenames] + [admin[name] for name in ADMIN_PERMISSIONS[role]])


class Command(BaseCommand):
    help = "Create the staff roles as groups and give each exactly its permissions."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        sync_roles()
        self.stdout.write(self.style.SUCCESS("Roles synced: " + ", ".join(ROLE_PERMISSIONS)))

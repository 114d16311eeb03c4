"""Create the demo staff users of the embedded default (their sign-ins are in the README)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import BOOKING_CLERK, ROLES, VISITS_ADMIN, VISITS_TEAM
from prisons.models import Prison

DEMO_PASSWORD = "visits-demo-2026"
CALL_CENTRE_PRISON_COUNT = 22  # one call centre books for 22 prisons

# username, full name, role, prison slugs (None: the call centre's prisons)
DEMO_USERS: list[tuple[str, str, str, list[str] | None]] = [
    ("clerk", "Casey Clarke", BOOKING_CLERK, None),
    ("rochester", "Robin Okafor", VISITS_TEAM, ["rochester"]),
    ("cardiff", "Carys Price", VISITS_TEAM, ["cardiff"]),
    ("admin", "Alex Morgan", VISITS_ADMIN, ["rochester", "cardiff"]),
]


class Command(BaseCommand):
    help = "Create the demo staff users that are missing (only with DEBUG on, or --force); existing ones are kept."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    @transaction.atomic
    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("Demo users are for the embedded default: run with DEBUG=1 or --force.")
        sync_roles()
        groups = {name: Group.objects.get(name=name) for name in ROLES}
        call_centre = list(Prison.objects.bookable_online().order_by("name")[:CALL_CENTRE_PRISON_COUNT])
        user_model = get_user_model()
        for username, full_name, role, slugs in DEMO_USERS:
            if user_model.objects.filter(username=username).exists():
                # Someone may have changed it since (its prisons, its role, its password): it stays as it is.
                self.stdout.write(f"{username}: exists, kept as it is")
                continue
            first, last = full_name.split(" ", 1)
            user = user_model.objects.create(
                username=username, first_name=first, last_name=last, is_staff=role == VISITS_ADMIN
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.set([groups[role]])
            prisons = call_centre if slugs is None else list(Prison.objects.filter(slug__in=slugs))
            PrisonAccess.objects.bulk_create([PrisonAccess(user=user, prison=p) for p in prisons])
            self.stdout.write(f"{username}: {role}, {len(prisons)} prison(s)")
        self.stdout.write(self.style.SUCCESS(f"Demo staff ready. Password for each: {DEMO_PASSWORD}"))

"""`python manage.py nomis_event <type> <prisoner_number> [...]`: fire a prisoner event in the stub NOMIS.

The stub's data changes as NOMIS's would (a move changes the prisoner's prison, a ban adds a restriction...) and
the event joins the feed that ``events_since`` serves.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prisons.nomis.interface import EventType, RestrictionType
from prisons.nomis.stub.services import StubDataError, event_fire


class Command(BaseCommand):
    help = "Fire a prisoner event in the stub NOMIS and apply it to the stub's data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("type", choices=[kind.value for kind in EventType], help="The kind of event.")
        parser.add_argument("prisoner_number", help="For example A1001AA (any case).")
        parser.add_argument("--to-prison", help="moved: the NOMIS code of the prison moved to, e.g. CFI.")
        parser.add_argument("--contact-id", type=int, help="visitor_banned, restriction_added: the contact.")
        parser.add_argument(
            "--end-date", type=date.fromisoformat, help="visitor_banned, restriction_added: last day, YYYY-MM-DD."
        )
        parser.add_argument(
            "--restriction",
            choices=[kind.value for kind in RestrictionType],
            help="restriction_added: which restriction (on the prisoner, or on --contact-id).",
        )
        parser.add_argument("--visiting-orders", type=int, help="allowance_changed: VOs left.")
        parser.add_argument("--privileged-visiting-orders", type=int, help="allowance_changed: PVOs left.")
        parser.add_argument("--comment", default="", help="A note kept with a restriction.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            event = event_fire(
                event_type=EventType(options["type"]),
                prisoner_number=options["prisoner_number"],
                to_prison=options["to_prison"],
                contact_id=options["contact_id"],
                end_date=options["end_date"],
                restriction=RestrictionType(options["restriction"]) if options["restriction"] else None,
                visiting_orders=options["visiting_orders"],
                privileged_visiting_orders=options["privileged_visiting_orders"],
                comment=options["comment"],
            )
        except StubDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Event {event.id}: {event.type} {event.prisoner_number} {event.data}")

"""Seed the stub NOMIS: the fixed test prisoners, and realistic random prisoners for every prison in the database.

``stub_seed(seed=N)`` replaces the stub's prisoners, contacts, restrictions, non-associations, balances and
unavailable dates in one transaction, with bulk inserts (a few queries per table whatever the size). The same
seed, prisons and day give the same rows. The visits recorded in the stub and its event feed are history, not
seed data: they are kept (the feed's cursor must only ever move forward). The service's own tables are untouched.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from prisons.nomis.interface import LegalStatus, RestrictionType, UnavailableReason
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.known_prisoners import KNOWN_NUMBERS, KNOWN_PRISONERS, UNKNOWN_PRISONER_NUMBER
from prisons.nomis.stub.names import FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, SURNAMES

DEFAULT_PER_PRISON = 30
# Random people's ages are counted to this day, not to the day of seeding, so that the same seed gives the same
# birth dates on any day. Children under 18 on it may have turned 18 since: the rules see their real age.
BIRTH_ANCHOR = date(2026, 1, 1)
FIRST_RANDOM_CONTACT_ID = 1_000_001
RELEASED_PRISON_CODE = "OUT"

WOMENS_PRISONS = frozenset({"AGI", "BZI", "DHI", "DWI", "ESI", "EWI", "FHI", "LNI", "NHI", "SDI", "STI"})
YOUNG_OFFENDER_INSTITUTIONS = frozenset({"CKI", "FMI", "FYI", "MWI", "WNI", "WYI"})
NUMBER_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # NOMIS numbers avoid I and O
ALERT_CODES = ("VIP", "XRF", "XEL", "HA")  # isolated prisoner, risk to females, escape list, ACCT open
# Children and friends count towards this cap too; above it a family is cut down to its closest members.
MAX_RANDOM_CONTACTS = 6

# Delete children before parents: one DELETE per table, no per-row cascade.
SEEDED_MODELS: tuple[type[Model], ...] = (
    stub.ContactRestriction,
    stub.Contact,
    stub.PrisonerRestriction,
    stub.NonAssociation,
    stub.VisitBalance,
    stub.UnavailableDate,
    stub.Prisoner,
)


@dataclass
class SeedSummary:
    prisons: int = 0
    prisoners: int = 0
    contacts: int = 0
    restrictions: int = 0
    non_associations: int = 0
    unavailable_dates: int = 0


@dataclass
class _Rows:
    prisoners: list[stub.Prisoner] = field(default_factory=list)
    prisoner_restrictions: list[stub.PrisonerRestriction] = field(default_factory=list)
    contacts: list[stub.Contact] = field(default_factory=list)
    contact_restrictions: list[stub.ContactRestriction] = field(default_factory=list)
    non_associations: list[stub.NonAssociation] = field(default_factory=list)
    balances: list[stub.VisitBalance] = field(default_factory=list)
    unavailable_dates: list[stub.UnavailableDate] = field(default_factory=list)


def stub_seed(
    *,
    seed: int,
    per_prison: int = DEFAULT_PER_PRISON,
    today: date | None = None,
    prisons: Sequence[tuple[str, str]] | None = None,
) -> SeedSummary:
    """Replace the stub's NOMIS data: the fixed test prisoners plus ``per_prison`` random ones per prison.
    ``prisons``: (NOMIS code, slug) pairs, in order; by default the service's own prisons (its database). The fake
    HMPPS server, which has no prisons of its own, passes those of the prison data (``prisons_in_data``)."""
    today = today or timezone.localdate()
    if prisons is None:
        from prisons.models import Prison  # the service's own prisons: only where the prisons app is installed

        prisons = list(Prison.objects.order_by("code", "slug").values_list("code", "slug"))
    builder = _SeedBuilder(random.Random(seed), today)
    builder.add_known_prisoners()
    for code, slug in prisons:
        builder.add_prison(code, slug, per_prison)
    rows = builder.rows
    with transaction.atomic():
        stub_clear()
        stub.Prisoner.objects.bulk_create(rows.prisoners)
        stub.PrisonerRestriction.objects.bulk_create(rows.prisoner_restrictions)
        stub.Contact.objects.bulk_create(rows.contacts)
        stub.ContactRestriction.objects.bulk_create(rows.contact_restrictions)
        stub.NonAssociation.objects.bulk_create(rows.non_associations)
        stub.VisitBalance.objects.bulk_create(rows.balances)
        stub.UnavailableDate.objects.bulk_create(rows.unavailable_dates)
    return SeedSummary(
        prisons=len(prisons),
        prisoners=len(rows.prisoners),
        contacts=len(rows.contacts),
        restrictions=len(rows.prisoner_restrictions) + len(rows.contact_restrictions),
        non_associations=len(rows.non_associations),
        unavailable_dates=len(rows.unavailable_dates),
    )


def stub_clear() -> None:
    """Delete the seeded NOMIS data (not the recorded visits or events): one DELETE per table."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model in SEEDED_MODELS:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


class _SeedBuilder:
    """Builds the rows in memory, drawing every random choice from one generator in a fixed order."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.rows = _Rows()
        self.numbers_taken = set(KNOWN_NUMBERS) | {UNKNOWN_PRISONER_NUMBER}
        self.next_contact_id = FIRST_RANDOM_CONTACT_ID

    def days(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def start(self, offset: int | None) -> date | None:
        return None if offset is None else self.days(offset)

    # --- The fixed test prisoners ---------------------------------------------------------------------------------

    def add_known_prisoners(self) -> None:
        for known in KNOWN_PRISONERS:
            self.rows.prisoners.append(
                stub.Prisoner(
                    number=known.number,
                    first_name=known.first_name,
                    last_name=known.last_name,
                    date_of_birth=known.date_of_birth,
                    prison_code=known.prison_code,
                    location=known.location,
                    category=known.category,
                    incentive_level=known.incentive_level,
                    legal_status=known.legal_status,
                    alerts=list(known.alerts),
                )
            )
            for restriction in known.restrictions:
                self.rows.prisoner_restrictions.append(
                    stub.PrisonerRestriction(
                        prisoner_id=known.number,
                        type=restriction.type,
                        start_date=self.start(restriction.starts_in_days),
                        end_date=None if restriction.ends_in_days is None else self.days(restriction.ends_in_days),
                        comment=restriction.comment,
                    )
                )
            for contact in known.contacts:
                self.rows.contacts.append(
                    stub.Contact(
                        id=contact.id,
                        prisoner_id=known.number,
                        first_name=contact.first_name,
                        last_name=contact.last_name,
                        date_of_birth=contact.date_of_birth,
                        relationship=contact.relationship,
                    )
                )
                for restriction in contact.restrictions:
                    self.rows.contact_restrictions.append(
                        stub.ContactRestriction(
                            contact_id=contact.id,
                            type=restriction.type,
                            start_date=self.start(restriction.starts_in_days),
                            end_date=None if restriction.ends_in_days is None else self.days(restriction.ends_in_days),
                            comment=restriction.comment,
                        )
                    )
            if known.has_balance:
                self.rows.balances.append(
                    stub.VisitBalance(
                        prisoner_id=known.number,
                        visiting_orders=known.visiting_orders,
                        privileged_visiting_orders=known.privileged_visiting_orders,
                        renews_on=None if known.renews_in_days is None else self.days(known.renews_in_days),
                        remand_visits_per_week=known.remand_visits_per_week,
                    )
                )
            for offset, reason in known.unavailable:
                self.rows.unavailable_dates.append(
                    stub.UnavailableDate(prisoner_id=known.number, date=self.days(offset), reason=reason)
                )
            for other in known.non_associated_with:
                first, second = sorted((known.number, other))
                self.rows.non_associations.append(stub.NonAssociation(first_id=first, second_id=second))

    # --- Random prisoners -----------------------------------------------------------------------------------------

    def add_prison(self, code: str, slug: str, count: int) -> None:
        rng = self.rng
        wings = _wings_from_slug(slug) or "ABCDEFGH"[: rng.randint(3, 7)]
        remand_share = 1.0 if "remand" in slug else 0.0 if "convicted" in slug else 0.12
        numbers = [self.add_prisoner(code, wings, remand_share) for _ in range(count)]
        if len(numbers) >= 4 and rng.random() < 0.6:
            first, second = sorted(rng.sample(numbers, 2))
            self.rows.non_associations.append(stub.NonAssociation(first_id=first, second_id=second))

    def add_prisoner(self, code: str, wings: str, remand_share: float) -> str:
        rng = self.rng
        number = self.new_number()
        female = code in WOMENS_PRISONS
        young = code in YOUNG_OFFENDER_INSTITUTIONS
        age = rng.randint(18, 21) if young else round(rng.triangular(18, 75, 30))
        remand = rng.random() < remand_share
        last_name = rng.choice(SURNAMES)
        self.rows.prisoners.append(
            stub.Prisoner(
                number=number,
                first_name=rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES),
                last_name=last_name,
                date_of_birth=self.born(age),
                prison_code=code,
                location=f"{rng.choice(wings)}-{rng.randint(1, 4)}-{rng.randint(1, 40):03d}",
                category=self.category(female=female, young=young, remand=remand),
                incentive_level=rng.choices(("BAS", "STD", "ENH"), weights=(10, 60, 30))[0],
                legal_status=LegalStatus.REMAND if remand else LegalStatus.CONVICTED,
                alerts=[rng.choice(ALERT_CODES)] if rng.random() < 0.08 else [],
            )
        )
        self.add_prisoner_restrictions(number)
        self.add_balance(number, remand=remand)
        self.add_unavailable_dates(number)
        self.add_family(number, age=age, female=female, last_name=last_name)
        return number

    def new_number(self) -> str:
        rng = self.rng
        while True:
            number = (
                f"{rng.choice('AG')}{rng.randint(1000, 9999)}{rng.choice(NUMBER_LETTERS)}{rng.choice(NUMBER_LETTERS)}"
            )
            if number not in self.numbers_taken:
                self.numbers_taken.add(number)
                return number

    def born(self, age: int) -> date:
        """A birth date that makes someone ``age`` years old on the anchor day."""
        latest = BIRTH_ANCHOR.replace(year=BIRTH_ANCHOR.year - age)
        return latest - timedelta(days=self.rng.randint(0, 364))

    def category(self, *, female: bool, young: bool, remand: bool) -> str:
        if female:  # women's estate: T closed, R open
            return self.rng.choices(("T", "R"), weights=(85, 15))[0]
        if young:  # young offender institution: I closed
            return "I"
        if remand:
            return "B"
        return self.rng.choices(("B", "C", "D"), weights=(25, 60, 15))[0]

    def add_prisoner_restrictions(self, number: str) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            kind, comment = RestrictionType.CLOSED, "Closed visits"
        elif roll < 0.04:
            kind, comment = RestrictionType.NO_VISITS, "No social visits"
        elif roll < 0.06:
            kind, comment = RestrictionType.CHILD_PROTECTION, "Visits with children need approval"
        else:
            return
        ends = self.days(rng.randint(20, 180)) if rng.random() < 0.5 else None
        self.rows.prisoner_restrictions.append(
            stub.PrisonerRestriction(
                prisoner_id=number,
                type=kind,
                start_date=self.days(-rng.randint(1, 200)),
                end_date=ends,
                comment=comment,
            )
        )

    def add_balance(self, number: str, *, remand: bool) -> None:
        rng = self.rng
        if remand:
            balance = stub.VisitBalance(prisoner_id=number, remand_visits_per_week=3)
        else:
            balance = stub.VisitBalance(
                prisoner_id=number,
                visiting_orders=rng.choices((0, 1, 2, 3, 4), weights=(10, 25, 30, 20, 15))[0],
                privileged_visiting_orders=rng.choices((0, 1, 2), weights=(50, 35, 15))[0],
                renews_on=self.days(rng.randint(1, 28)),
            )
        self.rows.balances.append(balance)

    def add_unavailable_dates(self, number: str) -> None:
        rng = self.rng
        chances = (
            (UnavailableReason.COURT, 0.10, (1, 28)),
            (UnavailableReason.RELEASE, 0.03, (5, 60)),
            (UnavailableReason.TRANSFER, 0.02, (3, 28)),
            (UnavailableReason.HOSPITAL, 0.01, (1, 28)),
        )
        for reason, chance, (soonest, latest) in chances:
            if rng.random() < chance:
                day = self.days(rng.randint(soonest, latest))
                self.rows.unavailable_dates.append(stub.UnavailableDate(prisoner_id=number, date=day, reason=reason))

    def add_family(self, number: str, *, age: int, female: bool, last_name: str) -> None:
        rng = self.rng
        people: list[tuple[str, bool, int, bool]] = []  # relationship, female, age, shares the surname
        if rng.random() < 0.65:
            relationship = rng.choice(
                ("Husband", "Partner", "Boyfriend") if female else ("Wife", "Partner", "Girlfriend")
            )
            people.append((relationship, not female, max(18, age + rng.randint(-6, 6)), rng.random() < 0.6))
        if age < 60:
            for relationship, is_female in (("Mother", True), ("Father", False)):
                if rng.random() < (0.6 if is_female else 0.3):
                    people.append((relationship, is_female, min(95, age + rng.randint(19, 38)), rng.random() < 0.85))
        if age >= 20:
            for _ in range(rng.choices((0, 1, 2, 3), weights=(35, 30, 25, 10))[0]):
                child_age = max(0, age - rng.randint(18, 40))
                is_female = rng.random() < 0.5
                people.append(("Daughter" if is_female else "Son", is_female, child_age, rng.random() < 0.8))
        if rng.random() < 0.35:
            is_female = rng.random() < 0.5
            sibling_age = max(10, age + rng.randint(-8, 8))
            people.append(("Sister" if is_female else "Brother", is_female, sibling_age, rng.random() < 0.9))
        if not people or rng.random() < 0.25:
            is_female = rng.random() < 0.5
            people.append(("Friend", is_female, max(18, age + rng.randint(-10, 10)), False))
        for relationship, is_female, contact_age, shares_surname in people[:MAX_RANDOM_CONTACTS]:
            self.add_contact(
                number,
                relationship=relationship,
                first_name=rng.choice(FEMALE_FIRST_NAMES if is_female else MALE_FIRST_NAMES),
                last_name=last_name if shares_surname else rng.choice(SURNAMES),
                age=contact_age,
            )

    def add_contact(self, number: str, *, relationship: str, first_name: str, last_name: str, age: int) -> None:
        rng = self.rng
        contact_id = self.next_contact_id
        self.next_contact_id += 1
        # NOMIS does not always hold a friend's date of birth.
        born = None if relationship == "Friend" and rng.random() < 0.3 else self.born(age)
        self.rows.contacts.append(
            stub.Contact(
                id=contact_id,
                prisoner_id=number,
                first_name=first_name,
                last_name=last_name,
                date_of_birth=born,
                relationship=relationship,
            )
        )
        roll = rng.random()
        if roll < 0.02:
            ends = self.days(rng.randint(30, 365)) if rng.random() < 0.7 else None
            kind, comment = RestrictionType.BANNED, "Banned after a visit"
        elif roll < 0.04 and age >= 18:
            ends, kind, comment = None, RestrictionType.CHILD_PROTECTION, "No visits with children"
        else:
            return
        self.rows.contact_restrictions.append(
            stub.ContactRestriction(
                contact_id=contact_id,
                type=kind,
                start_date=self.days(-rng.randint(1, 120)),
                end_date=ends,
                comment=comment,
            )
        )


def _wings_from_slug(slug: str) -> str:
    """Booking lines limited to wings ('norwich-a-b-c-e-m-only') put their prisoners on those wings."""
    parts = slug.split("-")
    if parts[-1] != "only":
        return ""
    letters = [part.upper() for part in parts[1:-1] if len(part) == 1 and part.isalpha()]
    return "".join(letters)


def prisons_in_data(directory: Path) -> list[tuple[str, str]]:
    """The (NOMIS code, slug) of each prison in the prison data (``CODE-slug.yml``), in the order the service's
    database gives them (code, then slug), so that a seed gives the same prisoners either way."""
    found = []
    for path in directory.glob("*.yml"):
        code, _, slug = path.stem.partition("-")
        if len(code) == 3 and code.isupper() and slug:
            found.append((code, slug))
    return sorted(found)

"""The fixed test prisoners: the same in every seed, each showing one booking rule (listed in README.md).

Birth dates are fixed. Other dates are days from the day of seeding, so that a release, a court date or a renewal
always falls inside the booking window. Contact ids are the prisoner's digits and a two-digit sequence: A1001AA's
contacts are 100101, 100102...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prisons.nomis.interface import LegalStatus, RestrictionType, UnavailableReason

ROCHESTER = "RCI"
CARDIFF = "CFI"
UNKNOWN_PRISONER_NUMBER = "Z9999ZZ"  # never seeded: a number NOMIS does not know


@dataclass(frozen=True)
class KnownRestriction:
    type: RestrictionType
    starts_in_days: int | None  # from the day of seeding; negative: already started; None: NOMIS holds no date
    ends_in_days: int | None = None  # None: until further notice
    comment: str = ""


@dataclass(frozen=True)
class KnownContact:
    id: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    relationship: str
    restrictions: tuple[KnownRestriction, ...] = ()


@dataclass(frozen=True)
class KnownPrisoner:
    number: str
    first_name: str
    last_name: str
    date_of_birth: date
    prison_code: str
    location: str
    shows: str  # the rule this prisoner exercises
    contacts: tuple[KnownContact, ...]
    category: str = "C"
    incentive_level: str = "STD"
    legal_status: LegalStatus = LegalStatus.CONVICTED
    restrictions: tuple[KnownRestriction, ...] = ()
    alerts: tuple[str, ...] = ()
    visiting_orders: int = 2
    privileged_visiting_orders: int = 1
    renews_in_days: int | None = 14
    remand_visits_per_week: int | None = None
    has_balance: bool = True  # False: NOMIS holds no visit balance for them
    unavailable: tuple[tuple[int, UnavailableReason], ...] = ()  # (days from seeding, reason)
    non_associated_with: tuple[str, ...] = ()


KNOWN_PRISONERS: tuple[KnownPrisoner, ...] = (
    KnownPrisoner(
        number="A1001AA",
        first_name="Ryan",
        last_name="Walker",
        date_of_birth=date(1988, 4, 12),
        prison_code=ROCHESTER,
        location="A-1-013",
        shows="An ordinary convicted prisoner: 2 VOs and 1 PVO left, three approved visitors",
        contacts=(
            KnownContact(100101, "Sophie", "Walker", date(1990, 7, 3), "Wife"),
            KnownContact(100102, "Karen", "Walker", date(1962, 2, 19), "Mother"),
            KnownContact(100103, "Lily", "Walker", date(2017, 9, 25), "Daughter"),
        ),
    ),
    KnownPrisoner(
        number="A1002AA",
        first_name="Daniel",
        last_name="Hughes",
        date_of_birth=date(1979, 11, 30),
        prison_code=ROCHESTER,
        location="B-2-004",
        incentive_level="BAS",
        shows="No visiting orders left: the next one is issued 10 days after seeding",
        visiting_orders=0,
        privileged_visiting_orders=0,
        renews_in_days=10,
        contacts=(
            KnownContact(100201, "Emma", "Hughes", date(1981, 5, 14), "Wife"),
            KnownContact(100202, "Alan", "Hughes", date(1951, 8, 8), "Father"),
        ),
    ),
    KnownPrisoner(
        number="A1003AA",
        first_name="Marcus",
        last_name="Bennett",
        date_of_birth=date(1992, 1, 21),
        prison_code=ROCHESTER,
        location="C-3-027",
        category="B",
        shows="Closed visits only (prisoner restriction CLOSED, no end date)",
        restrictions=(KnownRestriction(RestrictionType.CLOSED, -60, None, "Closed visits after a find in the hall"),),
        contacts=(
            KnownContact(100301, "Jade", "Bennett", date(1994, 10, 2), "Girlfriend"),
            KnownContact(100302, "Paula", "Bennett", date(1968, 3, 11), "Mother"),
        ),
    ),
    KnownPrisoner(
        number="A1004AA",
        first_name="Liam",
        last_name="O'Connor",
        date_of_birth=date(1996, 6, 6),
        prison_code=ROCHESTER,
        location="D-1-002",
        category="D",
        incentive_level="ENH",
        shows="Released 12 days after seeding: unavailable from then on (RELEASE)",
        unavailable=((12, UnavailableReason.RELEASE),),
        contacts=(
            KnownContact(100401, "Siobhan", "O'Connor", date(1970, 12, 24), "Mother"),
            KnownContact(100402, "Ciaran", "O'Connor", date(1999, 2, 15), "Brother"),
        ),
    ),
    KnownPrisoner(
        number="A1005AA",
        first_name="Kevin",
        last_name="Price",
        date_of_birth=date(1983, 9, 17),
        prison_code=ROCHESTER,
        location="A-2-031",
        shows="At court 7 days after seeding (COURT): unavailable that day only",
        unavailable=((7, UnavailableReason.COURT),),
        contacts=(
            KnownContact(100501, "Donna", "Price", date(1985, 4, 1), "Partner"),
            KnownContact(100502, "Tyler", "Price", date(2004, 7, 19), "Son"),
        ),
    ),
    KnownPrisoner(
        number="A1006AA",
        first_name="Jason",
        last_name="Edwards",
        date_of_birth=date(1985, 2, 28),
        prison_code=ROCHESTER,
        location="B-1-019",
        shows="A banned visitor (BANNED, ends 90 days after seeding) and one with CHILD_PROTECTION",
        contacts=(
            KnownContact(100601, "Nicola", "Edwards", date(1987, 6, 30), "Wife"),
            KnownContact(
                100602,
                "Wayne",
                "Edwards",
                date(1982, 10, 10),
                "Brother",
                (KnownRestriction(RestrictionType.BANNED, -30, 90, "Passed an item during a visit"),),
            ),
            KnownContact(
                100603,
                "Gary",
                "Rogers",
                date(1975, 1, 5),
                "Friend",
                (KnownRestriction(RestrictionType.CHILD_PROTECTION, -365, None, "No visits with children"),),
            ),
            KnownContact(100604, "Evie", "Edwards", date(2015, 3, 12), "Daughter"),
        ),
    ),
    KnownPrisoner(
        number="A1007AA",
        first_name="Connor",
        last_name="Mills",
        date_of_birth=date(1999, 8, 14),
        prison_code=ROCHESTER,
        location="A-3-008",
        shows="Non-associated with A1008AA: they must not have visits the same day",
        non_associated_with=("A1008AA",),
        contacts=(KnownContact(100701, "Tracey", "Mills", date(1972, 5, 5), "Mother"),),
    ),
    KnownPrisoner(
        number="A1008AA",
        first_name="Shane",
        last_name="Barker",
        date_of_birth=date(1997, 12, 3),
        prison_code=ROCHESTER,
        location="C-1-022",
        incentive_level="BAS",
        shows="Non-associated with A1007AA",
        contacts=(KnownContact(100801, "Hayley", "Barker", date(1995, 9, 9), "Sister"),),
    ),
    KnownPrisoner(
        number="A1009AA",
        first_name="Jamie",
        last_name="Turner",
        date_of_birth=date(2001, 3, 29),
        prison_code=ROCHESTER,
        location="E-1-006",
        category="B",
        legal_status=LegalStatus.REMAND,
        shows="On remand: no visiting orders, a cap of 3 visits a week instead",
        visiting_orders=0,
        privileged_visiting_orders=0,
        renews_in_days=None,
        remand_visits_per_week=3,
        contacts=(
            KnownContact(100901, "Lauren", "Turner", date(2002, 11, 11), "Partner"),
            KnownContact(100902, "Julie", "Turner", date(1975, 6, 18), "Mother"),
            KnownContact(100903, "Alfie", "Turner", date(2022, 1, 20), "Son"),
        ),
    ),
    KnownPrisoner(
        number="A1010AA",
        first_name="Stephen",
        last_name="Gray",
        date_of_birth=date(1970, 10, 1),
        prison_code=ROCHESTER,
        location="E-2-011",
        category="B",
        incentive_level="BAS",
        shows="No social visits at all (prisoner restriction NO_VISITS)",
        restrictions=(KnownRestriction(RestrictionType.NO_VISITS, -14, None, "No social visits until review"),),
        contacts=(KnownContact(101001, "Elaine", "Gray", date(1972, 4, 22), "Wife"),),
    ),
    KnownPrisoner(
        number="A1011AA",
        first_name="Mohammed",
        last_name="Hussain",
        date_of_birth=date(1975, 5, 15),
        prison_code=ROCHESTER,
        location="A-4-002",
        incentive_level="ENH",
        shows="A large family: 4 adults, a 16-year-old (an adult at Rochester, not a lead visitor) and a child",
        visiting_orders=3,
        contacts=(
            KnownContact(101101, "Fatima", "Hussain", date(1977, 8, 9), "Wife"),
            KnownContact(101102, "Yusuf", "Hussain", date(1998, 1, 30), "Son"),
            KnownContact(101103, "Aisha", "Hussain", date(2000, 6, 12), "Daughter"),
            KnownContact(101104, "Ibrahim", "Hussain", date(2002, 10, 5), "Son"),
            KnownContact(101105, "Zara", "Hussain", date(2010, 6, 15), "Daughter"),
            KnownContact(101106, "Mia", "Hussain", date(2019, 4, 4), "Granddaughter"),
        ),
    ),
    # NOMIS's data as it really is: tolerated by the rules, and listed for the prison to put right.
    KnownPrisoner(
        number="A1012AA",
        first_name="Paul",
        last_name="Foster",
        date_of_birth=date(1984, 3, 8),
        prison_code=ROCHESTER,
        location="",
        shows="NOMIS data to check: no cell, a visitor listed twice, one with no date of birth, a misspelt name",
        contacts=(
            KnownContact(101201, "Michele", "Foster", date(1986, 11, 2), "Wife"),  # she writes "Michelle"
            KnownContact(101202, "Tina", "Foster", date(1962, 7, 19), "Mother"),
            KnownContact(101203, "Tina", "Foster", date(1962, 7, 19), "Mother"),  # the same person twice
            KnownContact(101204, "Jordan", "Foster", None, "Son"),
        ),
    ),
    KnownPrisoner(
        number="A1013AA",
        first_name="Lee",
        last_name="Carter",
        date_of_birth=date(1991, 9, 14),
        prison_code=ROCHESTER,
        location="B-1-004",
        shows="NOMIS data to check: no visit balance (a booking is a request), a restriction with no dates",
        has_balance=False,
        restrictions=(KnownRestriction(RestrictionType.CHILD_PROTECTION, None, None, "Dates not recorded"),),
        contacts=(KnownContact(101301, "Amy", "Carter", date(1993, 2, 27), "Partner"),),
    ),
    KnownPrisoner(
        number="A2001AA",
        first_name="Rhys",
        last_name="Davies",
        date_of_birth=date(1990, 8, 22),
        prison_code=CARDIFF,
        location="A-1-005",
        shows="An ordinary convicted prisoner at Cardiff: 3 VOs and 1 PVO left, three approved visitors",
        visiting_orders=3,
        contacts=(
            KnownContact(200101, "Ffion", "Davies", date(1991, 12, 1), "Wife"),
            KnownContact(200102, "Gareth", "Davies", date(1960, 5, 9), "Father"),
            KnownContact(200103, "Nia", "Davies", date(2018, 2, 14), "Daughter"),
        ),
    ),
    KnownPrisoner(
        number="A2002AA",
        first_name="Dylan",
        last_name="Morgan",
        date_of_birth=date(1994, 4, 4),
        prison_code=CARDIFF,
        location="B-2-014",
        category="B",
        legal_status=LegalStatus.REMAND,
        shows="On remand at Cardiff: a cap of 3 visits a week",
        visiting_orders=0,
        privileged_visiting_orders=0,
        renews_in_days=None,
        remand_visits_per_week=3,
        contacts=(
            KnownContact(200201, "Cerys", "Morgan", date(1969, 7, 7), "Mother"),
            KnownContact(200202, "Owen", "Morgan", date(1996, 9, 19), "Brother"),
        ),
    ),
    KnownPrisoner(
        number="A2003AA",
        first_name="Dafydd",
        last_name="Evans",
        date_of_birth=date(1986, 12, 12),
        prison_code=CARDIFF,
        location="C-1-009",
        category="B",
        shows="Closed visits only at Cardiff (CLOSED, ends 60 days after seeding)",
        restrictions=(KnownRestriction(RestrictionType.CLOSED, -10, 60, "Closed visits pending review"),),
        contacts=(
            KnownContact(200301, "Bethan", "Evans", date(1988, 3, 3), "Partner"),
            KnownContact(200302, "Megan", "Evans", date(2014, 5, 5), "Daughter"),
        ),
    ),
    KnownPrisoner(
        number="A2004AA",
        first_name="Kieran",
        last_name="Thomas",
        date_of_birth=date(1998, 7, 7),
        prison_code=CARDIFF,
        location="A-3-021",
        incentive_level="ENH",
        shows="Released 9 days after seeding (RELEASE), at court 4 days after seeding (COURT)",
        unavailable=((4, UnavailableReason.COURT), (9, UnavailableReason.RELEASE)),
        contacts=(KnownContact(200401, "Helen", "Thomas", date(1972, 2, 2), "Mother"),),
    ),
)

KNOWN_NUMBERS = frozenset(known.number for known in KNOWN_PRISONERS)

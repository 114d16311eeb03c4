"""The HMPPS APIs' codes and our words for them, one table each way (the fake server writes what the client reads).

Sources: prisons/nomis/contract/README.md ("Shape facts"), from the MOJ's prison-api and visit services.
"""

from __future__ import annotations

from prisons.nomis.interface import RestrictionType

# Restriction types (NOMIS reference domain VST_RST_TYPE). On a prisoner, prison-api's offender restrictions; on a
# visitor, the contact registry's. NOMIS has no "no visits" code: a ban on the prisoner is ours.
PRISONER_RESTRICTIONS = {
    "CLOSED": RestrictionType.CLOSED,
    "CHILD": RestrictionType.CHILD_PROTECTION,
    "BAN": RestrictionType.NO_VISITS,
}
VISITOR_RESTRICTIONS = {
    "BAN": RestrictionType.BANNED,
    "CLOSED": RestrictionType.CLOSED,
    "CHILD": RestrictionType.CHILD_PROTECTION,
}
RESTRICTION_DESCRIPTIONS = {
    "BAN": "Banned",
    "CLOSED": "Closed",
    "CHILD": "Child Visitors to be Vetted",
}
PRISONER_RESTRICTION_CODES = {ours: code for code, ours in PRISONER_RESTRICTIONS.items()}
VISITOR_RESTRICTION_CODES = {ours: code for code, ours in VISITOR_RESTRICTIONS.items()}
VISITOR_RESTRICTION_CODES[RestrictionType.NO_VISITS] = "BAN"

# Prisoner search: a prisoner on remand (what the visit services test, not legalStatus).
REMAND = "Remand"
CONVICTED = "Convicted"

# whereabouts-api scheduled events that keep a prisoner from visits and that we call "hospital": a medical
# appointment ("APP" with a medical sub-type).
APPOINTMENT = "APP"
MEDICAL_APPOINTMENTS = frozenset({"MEDO"})

# The NOMIS visit type of a social visit, and open or closed.
SOCIAL_VISIT = "SCON"
OPEN, CLOSED = "OPEN", "CLOSED"

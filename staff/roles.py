"""Staff roles, kept as data: each is a Django group with its permissions, synced by `manage.py sync_roles`."""

BOOKING_CLERK = "Booking clerk"
VISITS_TEAM = "Visits team"
VISITS_ADMIN = "Visits admin"

ROLES = (BOOKING_CLERK, VISITS_TEAM, VISITS_ADMIN)

_CLERK = ["view_visits", "book_visits", "override_rules"]
_TEAM = [*_CLERK, "process_requests", "review_flags", "record_attendance", "block_dates"]

# Permission codenames (of the staff app) each role has.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    BOOKING_CLERK: _CLERK,
    VISITS_TEAM: _TEAM,
    VISITS_ADMIN: [*_TEAM, "edit_timetable"],
}

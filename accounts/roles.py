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
    # "pause_booking_nationally" is no role's: a superuser has it, or a user given it in the Django admin.
    VISITS_ADMIN: [*_TEAM, "edit_timetable", "pause_booking"],
}


# What each role may do in the Django admin (app_label.codename), beyond the console: the visits admin looks after
# the prisons' own settings and timetables there, for the prisons they cover only (accounts/prisons_admin.py).
_TIMETABLE_MODELS = ("sessiontemplate", "datespecificsession", "blockeddate")
ADMIN_PERMISSIONS: dict[str, list[str]] = {
    BOOKING_CLERK: [],
    VISITS_TEAM: [],
    VISITS_ADMIN: [
        "prisons.view_prison",
        "prisons.change_prison",
        "prisons.view_visitsession",
        *(f"prisons.{action}_{model}" for model in _TIMETABLE_MODELS for action in ("view", "add", "change", "delete")),
    ],
}

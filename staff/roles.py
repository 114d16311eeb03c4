"""Staff roles, kept as data: each is a Django group, synced by `manage.py sync_roles`."""

BOOKING_CLERK = "Booking clerk"
VISITS_TEAM = "Visits team"
VISITS_ADMIN = "Visits admin"

ROLES = (BOOKING_CLERK, VISITS_TEAM, VISITS_ADMIN)

"""Staff accounts and what they may do: which prisons each member of staff covers (``PrisonAccess``), the roles kept
as data (``roles``, synced by ``manage.py sync_roles``), the switch that pauses online booking (``maintenance``),
the Django admin as the staff's second console, scoped to their prisons (``admin``, ``prisons_admin``), and how long
sign-in records are kept (``tasks``). Its Django app label is ``staff``, as it was before the console moved out, so
its tables, migrations and permissions (``staff.book_visits``...) are unchanged. It may use the booking domain
(``visits``), ``prisons`` and ``common``; the web layers (the journey, the staff console) use it."""

"""Keeping visits and NOMIS true to each other, in the background: pushing each booked, changed or cancelled visit to
NOMIS and reading NOMIS's prisoner events to act on them (``sync``), with their Celery tasks (``tasks``). It drives
the NOMIS adapter (``prisons.nomis``) and acts through the booking domain's services (``visits``); the domain hands it
a visit to push after commit (``visits.handoff``). It may use the domain, ``prisons`` and ``common``, and never a web
layer or another background package."""

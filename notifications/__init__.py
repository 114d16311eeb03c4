"""Sending the outbox: the GOV.UK Notify gateway (``gateway``, with the fake that stores what it would send), the
sending of each outbox row at most once and the sweep of rows left unsent (``sending``), their Celery tasks
(``tasks``), and Notify's delivery receipts and the fake Notify's page (``views``). The booking domain writes the rows
(``visits.outbox``) and hands them here after commit (``visits.handoff``); this package may use the domain,
``prisons`` and ``common``, and never a web layer or another background package."""

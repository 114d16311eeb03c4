"""The periodic jobs that keep the data in shape (``tasks``): the rolling window of visit sessions, holds that ran
out, requests nobody answered in time, and personal data past its retention. Each is one call of a domain service
(``visits``, ``prisons``), run by Celery beat. It may use the domain, ``prisons`` and ``common``."""

"""A full session's waiting list (docs/waiting-list.md): joining and leaving it, offering each place that frees up
to the next person as a held place, and the links in its messages (``services``), with their Celery tasks
(``tasks``). The domain hands it a session whose place may have freed after commit (``visits.handoff``); the journey's
pages call its services. It may use the domain, ``prisons`` and ``common``, and never a web layer or another
background package."""

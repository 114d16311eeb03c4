"""Prisons and their timetables: prisons, weekly session templates, date-specific sessions, blocked dates and the
visit sessions made from them (``models``, ``services``); the pure recurrence and bookable-window rules
(``timetable``, ``window``); the version of each prison's shared window (``window_cache``); the prison data and its
import (``importer``, ``data/``); and the NOMIS adapter (``nomis``: the interface, the HTTP client for the HMPPS
APIs, and the stub). It may use ``common`` only."""

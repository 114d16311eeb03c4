"""The booking domain: visits, their visitors, preferences, flags, events, the outbox's rows and the waiting lists'
entries (``models``); the pure rules (``rules``); the one booking service, every write in one transaction with its
event (``services``); reads in a fixed number of queries (``selectors``); errors; manage links (``links``); the
outbox as the domain writes it (``outbox``); requests auto-rejected and retention (``lifecycle``); the forms both web
layers share (``forms``); and the one way later work is handed to the background after commit (``handoff``). It may
use ``prisons`` and ``common`` only: no web layer, no background package, no task."""

"""The fake HMPPS server: HMPPS Auth's token endpoint and the HMPPS APIs the service reads and writes, answering in
their real shapes (prisons/nomis/contract/) over the stub NOMIS's seeded data, as a process of its own.

``python -m hmpps_fake`` serves it (``make run`` starts it beside the web process). Faults (latency, a share of 5xx,
429 or malformed answers, the token endpoint down, every token expired) are set through its own admin endpoint,
``/__fake/faults``, never through the service's pages. See docs/nomis.md.

It is a test and demo stand-in: nothing in the service imports it.
"""

"""The NOMIS interface over the HMPPS APIs the MOJ's own visits services use (prisoner search, the prisoner contact
registry, prison-api, the alerts and non-associations APIs, the NOMIS prisoner API), each call with an HMPPS Auth
token. ``transport`` is the HTTP side (token, timeouts, retries, circuit breaker, typed errors); the shapes of the
real APIs, with their MOJ sources and recorded fixtures, are in ``prisons/nomis/contract/``."""

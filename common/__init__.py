"""What every package of the service stands on, and which knows none of them: the one GOV.UK Jinja environment and
form layer (``common.govuk``), logging with its one redaction and the request id (``common.logging``), the client's
address behind proxies (``common.client_ip``), guards against input no page takes (``common.input_guard``), a
request's cache reads in one round trip (``common.read_ahead``), the ``<token:...>`` path converter for every route
with a secret (``common.converters``), the GOV.UK error pages (``common.views``) and the middleware every request
goes through (``common.middleware``). It may use Django and third-party libraries only: nothing of the service's
own (import-linter's contracts in pyproject.toml say so)."""

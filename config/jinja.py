"""The service's Jinja environment as settings.TEMPLATES builds it: the shared GOV.UK environment
(``common.govuk.jinja``), with the globals that belong to the packages above it. Wiring, so it lives here."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from common.govuk.jinja import environment as govuk_environment


def environment(**options: Any) -> Environment:
    """Called once per process by Django's Jinja2 backend."""
    from prisons.nomis.status import nomis_outage_since  # the staff pages say when NOMIS is not answering
    from staff.access import may_open  # the staff pages link only to pages their reader may open

    env = govuk_environment(**options)
    env.globals["may_open"] = may_open
    env.globals["nomis_outage_since"] = nomis_outage_since
    return env

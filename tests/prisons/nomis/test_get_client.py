"""get_client(): the configured NomisClient, built once per process and per class path."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from prisons import nomis
from prisons.nomis.stub.client import StubNomisClient


class OtherClient(StubNomisClient):
    """Stands in for another implementation."""


def test_the_stub_is_the_default_client() -> None:
    assert isinstance(nomis.get_client(), StubNomisClient)


def test_the_client_is_built_once_until_reset() -> None:
    first = nomis.get_client()
    assert nomis.get_client() is first
    nomis.reset_client()
    assert nomis.get_client() is not first
    second = nomis.get_client()
    nomis.get_client.cache_clear()
    assert nomis.get_client() is not second


def test_the_client_follows_the_setting() -> None:
    default = nomis.get_client()
    with override_settings(NOMIS_CLIENT=f"{__name__}.OtherClient"):
        assert type(nomis.get_client()) is OtherClient
    assert nomis.get_client() is default


@pytest.mark.parametrize(
    "class_path", ["prisons.nomis.stub.client.NoSuchClient", "no.such.module.Client", "datetime.date"]
)
def test_a_setting_that_names_no_client_is_a_configuration_error(settings, class_path: str) -> None:
    settings.NOMIS_CLIENT = class_path
    with pytest.raises((ImproperlyConfigured, TypeError)):
        nomis.get_client()


def test_the_interface_names_are_re_exported() -> None:
    from prisons.nomis import interface

    for name in ("NomisClient", "NomisError", "NomisUnavailable", "NomisTimeout", "Prisoner", "VisitToRecord"):
        assert getattr(nomis, name) is getattr(interface, name)

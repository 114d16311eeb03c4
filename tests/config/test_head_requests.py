"""HEAD is answered wherever GET is (HTTP requires it; uptime monitors and mail link checkers send it), with the
headers GET would have and no body."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.journey.journey_support import book_visit, manage_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]


@pytest.mark.parametrize(
    "url", ["/", "/prison", "/prisons/rochester", "/healthz", "/staff/sign-in", "/manage", "/cookies"]
)
def test_public_pages_answer_head_as_get(client: Client, url: str) -> None:
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head["Content-Type"] == get["Content-Type"]


def test_the_journey_confirmation_and_manage_link_answer_head(client: Client) -> None:
    visit = book_visit(client)
    for url in ("/confirmation", manage_path(visit), "/prisoner"):
        assert client.head(url).status_code == client.get(url).status_code, url
    assert client.head("/confirmation").status_code == 200
    assert client.head(manage_path(visit)).status_code == 200

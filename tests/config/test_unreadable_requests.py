"""What cannot be read gets the GOV.UK "bad request" page, never a server error: a form posted in a
character set other than UTF-8 or as a broken multipart body (common.input_guard.UnreadableFormMiddleware), an
``Accept`` header that is not a list of media types on /readyz; and the one way to read a whole number from a query
string or a hidden field (common.input_guard.whole_number)."""

from __future__ import annotations

import pytest
from django.test import Client

from common.input_guard import whole_number

pytestmark = pytest.mark.django_db

FORMS = ["/prison", "/manage", "/staff/sign-in", "/django-admin/login/"]
UNREADABLE = [
    pytest.param(b"username=caf%E9&password=x", "application/x-www-form-urlencoded; charset=latin-1", id="latin-1"),
    pytest.param(
        "username=a&password=b".encode("utf-16"), "application/x-www-form-urlencoded; charset=utf-16", id="utf-16"
    ),
    pytest.param(b"--x\r\n\r\n--x--", "multipart/form-data", id="multipart without a boundary"),
    pytest.param(
        b"--x\r\nContent-Disposition: form-data\r\n\r\n--x--",
        "multipart/form-data; boundary=\x00",
        id="multipart with a NUL boundary",
    ),
]


def bad_request_page(response: object) -> bool:
    page = response.content.decode()  # type: ignore[attr-defined]
    return response.status_code == 400 and "govuk-template" in page and "problem with what your browser sent" in page  # type: ignore[attr-defined]


@pytest.mark.parametrize(("body", "content_type"), UNREADABLE)
@pytest.mark.parametrize("path", FORMS)
def test_a_form_that_cannot_be_read_gets_the_govuk_bad_request_page(path: str, body: bytes, content_type: str) -> None:
    """With the CSRF check on, as in production: the check reads the form first, and Django's own 400 page read it
    again through its own CSRF check, failing a second time (a server error)."""
    client = Client(enforce_csrf_checks=True)
    client.get("/prison")
    token = client.cookies["csrftoken"].value
    response = client.generic("POST", path, body, content_type=content_type, HTTP_X_CSRFTOKEN=token)
    assert bad_request_page(response), (response.status_code, response.content[:300])


def test_a_form_in_utf_8_still_goes_through() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/prison")
    token = client.cookies["csrftoken"].value
    response = client.post("/prison", {"prison": "nowhere", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and "Select a prison from the list" in response.content.decode()


def test_the_bad_request_page_speaks_welsh_in_welsh() -> None:
    client = Client()
    client.cookies["django_language"] = "cy"
    response = client.generic(
        "POST", "/prison", b"a=%E9", content_type="application/x-www-form-urlencoded; charset=latin-1"
    )
    assert response.status_code == 400 and 'lang="cy"' in response.content.decode()


@pytest.mark.parametrize("accept", ["*", "text", "text/", "application/json, nonsense"])
def test_readyz_with_an_accept_header_that_is_no_media_type_is_a_bad_request(accept: str) -> None:
    response = Client().get("/readyz", HTTP_ACCEPT=accept)
    assert bad_request_page(response), (response.status_code, response.content[:300])


@pytest.mark.parametrize(("accept", "content_type"), [("*/*", "text/html"), ("application/json", "application/json")])
def test_readyz_still_answers_a_readable_accept_header(accept: str, content_type: str) -> None:
    response = Client().get("/readyz", HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)


@pytest.mark.parametrize(
    ("text", "largest", "number"),
    [
        ("4", 2**63 - 1, 4),
        ("0012", 99, 12),
        ("0" * 10_000 + "7", 31, 7),
        ("", 99, None),
        ("²", 99, None),  # str.isdigit() says yes, int() says no
        ("٣", 99, None),  # str.isdigit() says yes, int() reads 3
        ("-1", 99, None),
        ("+1", 99, None),
        (" 1", 99, None),
        ("1.0", 99, None),
        ("100", 99, None),
        ("9" * 100_000, 2**63 - 1, None),  # int() refuses more than 4,300 digits
        ("9223372036854775808", 2**63 - 1, None),  # one past PostgreSQL's bigint
        (None, 99, None),
    ],
)
def test_whole_number_reads_only_the_digits_0_to_9_within_range(text: object, largest: int, number: int | None) -> None:
    assert whole_number(text, largest=largest) == number

"""The CSRF token a kept page is given (config.govuk.pages.csrf_token): Django's token, masked afresh each time."""

from __future__ import annotations

from collections import Counter

from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import RequestFactory

from config.govuk.pages import csrf_token

SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"


def test_the_token_is_the_secret_under_a_new_mask_and_renews_the_cookie() -> None:
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = SECRET
    tokens = [csrf_token(request) for _ in range(500)]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert all(len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS) for token in tokens)
    assert all(_unmask_cipher_token(token) == SECRET for token in tokens)  # what Django's check does
    assert len(set(tokens)) == len(tokens)  # never the same twice
    masks = Counter(char for token in tokens for char in token[:32])
    assert set(masks) == set(CSRF_ALLOWED_CHARS)  # every character turns up: 16,000 draws, about 258 each
    assert max(masks.values()) < 2 * min(masks.values())


def test_without_a_cookie_django_makes_one() -> None:
    request = RequestFactory().get("/")
    token = csrf_token(request)
    assert len(token) == 64 and _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]

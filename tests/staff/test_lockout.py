"""One lockout for every way in (issue 13, item 2): django-axes counts failures per username and per client
address, for the console's sign-in and the Django admin's; the address is the client's behind the configured
proxies, never one a client wrote itself; parallel guesses are each counted before the next is checked; every
sign-in, sign-out and failure is kept (who, when, from where; no password)."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
SIGN_IN = {"console": "/staff/sign-in", "admin": "/django-admin/login/"}
GUESSES = 16  # at once, against a limit of 5


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_superuser("alex", password=PASSWORD)


def sign_in(client: Client, way: str, username: str, password: str, **headers: str) -> Any:
    return client.post(SIGN_IN[way], {"username": username, "password": password}, headers=headers)


@pytest.mark.parametrize("way", ["console", "admin"])
def test_five_wrong_passwords_lock_the_username_out_of_both_ways_in(client: Client, admin_user: User, way: str) -> None:
    for _ in range(4):
        assert sign_in(client, way, "alex", "wrong").status_code == 200
    assert sign_in(client, way, "alex", "wrong").status_code == 429  # the fifth failure locks
    for other in SIGN_IN:  # locked out of the other way in too
        response = sign_in(Client(), other, "alex", PASSWORD)
        assert response.status_code == 429
        assert "You have tried to sign in too many times" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failures = AccessFailureLog.objects.filter(username="alex")
    assert failures.count() >= 5 and failures.filter(locked_out=True).exists()
    assert not any(
        PASSWORD in (a.post_data or "") or "wrong" in (a.post_data or "") for a in AccessAttempt.objects.all()
    )


def test_one_client_guessing_many_usernames_is_locked_out(client: Client, admin_user: User) -> None:
    for n in range(5):
        sign_in(client, "console", f"nobody{n}", "wrong")
    assert sign_in(client, "console", "alex", PASSWORD).status_code == 429  # this client, any username


def test_behind_the_proxy_each_visitor_is_counted_on_their_own_address(
    settings: Any, client: Client, admin_user: User
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):  # one client's wrong guesses at other usernames: that client is locked out...
        sign_in(client, "console", f"nobody{n}", "wrong", X_FORWARDED_FOR="203.0.113.7")
    assert sign_in(client, "console", "alex", PASSWORD, X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # ...not everyone behind the same load balancer, and a forged header does not escape the count
    assert sign_in(Client(), "console", "alex", PASSWORD, X_FORWARDED_FOR="198.51.100.20").status_code == 302
    forged = sign_in(Client(), "console", "nobody9", "wrong", X_FORWARDED_FOR="192.0.2.1, 203.0.113.7")
    assert forged.status_code == 429


def test_sign_in_and_sign_out_are_kept_with_who_when_and_where(client: Client, admin_user: User) -> None:
    assert sign_in(client, "console", "alex", PASSWORD).status_code == 302
    client.post("/staff/sign-out")
    entry = AccessLog.objects.get(username="alex")
    assert entry.ip_address == "127.0.0.1" and entry.attempt_time and entry.logout_time


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("way", ["console", "admin"])
def test_parallel_guesses_are_each_counted_before_the_next_is_checked(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, way: str
) -> None:
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False  # the live server speaks plain HTTP
    User.objects.create_superuser("alex", password=PASSWORD)
    checked: Counter[str] = Counter()
    lock = threading.Lock()
    authenticate = ModelBackend.authenticate

    def counting(self: ModelBackend, request: Any, username: str | None = None, **kwargs: Any) -> Any:
        with lock:
            checked[username or ""] += 1
        return authenticate(self, request, username=username, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    url = live_server.url + SIGN_IN[way]
    barrier = threading.Barrier(GUESSES)
    statuses: list[int] = []

    def guess(n: int) -> None:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(url).read().decode()
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        body = urllib.parse.urlencode({"username": "alex", "password": f"guess-{n}", "csrfmiddlewaretoken": token})
        barrier.wait()
        for _attempt in range(3):  # the test server's small listen queue may reset a connection: send it again
            try:
                response = opener.open(urllib.request.Request(url, data=body.encode(), headers={"Referer": url}))
                statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
            except ConnectionResetError:
                continue
            return

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == GUESSES
    assert checked["alex"] == 5, (checked, statuses)  # the limit, however the guesses arrived
    assert Counter(statuses) == {200: 4, 429: GUESSES - 4}  # the fifth failure already answers with the lockout

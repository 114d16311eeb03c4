"""Headers every response carries (issue 13, item 4): a strict Content Security Policy (django-csp) with no
'unsafe-inline', whose one allowed inline script is the GOV.UK template's; no copy of a page kept anywhere
(Cache-Control: no-store); and a GOV.UK page when a form comes without its CSRF token."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import govuk_frontend_jinja
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import VISITS_TEAM
from tests.journey.journey_support import book_visit, journey_to, manage_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_allowed_hash_is_the_govuk_templates_own_script() -> None:
    template = Path(govuk_frontend_jinja.__file__).parent / "templates" / "template.html"
    scripts = INLINE_SCRIPT.findall(template.read_text())
    assert [csp_hash(script) for script in scripts] == [settings.GOVUK_TEMPLATE_SCRIPT_HASH]


def staff_client() -> Client:
    from prisons.models import Prison

    sync_roles()
    user = User.objects.create_user("robin", password="a-long-test-password")
    user.groups.set([Group.objects.get(name=VISITS_TEAM)])
    PrisonAccess.objects.create(user=user, prison=Prison.objects.get(slug="rochester"))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url", ["/", "/prison", "/prisons/rochester", "/cookies", "/no-such-page", "/staff/sign-in", "/django-admin/login/"]
)
def test_every_page_has_a_strict_policy_that_allows_only_its_own_inline_script(client: Client, url: str) -> None:
    response = client.get(url)
    directives = policy(response)
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    for script in INLINE_SCRIPT.findall(html):
        assert csp_hash(script) in directives["script-src"], script
    if not url.startswith("/django-admin"):
        assert 'style="' not in html  # style-src 'self': no inline styles either


def test_pages_with_personal_data_are_never_stored(client: Client) -> None:
    journey_to(client, "check")
    after_prisoner = ["/visitors", "/support", "/choose-time", "/contact", "/check"]
    for url in after_prisoner:
        assert client.get(url)["Cache-Control"] == "no-store", url
    client.post("/check")
    assert client.get("/confirmation")["Cache-Control"] == "no-store"
    visit = book_visit(Client())
    assert client.get(manage_path(visit))["Cache-Control"] == "no-store"
    staff = staff_client()
    for url in ["/staff/rochester/", "/staff/rochester/visits", f"/staff/rochester/visits/{visit.reference}"]:
        response = staff.get(url)
        assert response.status_code == 200 and response["Cache-Control"] == "no-store", url
    day = visit.session.date.isoformat()
    csv = staff.get(f"/staff/rochester/sheet?date={day}&format=csv")
    assert csv["Content-Type"].startswith("text/csv") and csv["Cache-Control"] == "no-store"


def test_a_form_without_its_csrf_token_gets_a_govuk_page(tmp_path: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/prison", {"prison": "rochester"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page and "govuk-template" in page
    assert "reload the page" in page

"""The booking journey in Welsh, in a real Chromium at 375 × 812: the visitor chooses Cymraeg in the header and books
a visit to Ryan Walker at Rochester. axe checks every page (with its errors shown too) and the tests save a
screenshot of each, named welsh-NN-... (docs/screenshots with SAVE_SCREENSHOTS=1, see journey_helpers)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.journey_helpers import RYAN, SOPHIE, h1, look, path, pick_time, press_button
from visits.models import Visit, VisitState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date_in_welsh(page: Any, born: Any) -> None:
    page.get_by_label("Diwrnod", exact=True).fill(str(born.day))
    page.get_by_label("Mis", exact=True).fill(str(born.month))
    page.get_by_label("Blwyddyn", exact=True).fill(str(born.year))


def test_an_instant_booking_in_welsh(live_server: Any, page: Any, rochester: Any) -> None:
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.get_by_role("button", name="Cymraeg", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert h1(page) == "Archebu ymweliad â rhywun yn y carchar"
    look(page, "welsh-01-start")
    press_button(page, "Dechrau nawr")

    assert path(page) == "/prison"
    press_button(page, "Parhau")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Mae yna broblem")
    assert page.title().startswith("Gwall: ")
    look(page, "welsh-02-prison-error")
    field = page.get_by_role("combobox", name="Pa garchar rydych chi'n ymweld ag ef?")
    field.fill("Roch")
    page.get_by_role("option", name="Rochester", exact=True).click()
    look(page, "welsh-02-prison")
    press_button(page, "Parhau")

    assert path(page) == "/prisoner" and h1(page) == "Pwy rydych chi'n ymweld ag ef?"
    press_button(page, "Parhau")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Rhowch enw cyntaf y carcharor")
    look(page, "welsh-03-prisoner-error")
    page.get_by_label("Enw cyntaf").fill(RYAN.first_name)
    page.get_by_label("Cyfenw").fill(RYAN.last_name)
    fill_date_in_welsh(page, RYAN.born)
    page.get_by_label("Rhif carcharor").fill(RYAN.number)
    look(page, "welsh-03-prisoner")
    press_button(page, "Parhau")

    assert path(page) == "/visitors/add" and h1(page) == "Prif ymwelydd"
    page.get_by_label("Enw cyntaf").fill(SOPHIE.first_name)
    page.get_by_label("Cyfenw").fill(SOPHIE.last_name)
    fill_date_in_welsh(page, SOPHIE.born)
    look(page, "welsh-04-lead-visitor")
    press_button(page, "Parhau")

    assert path(page) == "/visitors" and h1(page) == "Rydych wedi ychwanegu 1 ymwelydd"
    look(page, "welsh-05-visitors")
    page.get_by_label("Nac oes", exact=True).check()
    press_button(page, "Parhau")

    assert path(page) == "/support"
    page.get_by_label("Rhywbeth arall", exact=True).check()
    press_button(page, "Parhau")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Dywedwch wrthym pa help neu gymorth sydd ei angen")
    look(page, "welsh-06-support-error")
    page.get_by_label("Rhywbeth arall", exact=True).uncheck()
    press_button(page, "Parhau")

    assert path(page) == "/choose-time" and h1(page) == "Dewis amser"
    press_button(page, "Parhau")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Dewiswch amser ymweld")
    pick_time(page)
    look(page, "welsh-07-choose-time")
    press_button(page, "Parhau")

    assert path(page) == "/contact"
    page.get_by_label("E-bost", exact=True).check()
    page.get_by_label("Cyfeiriad e-bost").fill("sophie@example.com")
    look(page, "welsh-08-contact")
    press_button(page, "Parhau")

    assert path(page) == "/check" and h1(page) == "Gwirio manylion eich archeb"
    look(page, "welsh-09-check")
    press_button(page, "Archebu ymweliad")

    assert path(page) == "/confirmation" and h1(page) == "Ymweliad wedi'i archebu"
    look(page, "welsh-10-confirmation")
    visit = Visit.objects.get()
    assert visit.state == VisitState.BOOKED and visit.language == "cy"

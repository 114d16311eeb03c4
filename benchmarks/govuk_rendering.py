"""govuk-frontend-django as shipped (a new Jinja environment per render) against the shared environment."""

from __future__ import annotations

import time
from collections.abc import Callable

from govuk_frontend_django.components.base import GovUKComponent
from govuk_frontend_django.components.button import GovUKButton
from govuk_frontend_django.components.radios import GovUKRadios

from common.govuk.jinja import render_macro

RADIOS = {
    "name": "slot",
    "idPrefix": "slot",
    "fieldset": {"legend": {"text": "Choose a time"}},
    "items": [{"value": "a", "text": "2pm to 3:45pm, open"}, {"value": "b", "text": "2pm to 3:45pm, closed"}],
}


def per_call_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm up: compile once
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) * 1000 / repeat


def main() -> None:
    button = GovUKButton(text="Continue")
    radios = GovUKRadios(**RADIOS)
    shipped: Callable[..., str] = GovUKComponent.shipped_render  # type: ignore[attr-defined]
    rows = [
        (
            "button",
            lambda: shipped(button),
            lambda: button.render(),
            lambda: render_macro("govukButton", {"text": "Continue"}),
        ),
        (
            "radios (2 items)",
            lambda: shipped(radios),
            lambda: radios.render(),
            lambda: render_macro("govukRadios", RADIOS),
        ),
    ]
    print(f"{'component':<18}{'as shipped ms':>15}{'shared env ms':>15}{'macro direct ms':>17}{'speed-up':>10}")
    for name, before, after, direct in rows:
        b, a, d = per_call_ms(before, 30), per_call_ms(after, 2000), per_call_ms(direct, 2000)
        print(f"{name:<18}{b:>15.3f}{a:>15.3f}{d:>17.3f}{b / a:>9.0f}x")

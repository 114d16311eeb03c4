"""One shared Jinja environment renders the same GOV.UK markup as govuk-frontend-django as shipped."""

from __future__ import annotations

import re

from govuk_frontend_django.components.base import GovUKComponent
from govuk_frontend_django.components.button import GovUKButton
from govuk_frontend_django.components.radios import GovUKRadios

from common.govuk.jinja import render_macro, shared_environment


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def test_patched_components_render_what_the_library_renders() -> None:
    radios = GovUKRadios(
        name="slot",
        idPrefix="slot",
        fieldset={"legend": {"text": "Choose a time"}},
        items=[{"value": "a", "text": "2pm"}, {"value": "b", "text": "3pm"}],
    )
    for component in (GovUKButton(text="Continue", preventDoubleClick=True), radios):
        shipped = GovUKComponent.shipped_render(component)  # type: ignore[attr-defined]
        assert squash(component.render()) == squash(shipped)


def test_render_macro_reuses_one_environment_and_compiled_template() -> None:
    env = shared_environment()
    render_macro("govukButton", {"text": "Continue"})
    cached = env.cache.copy() if env.cache is not None else {}
    html = render_macro("govukButton", {"text": "Save"})
    assert "Save" in html and 'class="govuk-button"' in html
    assert shared_environment() is env
    assert env.cache is not None and set(env.cache) == set(cached)


def test_character_count_maps_to_its_template() -> None:
    html = render_macro(
        "govukCharacterCount", {"name": "needs", "id": "needs", "maxlength": 200, "label": {"text": "Support needs"}}
    )
    assert 'data-maxlength="200"' in html


def test_missing_macro_params_render_empty_even_with_debug_on(settings) -> None:
    from jinja2 import DebugUndefined

    from common.govuk import jinja

    settings.DEBUG = True
    shared = jinja.shared_environment()
    try:
        env = jinja.environment(undefined=DebugUndefined)  # what Django's backend passes when DEBUG is on
    finally:
        jinja._ENVIRONMENT = shared
    html = env.get_template("govuk_frontend_jinja/components/character-count/macro.html").module.govukCharacterCount(
        {"name": "details", "id": "details", "maxlength": 200, "label": {"text": "Details"}}
    )
    assert "no such element" not in html and "></textarea>" in html.replace("\n", "")


def test_a_templates_globals_are_a_plain_dict_of_the_environments() -> None:
    """Jinja reads a template's globals on every render and import: a plain dict, not a ChainMap (docs/benchmarks.md),
    holding every global of the environment; globals given for one template overlay them for it alone."""
    env = shared_environment()
    template = env.get_template("govuk_frontend_jinja/template.html")
    assert type(template.globals) is dict
    assert template.globals == dict(env.globals)
    one = env.from_string("{{ service }} {{ url('visits:start') }}", globals={"service": "Visits"})
    assert one.render() == "Visits /"
    assert "service" not in env.globals
    assert env.from_string("{{ service }}").render() == ""

"""The rendering cache (common.govuk.jinja): markup kept under everything it depends on, so it is never wrong."""

from __future__ import annotations

from unittest import mock

from django.utils import translation

from common.govuk import jinja
from common.govuk.jinja import govuk_shared, kept_markup, render_macro, without_indentation


def test_shared_markup_is_the_macros_own_and_is_rendered_once_per_params() -> None:
    params = {"text": "Continue for the rendering cache test", "preventDoubleClick": True}
    first = govuk_shared("govukButton", params)
    assert first == without_indentation(render_macro("govukButton", params))
    with mock.patch.object(jinja, "render_macro", side_effect=AssertionError("rendered again")):
        assert govuk_shared("govukButton", dict(params)) == first  # equal params: kept
    other = govuk_shared("govukButton", {**params, "text": "Another button for the rendering cache test"})
    assert "Another button" in other and other != first


def test_markup_and_text_with_the_same_characters_are_kept_apart() -> None:
    as_text = govuk_shared("govukInsetText", {"text": "<b>cache test</b>"})
    as_html = govuk_shared("govukInsetText", {"html": jinja.Markup("<b>cache test</b>")})
    assert "&lt;b&gt;" in as_text and "<b>cache test</b>" in as_html


def test_the_language_is_part_of_every_key() -> None:
    calls = []

    def render() -> str:
        calls.append(translation.get_language())
        return f"<p>{translation.get_language()}</p>"

    with translation.override("en-gb"):
        english = kept_markup(("language test",), render)
    with translation.override("cy"):
        welsh = kept_markup(("language test",), render)
        assert kept_markup(("language test",), render) == welsh
    assert (english, welsh) == ("<p>en-gb</p>", "<p>cy</p>") and calls == ["en-gb", "cy"]


def test_kept_markup_loses_its_indentation_but_not_in_pre_or_textarea() -> None:
    made = '<div class="govuk-button-group">\n    <a href="/">One</a>\n\n    <a href="/two">Two</a>\n  </div>'
    assert kept_markup(("indentation test",), lambda: made) == (
        '<div class="govuk-button-group">\n<a href="/">One</a>\n<a href="/two">Two</a>\n</div>'
    )
    verbatim = '<textarea name="details">\n  line one\n    line two</textarea>'
    assert kept_markup(("textarea test",), lambda: verbatim) == verbatim

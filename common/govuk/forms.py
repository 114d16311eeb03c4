"""Django forms the GOV.UK way: each field rendered by its official macro, errors in GOV.UK wording.

Every form in the project subclasses ``GovukForm`` (or ``GovukModelForm``); templates call
``form.error_summary_html()`` and ``form.field_html("name")``. How to write one: docs/forms.md.

The default messages are in the catalogue (docs/welsh.md): each is a sentence with the field's name as a placeholder,
``%(field)s``, written lower case where it stands and the message's first letter capitalised, so that a translation
can put the name wherever its grammar wants it. They are worked out in the language of the moment they are shown.
"""

from __future__ import annotations

import calendar
import datetime
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.safestring import SafeData
from django.utils.translation import gettext, gettext_noop
from markupsafe import Markup

from common.govuk.jinja import govuk_date, render_macro
from common.input_guard import whole_number

DATE_PARTS = ("day", "month", "year")
_DATE_PART_WIDTHS = {"day": "govuk-input--width-2", "month": "govuk-input--width-2", "year": "govuk-input--width-4"}
_WELSH_MONTHS = "ionawr chwefror mawrth ebrill mai mehefin gorffennaf awst medi hydref tachwedd rhagfyr".split()  # noqa: SIM905
_MONTHS = {
    **{calendar.month_name[i].lower(): i for i in range(1, 13)},
    **{calendar.month_abbr[i].lower(): i for i in range(1, 13)},
    "sept": 9,
    **{name: i for i, name in enumerate(_WELSH_MONTHS, 1)},  # for a visitor who types the month in Welsh
}
# The date boxes' names, as the messages say them ("must include a day and month")
_PART_NAMES = {"day": gettext_noop("day"), "month": gettext_noop("month"), "year": gettext_noop("year")}
_PART_LABELS = {"day": gettext_noop("Day"), "month": gettext_noop("Month"), "year": gettext_noop("Year")}


# --- Date field ----------------------------------------------------------------------------------------------------


class GovukDateInput(forms.MultiWidget):
    """Day, month and year boxes posted as ``<name>-day``, ``<name>-month`` and ``<name>-year``."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)
        self.widgets_names = [f"-{part}" for part in DATE_PARTS]

    def decompress(self, value: Any) -> list[str | None]:
        """Split an initial date into its day, month and year."""
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class GovukDateField(forms.Field):
    """A date entered as day, month and year, validated with the GOV.UK date input error messages."""

    widget = GovukDateInput

    def __init__(
        self,
        *,
        noun: str | None = None,
        must_be_past: bool = False,
        must_be_future: bool = False,
        min_date: datetime.date | None = None,
        max_date: datetime.date | None = None,
        birthday: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # Fields are made when their form class is, before any request: the noun and the messages are worked out
        # when they are shown, in the language of that moment.
        self.noun = noun or (_fragment_lazy(self.label) if self.label else gettext_noop("date"))
        self.must_be_past, self.must_be_future = must_be_past, must_be_future
        self.min_date, self.max_date = min_date, max_date
        self.birthday = birthday  # the user's own date of birth: browsers may fill it in (autocomplete bday-*)
        noun = self.noun

        def field() -> str:
            return gettext(str(noun))

        defaults = {
            "required": _say_lazy(gettext_noop("Enter %(field)s"), field=lambda: _with_article(field())),
            "incomplete": _say_lazy(gettext_noop("%(field)s must include a %(missing)s"), field=field),
            "invalid": _say_lazy(gettext_noop("%(field)s must be a real date"), field=field),
            "year_length": _say_lazy(gettext_noop("Year must include 4 numbers")),
            "past": _say_lazy(gettext_noop("%(field)s must be in the past"), field=field),
            "future": _say_lazy(gettext_noop("%(field)s must be in the future"), field=field),
            "min_date": _say_lazy(gettext_noop("%(field)s must be the same as or after %(date)s"), field=field),
            "max_date": _say_lazy(gettext_noop("%(field)s must be the same as or before %(date)s"), field=field),
        }
        custom = kwargs.get("error_messages") or {}
        self.error_messages.update({code: text for code, text in defaults.items() if code not in custom})

    def clean(self, value: Any) -> datetime.date | None:
        """Return the date, or raise the one GOV.UK message that fits, naming the parts in error."""
        parts = value if isinstance(value, list | tuple) and len(value) == 3 else ["", "", ""]
        day, month, year = (str(part or "").strip() for part in parts)
        if not (day or month or year):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [part for part, text in zip(DATE_PARTS, (day, month, year), strict=True) if not text]
        if missing:
            raise self._error("incomplete", missing, missing=_part_names(missing))
        numbers = {"day": _whole_number(day, 31), "month": _month(month), "year": _whole_number(year, 99999)}
        if wrong := [part for part in DATE_PARTS if numbers[part] is None]:
            raise self._error("invalid", wrong)
        if len(year) != 4:
            raise self._error("year_length", ["year"])
        try:
            result = datetime.date(numbers["year"], numbers["month"], numbers["day"])  # type: ignore[arg-type]
        except ValueError:
            raise self._error("invalid") from None
        today = timezone.localdate()
        if self.must_be_past and result >= today:
            raise self._error("past")
        if self.must_be_future and result <= today:
            raise self._error("future")
        if self.min_date and result < self.min_date:
            raise self._error("min_date", date=govuk_date(self.min_date))
        if self.max_date and result > self.max_date:
            raise self._error("max_date", date=govuk_date(self.max_date))
        self.run_validators(result)
        return result

    def _error(self, code: str, parts: Iterable[str] = DATE_PARTS, **params: str) -> ValidationError:
        # "parts" tells the renderer which boxes to highlight; the rest fill the message's placeholders.
        return ValidationError(self.error_messages[code], code=code, params={"parts": list(parts), **params})


def _whole_number(text: str, largest: int) -> int | None:
    number = whole_number(text, largest=largest)  # the digits 0 to 9 only, never more of them than ``largest`` has
    return number if number is not None and number >= 1 else None


def _part_names(parts: list[str]) -> str:
    """'day', or 'day and month' (never all three: that is the field left empty), in the current language."""
    names = [gettext(_PART_NAMES[part]) for part in parts]
    if len(names) == 1:
        return names[0]
    return gettext("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}


def _month(text: str) -> int | None:
    return _MONTHS.get(text.lower()) or _whole_number(text, 12)


def date_error_parts(bound_field: BoundField) -> list[str]:
    """The parts (day, month, year) of a date field to highlight: those named by its first error, else all."""
    errors = bound_field.errors.as_data()
    if not errors:
        return []
    params = errors[0].params
    parts = params.get("parts") if isinstance(params, dict) else None
    return list(parts or DATE_PARTS)


# --- Forms ---------------------------------------------------------------------------------------------------------


class GovukFormMixin(forms.BaseForm):
    """GOV.UK rendering and error wording, shared by ``GovukForm`` and ``GovukModelForm``."""

    #: The field whose label or legend is the page's <h1> (one-question pages).
    page_heading_field: ClassVar[str | None] = None
    #: Extra GOV.UK macro params per field, merged over the generated ones: ``{"postcode": {"classes":
    #: "govuk-input--width-10", "autocomplete": "postal-code"}}``. Choice fields also take ``item_hints``
    #: (``{value: hint text}``) and ``divider_before`` (the value an "or" divider goes before).
    field_params: ClassVar[dict[str, dict[str, Any]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.auto_id == "id_%s":
            self.auto_id = "%s"  # GOV.UK ids are the field names, so error summary links read "#first_name"
        for name, field in self.fields.items():
            _use_govuk_messages(field, self[name].label)
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                # Ours covers NUL too, in GOV.UK wording: Django's own would say it a second time.
                field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
                field.validators.append(VisibleTextValidator(field, self[name].label))

    @property
    def has_errors(self) -> bool:
        """True when the form was submitted and has errors."""
        return self.is_bound and bool(self.errors)

    @property
    def title_prefix(self) -> str:
        """'Error: ' for the page <title> when the form has errors, else ''."""
        return gettext("Error: ") if self.has_errors else ""

    def error_summary_html(self) -> Markup:
        """The GOV.UK error summary, one link per error to the box it is about; '' without errors."""
        if not self.has_errors:
            return Markup("")
        error_list: list[dict[str, str]] = []
        if self.non_field_errors():  # about the form as a whole: linked to its first box
            visible = [bf for bf in self if not bf.is_hidden] or list(self)
            first_href = f"#{self._error_target(visible[0])}" if visible else "#"
            error_list = [{"text": str(text), "href": first_href} for text in self.non_field_errors()]
        for bf in self:
            if bf.errors:
                error_list.append({"text": str(bf.errors[0]), "href": f"#{self._error_target(bf)}"})
        return render_macro("govukErrorSummary", {"titleText": gettext("There is a problem"), "errorList": error_list})

    def field_html(self, name: str, *, page_heading: bool | None = None, **params: Any) -> Markup:
        """One field through its GOV.UK macro; ``params`` are macro params merged over the generated ones."""
        bf = self[name]
        if bf.is_hidden:
            return Markup(str(bf))
        options = _merge(self.field_params.get(name, {}), params)
        item_hints: Mapping[str, str] = options.pop("item_hints", {})
        divider_before: str | None = options.pop("divider_before", None)
        heading = name == self.page_heading_field if page_heading is None else page_heading
        macro, generated = self._macro_params(bf, heading, item_hints, divider_before)
        return render_macro(macro, _without_none(_merge(generated, options)))

    def fields_html(self) -> Markup:
        """Every field, in order, through ``field_html``."""
        return Markup("\n").join(self.field_html(name) for name in self.fields)

    def _error_target(self, bf: BoundField) -> str:
        # Radios and checkboxes: the macros give the first item the bare id; dates: the first box in error, or the
        # day's box of a date without an error (the first box of the form, for an error about the whole form).
        if isinstance(bf.field, GovukDateField):
            return f"{_id(bf)}-{(date_error_parts(bf) or DATE_PARTS)[0]}"
        return _id(bf)

    def _macro_params(
        self, bf: BoundField, heading: bool, item_hints: Mapping[str, str], divider_before: str | None
    ) -> tuple[str, dict[str, Any]]:
        field, widget = bf.field, bf.field.widget
        common: dict[str, Any] = {"name": bf.html_name, "hint": _hint(bf.help_text)}
        if bf.errors:
            common["errorMessage"] = {"text": str(bf.errors[0]), "visuallyHiddenText": gettext("Error")}
        label = {"text": str(bf.label), **({"isPageHeading": True, "classes": "govuk-label--l"} if heading else {})}
        legend = {"text": str(bf.label)}
        if heading:
            legend |= {"isPageHeading": True, "classes": "govuk-fieldset__legend--l"}
        choice_value = None if bf.value() in (None, "") else str(bf.value())

        if isinstance(field, GovukDateField):
            values = bf.value() if isinstance(bf.value(), list | tuple) else widget.decompress(bf.value())
            in_error = date_error_parts(bf)
            items = [
                {
                    "name": part,
                    "label": gettext(_PART_LABELS[part]),
                    "value": value,
                    "classes": _DATE_PART_WIDTHS[part] + (" govuk-input--error" if part in in_error else ""),
                    "autocomplete": f"bday-{part}" if field.birthday else None,
                }
                for part, value in zip(DATE_PARTS, values, strict=True)
            ]
            date_params = {"id": _id(bf), "namePrefix": common.pop("name"), "fieldset": {"legend": legend}}
            return "govukDateInput", {**common, **date_params, "items": items}
        if isinstance(widget, forms.CheckboxInput):
            item = {"value": "yes", "text": str(bf.label), "checked": bool(bf.value()), "hint": common.pop("hint")}
            return "govukCheckboxes", {**common, "idPrefix": _id(bf), "items": [item]}
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            items = _choice_items(field, item_hints, divider_before)
            group = {**common, "idPrefix": _id(bf), "fieldset": {"legend": legend}, "items": items}
            if isinstance(widget, forms.CheckboxSelectMultiple):
                return "govukCheckboxes", {**group, "values": [str(v) for v in bf.value() or []]}
            return "govukRadios", {**group, "value": choice_value}
        common |= {"id": _id(bf), "label": label, "disabled": field.disabled or None}
        if isinstance(widget, forms.Select):
            items = [{"value": value, "text": text} for value, text in _flat_choices(field)]
            return "govukSelect", {**common, "items": items, "value": choice_value}
        value = widget.format_value(bf.value())
        if isinstance(widget, forms.Textarea):
            max_length = getattr(field, "max_length", None)
            if max_length:
                return "govukCharacterCount", {**common, "value": value, "maxlength": max_length, **_count_texts()}
            return "govukTextarea", {**common, "value": value}
        input_type = getattr(widget, "input_type", "text")
        if input_type == "password":
            return "govukInput", {**common, "type": "password", "value": value if widget.render_value else None}
        if input_type == "number":  # GOV.UK avoids type="number": a text box that brings up the number keypad
            return "govukInput", {**common, "value": value, "inputmode": "numeric", "spellcheck": False}
        extra = {"spellcheck": False} if input_type in ("email", "url") else {}
        return "govukInput", {**common, "type": input_type, "value": value, **extra}


class GovukForm(GovukFormMixin, forms.Form):
    """Base class for every form: render with ``field_html``, errors in GOV.UK wording."""


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    """``GovukForm`` for a model."""


# --- Text that can be seen ----------------------------------------------------------------------------------------

# Characters that reorder or hide text (bidirectional overrides, embeddings and isolates, marks): what a visitor's
# name looks like in a message could differ from what it says.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiners: part of how some names are written
LINE_BREAKS = frozenset("\n\r\t")


class VisibleTextValidator:
    """Refuses control characters (line breaks allowed in a textarea), bidirectional overrides and other invisible
    formatting characters, and text made only of characters that cannot be seen."""

    def __init__(self, field: forms.CharField, label: Any) -> None:
        self.multiline = isinstance(field.widget, forms.Textarea)
        self.hidden_message = field.error_messages.get("hidden_characters") or _say(
            gettext_noop("%(field)s must not include hidden characters"), field=_fragment(str(label))
        )
        self.empty_message = field.error_messages.get("required") or _say(
            gettext_noop("Enter %(field)s"), field=_fragment(str(label))
        )

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str) or not value:
            return
        for character in value:
            category = unicodedata.category(character)
            if character in LINE_BREAKS:
                if not self.multiline:
                    raise ValidationError(self.hidden_message, code="hidden_characters")
            elif character in BIDI_CONTROLS or category == "Cc" or (category == "Cf" and character not in JOINERS):
                raise ValidationError(self.hidden_message, code="hidden_characters")
        if all(c.isspace() or c in JOINERS or unicodedata.category(c) in {"Mn", "Me", "Zs"} for c in value):
            raise ValidationError(self.empty_message, code="invisible")


# --- GOV.UK error wording ------------------------------------------------------------------------------------------


def _use_govuk_messages(field: forms.Field, label: str) -> None:
    """Replace Django's own messages, where the field has not set its own, with GOV.UK-style ones."""
    text = _fragment(str(label))
    chooses = isinstance(field, forms.ChoiceField | forms.BooleanField)
    # Django fills in %(limit_value)s itself when it shows the message: _say leaves it for Django.
    wording = {
        "required": _say(gettext_noop("Select %(field)s") if chooses else gettext_noop("Enter %(field)s"), field=text),
        "invalid_choice": _say(gettext_noop("Select %(field)s"), field=text),
        "max_length": _say(gettext_noop("%(field)s must be %(limit_value)d characters or less"), field=text),
        "min_length": _say(gettext_noop("%(field)s must be %(limit_value)d characters or more"), field=text),
        "max_value": _say(gettext_noop("%(field)s must be %(limit_value)s or less"), field=text),
        "min_value": _say(gettext_noop("%(field)s must be %(limit_value)s or more"), field=text),
    }
    if isinstance(field, forms.EmailField):
        wording["invalid"] = gettext("Enter an email address in the correct format, like name@example.com")
    elif isinstance(field, forms.IntegerField | forms.DecimalField):
        wording["invalid"] = _say(gettext_noop("%(field)s must be a number"), field=text)
    for code, message in wording.items():
        if field.error_messages.get(code) is _django_message(field, code):  # not set by the field (or absent)
            field.error_messages[code] = message


def _django_message(field: forms.Field, code: str) -> Any:
    # Field.__init__ collects default_error_messages along the MRO; an unchanged message is that same object.
    for cls in type(field).__mro__:
        if code in cls.__dict__.get("default_error_messages", {}):
            return cls.__dict__["default_error_messages"][code]
    return None


def _fragment(label: str) -> str:
    """'First name' -> 'first name' (acronyms and 'I' kept), for use inside a sentence."""
    label = label.strip().rstrip("?:").strip()
    if len(label) > 1 and label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


_fragment_lazy = lazy(lambda label: _fragment(str(label)), str)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _with_article(noun: str) -> str:
    first_word = noun.split(" ", 1)[0].lower()
    if first_word in {"the", "a", "an", "your", "their", "his", "her", "its", "our"}:
        return noun
    return gettext("the %(noun)s") % {"noun": noun}


def _say(msgid: str, **params: Any) -> str:
    """The message ``msgid`` in the current language, each ``%(name)s`` of ``params`` filled in (a value may be a
    function, called now) and its first letter capitalised. Placeholders not in ``params`` (Django's
    ``%(limit_value)d``, the date field's ``%(missing)s`` and ``%(date)s``) are left for the error's own params."""
    text = gettext(msgid)
    for name, value in params.items():
        text = text.replace(f"%({name})s", str(value() if callable(value) else value))
    return _capitalise(text)


_say_lazy = lazy(_say, str)


def _count_texts() -> dict[str, Any]:
    """What a character count says, in the current language (GOV.UK Frontend's JavaScript shows these as the
    visitor types; ``%{count}`` is filled in there)."""
    return {
        "textareaDescriptionText": gettext("You can enter up to %{count} characters"),
        "charactersUnderLimitText": {
            "one": gettext("You have %{count} character remaining"),
            "other": gettext("You have %{count} characters remaining"),
        },
        "charactersAtLimitText": gettext("You have 0 characters remaining"),
        "charactersOverLimitText": {
            "one": gettext("You have %{count} character too many"),
            "other": gettext("You have %{count} characters too many"),
        },
    }


# --- Params helpers ------------------------------------------------------------------------------------------------


def _id(bf: BoundField) -> str:
    return bf.auto_id or bf.html_name


def _hint(help_text: Any) -> dict[str, str] | None:
    if not help_text:
        return None
    return {"html": str(help_text)} if isinstance(help_text, SafeData) else {"text": str(help_text)}


def _flat_choices(field: forms.Field) -> list[tuple[str, str]]:
    flat: list[tuple[str, str]] = []
    for value, text in getattr(field, "choices", []):
        if isinstance(text, list | tuple):  # an optgroup
            flat.extend((str(v), str(t)) for v, t in text)
        else:
            flat.append(("" if value is None else str(value), str(text)))
    return flat


def _choice_items(
    field: forms.Field, item_hints: Mapping[str, str], divider_before: str | None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for value, text in _flat_choices(field):
        if value == "":  # "---------" belongs to selects, not radios or checkboxes
            continue
        if divider_before is not None and value == str(divider_before):
            items.append({"divider": gettext("or")})
        item: dict[str, Any] = {"value": value, "text": text}
        if value in item_hints:
            item["hint"] = {"text": str(item_hints[value])}
        items.append(item)
    return items


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``extra`` over ``base`` (dicts merge, anything else replaces)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _without_none(data: Any) -> Any:
    # The macros print a None value as "None"; leaving the key out is what they expect.
    if isinstance(data, Mapping):
        return {key: _without_none(value) for key, value in data.items() if value is not None}
    if isinstance(data, list):
        return [_without_none(value) for value in data]
    return data


__all__ = ["DATE_PARTS", "GovukDateField", "GovukDateInput", "GovukForm", "GovukFormMixin", "GovukModelForm"]

"""GovukForm and GovukDateField: every field kind through its GOV.UK macro, errors in GOV.UK wording."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.utils import timezone

from common.govuk.forms import GovukDateField, GovukForm, GovukModelForm
from common.govuk.jinja import shared_environment


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of the page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.feed(str(html))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(" ".join(data.split()))

    def by_id(self, element_id: str) -> dict[str, str]:
        matches = [attrs for _, attrs in self.tags if attrs.get("id") == element_id]
        assert len(matches) == 1, f"{len(matches)} elements with id {element_id!r}"
        return matches[0]

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.tags if "id" in attrs}

    def hrefs(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.tags if tag == "a"]

    def classes(self, element_id: str) -> set[str]:
        return set(self.by_id(element_id).get("class", "").split())


def error_message(html: str) -> str:
    """The text of the field's govuk-error-message, without the visually hidden 'Error:'."""
    texts = Elements(html).texts
    return texts[texts.index("Error:") + 1]


class VisitorForm(GovukForm):
    page_heading_field = "first_name"
    field_params = {
        "postcode": {"classes": "govuk-input--width-10", "autocomplete": "postal-code", "spellcheck": False},
        "contact": {"item_hints": {"email": "We will send a confirmation"}, "divider_before": "none"},
    }

    first_name = forms.CharField(
        label="First name", help_text="As shown on your ID", error_messages={"required": "Enter your first name"}
    )
    last_name = forms.CharField(label="Last name", max_length=10)
    email = forms.EmailField(label="Email address", required=False)
    age = forms.IntegerField(label="Age", required=False)
    postcode = forms.CharField(label="Postcode", required=False)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, required=False)
    prison = forms.ChoiceField(label="Prison", choices=[("", "Choose a prison"), ("BXI", "Brixton")])
    contact = forms.ChoiceField(
        label="Contact",
        widget=forms.RadioSelect,
        choices=[("email", "Email"), ("phone", "Phone"), ("none", "No contact")],
        error_messages={"required": "Select how we should contact you"},
    )
    needs = forms.MultipleChoiceField(
        label="Needs",
        widget=forms.CheckboxSelectMultiple,
        choices=[("wheelchair", "Wheelchair"), ("hearing", "Hearing loop")],
    )
    confirm = forms.BooleanField(label="I confirm the details are correct", help_text="You can change them later")
    date_of_birth = GovukDateField(label="Date of birth", noun="date of birth", must_be_past=True)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    message = forms.CharField(label="Message", widget=forms.Textarea, max_length=200, required=False)


VALID = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "prison": "BXI",
    "contact": "phone",
    "needs": ["hearing"],
    "confirm": "yes",
    "date_of_birth-day": "10",
    "date_of_birth-month": "12",
    "date_of_birth-year": "1985",
}


def test_a_valid_form_cleans_and_shows_no_errors() -> None:
    form = VisitorForm(VALID)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(1985, 12, 10)
    assert form.cleaned_data["confirm"] is True
    assert not form.has_errors
    assert form.title_prefix == ""
    assert form.error_summary_html() == ""
    assert "govuk-form-group--error" not in form.fields_html()


def test_an_unbound_form_has_no_errors() -> None:
    form = VisitorForm()
    assert not form.has_errors
    assert form.title_prefix == ""
    assert form.error_summary_html() == ""


def test_text_input_has_label_hint_and_keeps_the_posted_value() -> None:
    html = VisitorForm({**VALID, "first_name": "Ada  "}).field_html("last_name")
    page = Elements(html)
    assert page.by_id("last_name") == {
        "class": "govuk-input",
        "id": "last_name",
        "name": "last_name",
        "type": "text",
        "value": "Lovelace",
    }
    assert "Last name" in page.texts
    first = Elements(VisitorForm({**VALID, "first_name": "Grace"}).field_html("first_name"))
    assert first.by_id("first_name")["value"] == "Grace"
    assert first.by_id("first_name-hint")["class"] == "govuk-hint"
    assert "As shown on your ID" in first.texts
    assert first.by_id("first_name")["aria-describedby"] == "first_name-hint"


def test_a_missing_answer_shows_the_fields_own_required_message() -> None:
    form = VisitorForm({**VALID, "first_name": ""})
    html = form.field_html("first_name")
    page = Elements(html)
    assert "govuk-form-group--error" in page.tags[0][1]["class"].split()
    assert "govuk-input--error" in page.classes("first_name")
    assert page.by_id("first_name-error")["class"] == "govuk-error-message"
    assert error_message(html) == "Enter your first name"
    assert form.has_errors
    assert form.title_prefix == "Error: "


def test_fields_without_their_own_message_get_a_govuk_like_default() -> None:
    form = VisitorForm(
        {"needs": [], "date_of_birth-day": "1", "date_of_birth-month": "1", "date_of_birth-year": "1980"}
    )
    assert form.errors["last_name"] == ["Enter last name"]
    assert form.errors["prison"] == ["Select prison"]
    assert form.errors["needs"] == ["Select needs"]
    assert form.errors["confirm"] == ["Select I confirm the details are correct"]
    assert form.errors["contact"] == ["Select how we should contact you"]


def test_django_validation_messages_are_reworded() -> None:
    form = VisitorForm({**VALID, "last_name": "x" * 11, "email": "ada-at-example", "age": "ten", "prison": "XXX"})
    assert form.errors["last_name"] == ["Last name must be 10 characters or less"]
    assert form.errors["email"] == ["Enter an email address in the correct format, like name@example.com"]
    assert form.errors["age"] == ["Age must be a number"]
    assert form.errors["prison"] == ["Select prison"]


def test_page_heading_field_wraps_its_label_in_an_h1() -> None:
    form = VisitorForm()
    page = Elements(form.field_html("first_name"))
    assert [tag for tag, _ in page.tags[:3]] == ["div", "h1", "label"]
    assert page.tags[1][1]["class"] == "govuk-label-wrapper"
    assert page.tags[2][1]["class"] == "govuk-label govuk-label--l"
    assert "<h1" not in form.field_html("last_name")
    assert "<h1" not in form.field_html("first_name", page_heading=False)


def test_page_heading_per_call_puts_the_legend_in_an_h1() -> None:
    page = Elements(VisitorForm().field_html("contact", page_heading=True))
    tags = [tag for tag, _ in page.tags]
    legend = tags.index("legend")
    assert tags[legend + 1] == "h1"
    assert page.tags[legend][1]["class"] == "govuk-fieldset__legend govuk-fieldset__legend--l"
    assert page.tags[legend + 1][1]["class"] == "govuk-fieldset__heading"


def test_input_types_and_per_field_params() -> None:
    form = VisitorForm({**VALID, "email": "ada@example.com", "age": "36", "postcode": "SW2 5XF", "password": "secret"})
    email = Elements(form.field_html("email")).by_id("email")
    assert (email["type"], email["spellcheck"], email["value"]) == ("email", "false", "ada@example.com")
    age = Elements(form.field_html("age")).by_id("age")
    assert (age["type"], age["inputmode"], age["value"]) == ("text", "numeric", "36")
    postcode = Elements(form.field_html("postcode")).by_id("postcode")
    assert postcode["class"] == "govuk-input govuk-input--width-10"
    assert (postcode["autocomplete"], postcode["spellcheck"]) == ("postal-code", "false")
    password = Elements(form.field_html("password")).by_id("password")
    assert password["type"] == "password"
    assert "value" not in password
    overridden = Elements(
        form.field_html("postcode", classes="govuk-input--width-5", label={"classes": "govuk-label--m"})
    )
    assert overridden.by_id("postcode")["class"] == "govuk-input govuk-input--width-5"
    assert overridden.tags[1] == ("label", {"class": "govuk-label govuk-label--m", "for": "postcode"})


def test_textarea_without_max_length_is_a_plain_textarea() -> None:
    html = VisitorForm({**VALID, "notes": "Bringing a baby"}).field_html("notes")
    page = Elements(html)
    assert page.by_id("notes")["class"] == "govuk-textarea"
    assert "Bringing a baby" in page.texts
    assert "govuk-character-count" not in html


def test_textarea_with_max_length_is_a_character_count() -> None:
    form = VisitorForm({**VALID, "message": "x" * 201})
    html = form.field_html("message")
    page = Elements(html)
    assert page.tags[0][1]["data-module"] == "govuk-character-count"
    assert page.tags[0][1]["data-maxlength"] == "200"
    assert "govuk-js-character-count" in page.classes("message")
    assert error_message(html) == "Message must be 200 characters or less"


def test_select_keeps_the_chosen_option() -> None:
    page = Elements(VisitorForm({**VALID, "first_name": ""}).field_html("prison"))
    options = [attrs for tag, attrs in page.tags if tag == "option"]
    assert options == [{"value": ""}, {"value": "BXI", "selected": ""}]
    assert page.by_id("prison")["class"] == "govuk-select"


def test_radios_have_a_legend_items_hints_a_divider_and_keep_the_choice() -> None:
    html = VisitorForm({**VALID, "first_name": ""}).field_html("contact")
    page = Elements(html)
    radios = [attrs for tag, attrs in page.tags if tag == "input"]
    assert [(r["id"], r["value"], "checked" in r) for r in radios] == [
        ("contact", "email", False),
        ("contact-2", "phone", True),
        ("contact-4", "none", False),
    ]
    assert "Contact" in page.texts
    assert "We will send a confirmation" in page.texts
    assert page.by_id("contact-item-hint")["class"] == "govuk-hint govuk-radios__hint"
    assert "or" in page.texts
    assert '<div class="govuk-radios__divider">or</div>' in html


def test_checkboxes_keep_every_ticked_value() -> None:
    page = Elements(VisitorForm({**VALID, "needs": ["wheelchair", "hearing"]}).field_html("needs"))
    boxes = [attrs for tag, attrs in page.tags if tag == "input"]
    assert [(b["id"], b["name"], b["type"], "checked" in b) for b in boxes] == [
        ("needs", "needs", "checkbox", True),
        ("needs-2", "needs", "checkbox", True),
    ]
    none_ticked = Elements(VisitorForm({**VALID, "needs": ["hearing"]}).field_html("needs"))
    assert ["checked" in a for t, a in none_ticked.tags if t == "input"] == [False, True]


def test_a_boolean_is_one_checkbox_labelled_by_the_field() -> None:
    ticked = Elements(VisitorForm(VALID).field_html("confirm"))
    box = ticked.by_id("confirm")
    assert (box["type"], box["value"], "checked" in box) == ("checkbox", "yes", True)
    assert "I confirm the details are correct" in ticked.texts
    assert "You can change them later" in ticked.texts
    unticked = VisitorForm({**VALID, "confirm": ""})
    assert "checked" not in Elements(unticked.field_html("confirm")).by_id("confirm")
    assert error_message(unticked.field_html("confirm")) == "Select I confirm the details are correct"


def test_error_summary_links_to_an_element_on_the_page_for_every_error() -> None:
    form = VisitorForm({"needs": [], "date_of_birth-day": "1", "date_of_birth-year": "1980", "last_name": "x" * 11})
    summary = Elements(form.error_summary_html())
    page = Elements(form.fields_html())
    assert summary.texts[0] == "There is a problem"
    assert summary.hrefs() == [
        "#first_name",
        "#last_name",
        "#prison",
        "#contact",
        "#needs",
        "#confirm",
        "#date_of_birth-month",
    ]
    assert summary.texts[1:] == [
        "Enter your first name",
        "Last name must be 10 characters or less",
        "Select prison",
        "Select how we should contact you",
        "Select needs",
        "Select I confirm the details are correct",
        "Date of birth must include a month",
    ]
    for href in summary.hrefs():
        assert href[1:] in page.ids()
    assert page.by_id("contact")["type"] == "radio"
    assert page.by_id("date_of_birth-month")["name"] == "date_of_birth-month"


def test_non_field_errors_are_listed_first_and_link_to_the_first_field() -> None:
    class PairForm(GovukForm):
        first = forms.CharField(label="First")
        second = forms.CharField(label="Second")

        def clean(self) -> dict[str, object]:
            raise forms.ValidationError("The two answers must be different")

    summary = Elements(PairForm({"first": "a", "second": "a"}).error_summary_html())
    assert summary.texts[1:] == ["The two answers must be different"]
    assert summary.hrefs() == ["#first"]


class DateFirstForm(GovukForm):
    """A date, then another question: the staff console's "block a date" form is laid out so."""

    date = GovukDateField(label="Date", noun="the date")
    reason = forms.CharField(label="Reason")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if cleaned.get("reason") == "clash":
            raise forms.ValidationError("That date is already blocked")
        return cleaned


@pytest.mark.parametrize(
    ("reason", "summary"),
    [
        ("", [("#reason", "Enter reason")]),
        ("\x00", [("#reason", "Reason must not include hidden characters")]),
        ("clash", [("#date-day", "That date is already blocked")]),
    ],
)
def test_a_valid_date_first_and_another_answer_wrong_gives_the_summary(
    reason: str, summary: list[tuple[str, str]]
) -> None:
    """The summary links an error about the whole form to the date's day box; the date itself has no error to
    point at (this was an IndexError: the block-dates form's server errors)."""
    form = DateFirstForm({"date-day": "7", "date-month": "3", "date-year": "2030", "reason": reason})
    page = Elements(form.error_summary_html())
    assert list(zip(page.hrefs(), page.texts[1:], strict=True)) == summary


@pytest.mark.parametrize("digits", ["1" * 5000, "2" * 100_000, "²", "٣", "7\u200b"])
def test_a_date_box_of_thousands_of_digits_or_other_digits_is_not_a_real_date(digits: str) -> None:
    """int() refuses more than 4,300 digits (a server error); "²" and "٣" are digits to str.isdigit()."""
    form = posted(digits, "3", "1990")
    assert form.errors["date_of_birth"] == ["Date of birth must be a real date"]
    assert highlighted(form) == ["day"]


def test_a_jinja_template_calls_the_form() -> None:
    template = shared_environment().from_string(
        "<title>{{ form.title_prefix }}Your name</title>{{ form.error_summary_html() }}"
        '{{ form.field_html("last_name", label={"classes": "govuk-label--m"}) }}'
    )
    html = template.render(form=VisitorForm({**VALID, "last_name": ""}))
    page = Elements(html)
    assert page.texts[0] == "Error: Your name"
    assert page.hrefs() == ["#last_name"]
    assert ("label", {"class": "govuk-label govuk-label--m", "for": "last_name"}) in page.tags
    assert "&lt;" not in html


def test_model_form_renders_with_the_same_methods() -> None:
    class GroupForm(GovukModelForm):
        class Meta:
            model = Group
            fields = ["name"]

    form = GroupForm({"name": ""})
    assert not form.is_valid()
    assert form.errors["name"] == ["Enter name"]
    assert Elements(form.error_summary_html()).hrefs() == ["#name"]
    assert error_message(form.field_html("name")) == "Enter name"


# --- GovukDateField ------------------------------------------------------------------------------------------------


class DateForm(GovukForm):
    date_of_birth = GovukDateField(label="Date of birth", noun="date of birth", must_be_past=True, birthday=True)
    visit_date = GovukDateField(label="Visit date", noun="visit date", must_be_future=True, required=False)
    issued = GovukDateField(
        label="When was it issued?",
        noun="the date your licence was issued",
        min_date=datetime.date(1900, 1, 1),
        max_date=datetime.date(2100, 12, 31),
        required=False,
        error_messages={"required": "Enter when your licence was issued"},
    )


def posted(day: str = "", month: str = "", year: str = "", name: str = "date_of_birth") -> DateForm:
    return DateForm({f"{name}-day": day, f"{name}-month": month, f"{name}-year": year})


def highlighted(form: DateForm, name: str = "date_of_birth") -> list[str]:
    page = Elements(form.field_html(name))
    return [part for part in ("day", "month", "year") if "govuk-input--error" in page.classes(f"{name}-{part}")]


def test_date_inputs_are_named_sized_and_numeric() -> None:
    form = DateForm(initial={"date_of_birth": datetime.date(1990, 3, 7)})
    page = Elements(form.field_html("date_of_birth"))
    inputs = [attrs for tag, attrs in page.tags if tag == "input"]
    assert [(i["id"], i["name"], i["value"], i["inputmode"], i["autocomplete"]) for i in inputs] == [
        ("date_of_birth-day", "date_of_birth-day", "7", "numeric", "bday-day"),
        ("date_of_birth-month", "date_of_birth-month", "3", "numeric", "bday-month"),
        ("date_of_birth-year", "date_of_birth-year", "1990", "numeric", "bday-year"),
    ]
    assert "govuk-input--width-2" in page.classes("date_of_birth-day")
    assert "govuk-input--width-2" in page.classes("date_of_birth-month")
    assert "govuk-input--width-4" in page.classes("date_of_birth-year")
    assert "Date of birth" in page.texts
    assert page.by_id("date_of_birth")["class"] == "govuk-date-input"
    assert highlighted(form) == []


def test_date_keeps_what_was_typed() -> None:
    page = Elements(posted("31", "Febuary", "2000").field_html("date_of_birth"))
    assert [attrs["value"] for tag, attrs in page.tags if tag == "input"] == ["31", "Febuary", "2000"]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("7", "3", "1990", datetime.date(1990, 3, 7)),
        (" 07 ", " 03", "1990 ", datetime.date(1990, 3, 7)),
        ("7", "Mar", "1990", datetime.date(1990, 3, 7)),
        ("7", "march", "1990", datetime.date(1990, 3, 7)),
        ("29", "2", "2000", datetime.date(2000, 2, 29)),
    ],
)
def test_real_dates_are_accepted(day: str, month: str, year: str, expected: datetime.date) -> None:
    form = posted(day, month, year)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == expected


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "parts"),
    [
        ("", "", "", "Enter the date of birth", ["day", "month", "year"]),
        ("7", "", "1990", "Date of birth must include a month", ["month"]),
        ("", "3", "1990", "Date of birth must include a day", ["day"]),
        ("7", "3", "", "Date of birth must include a year", ["year"]),
        ("", "", "1990", "Date of birth must include a day and month", ["day", "month"]),
        ("7", "", "", "Date of birth must include a month and year", ["month", "year"]),
        ("", "3", "", "Date of birth must include a day and year", ["day", "year"]),
        ("7", "13", "1990", "Date of birth must be a real date", ["month"]),
        ("32", "3", "1990", "Date of birth must be a real date", ["day"]),
        ("x", "3", "19y0", "Date of birth must be a real date", ["day", "year"]),
        ("-1", "3", "1990", "Date of birth must be a real date", ["day"]),
        ("31", "2", "1990", "Date of birth must be a real date", ["day", "month", "year"]),
        ("29", "2", "2001", "Date of birth must be a real date", ["day", "month", "year"]),
        ("7", "3", "90", "Year must include 4 numbers", ["year"]),
        ("7", "3", "19900", "Year must include 4 numbers", ["year"]),
    ],
)
def test_date_errors_use_govuk_messages_and_highlight_only_the_wrong_parts(
    day: str, month: str, year: str, message: str, parts: list[str]
) -> None:
    form = posted(day, month, year)
    assert form.errors["date_of_birth"] == [message]
    assert error_message(form.field_html("date_of_birth")) == message
    assert highlighted(form) == parts
    summary = Elements(form.error_summary_html())
    assert summary.hrefs() == [f"#date_of_birth-{parts[0]}"]
    assert summary.texts[1:] == [message]


def test_date_must_be_in_the_past() -> None:
    today = timezone.localdate()
    for day in (today, today + datetime.timedelta(days=1)):
        form = posted(str(day.day), str(day.month), str(day.year))
        assert form.errors["date_of_birth"] == ["Date of birth must be in the past"]
        assert highlighted(form) == ["day", "month", "year"]
    yesterday = today - datetime.timedelta(days=1)
    assert posted(str(yesterday.day), str(yesterday.month), str(yesterday.year)).errors == {}


def test_date_must_be_in_the_future() -> None:
    today = timezone.localdate()
    form = posted(str(today.day), str(today.month), str(today.year), name="visit_date")
    assert form.errors["visit_date"] == ["Visit date must be in the future"]
    tomorrow = today + datetime.timedelta(days=1)
    later = posted(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year), name="visit_date")
    assert "visit_date" not in later.errors


def test_date_limits_name_the_date_in_govuk_style() -> None:
    early = posted("31", "12", "1899", name="issued")
    assert early.errors["issued"] == ["The date your licence was issued must be the same as or after 1 January 1900"]
    late = posted("1", "1", "2101", name="issued")
    assert late.errors["issued"] == ["The date your licence was issued must be the same as or before 31 December 2100"]
    assert "issued" not in posted("1", "1", "1900", name="issued").errors


def test_optional_date_left_empty_is_none_and_custom_messages_win() -> None:
    form = DateForm(
        {"date_of_birth-day": "1", "date_of_birth-month": "1", "date_of_birth-year": "1980", "issued-year": "2000"}
    )
    assert form.errors["issued"] == ["The date your licence was issued must include a day and month"]
    empty = DateForm({"date_of_birth-day": "1", "date_of_birth-month": "1", "date_of_birth-year": "1980"})
    assert empty.is_valid(), empty.errors
    assert empty.cleaned_data["issued"] is None
    assert empty.cleaned_data["visit_date"] is None
    required = GovukDateField(
        noun="date the licence was issued", error_messages={"required": "Enter when it was issued"}
    )
    with pytest.raises(forms.ValidationError) as error:
        required.clean(["", "", ""])
    assert error.value.messages == ["Enter when it was issued"]


def test_a_date_error_added_by_the_form_highlights_the_whole_date() -> None:
    form = posted("7", "3", "1990")
    assert form.is_valid()
    form.add_error("date_of_birth", "Visitors must be 18 or over")
    assert highlighted(form) == ["day", "month", "year"]
    assert Elements(form.error_summary_html()).hrefs() == ["#date_of_birth-day"]


def test_only_the_first_error_of_a_field_is_shown() -> None:
    form = VisitorForm({**VALID, "last_name": ""})
    form.add_error("last_name", "Last name must only include letters")
    assert form.errors["last_name"] == ["Enter last name", "Last name must only include letters"]
    assert error_message(form.field_html("last_name")) == "Enter last name"
    assert Elements(form.error_summary_html()).texts[1:] == ["Enter last name"]


def test_radios_leave_out_the_empty_choice_of_a_select() -> None:
    class PrisonForm(GovukForm):
        prison = forms.ChoiceField(
            label="Prison", widget=forms.RadioSelect, choices=[("", "---------"), ("BXI", "Brixton")]
        )

    page = Elements(PrisonForm().field_html("prison"))
    assert [attrs["value"] for tag, attrs in page.tags if tag == "input"] == ["BXI"]
    assert page.by_id("prison")["value"] == "BXI"

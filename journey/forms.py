"""Forms of the public booking journey: GOV.UK content and input validation only, no booking rules. (The contact
question and the prisoner number's shape are shared with the staff console: ``visits.forms``.)"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from email_validator import EmailNotValidError, validate_email

from common.govuk.forms import GovukDateField, GovukForm
from prisons.models import Prison
from visits.forms import PRISONER_NUMBER, ContactForm, name_field
from visits.models import SupportNeed


class ChoosePrisonForm(GovukForm):
    """Which prison are you visiting?"""

    page_heading_field = "prison"
    field_params = {
        "prison": {"classes": "govuk-!-width-full", "attributes": {"data-module": "app-prison-autocomplete"}}
    }

    prison = forms.ChoiceField(
        label=_("Which prison are you visiting?"),
        help_text=_("Enter or select the prison's name"),
        error_messages={
            "required": _("Enter or select the prison you are visiting"),
            "invalid_choice": _("Select a prison from the list"),
        },
    )

    def __init__(self, *args: Any, prisons: list[Prison], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prison"].choices = [("", "")] + [(p.slug, p.display_name) for p in prisons]


class PrisonerDetailsForm(GovukForm):
    """Who are you visiting?"""

    field_params = {
        "first_name": {"autocomplete": "off", "spellcheck": False},
        "last_name": {"autocomplete": "off", "spellcheck": False},
        "number": {"classes": "govuk-input--width-10", "autocomplete": "off", "spellcheck": False},
    }

    first_name = name_field(_("First name"), _("Enter the prisoner's first name"))
    last_name = name_field(_("Last name"), _("Enter the prisoner's last name"))
    date_of_birth = GovukDateField(
        label=_("Date of birth"),
        noun=_("the prisoner's date of birth"),
        help_text=_("For example, 27 3 1985"),
        must_be_past=True,
        error_messages={"required": _("Enter the prisoner's date of birth")},
    )
    number = forms.CharField(
        label=_("Prisoner number"),
        help_text=_("For example, A1234BC"),
        max_length=12,
        error_messages={
            "required": _("Enter the prisoner number"),
            "max_length": _("Enter a prisoner number in the correct format, like A1234BC"),
        },
    )

    def clean_number(self) -> str:
        number = re.sub(r"\s+", "", self.cleaned_data["number"]).upper()
        if not PRISONER_NUMBER.match(number):
            raise forms.ValidationError(_("Enter a prisoner number in the correct format, like A1234BC"))
        return number


class VisitorForm(GovukForm):
    """One visitor's name and date of birth."""

    field_params = {"first_name": {"autocomplete": "given-name"}, "last_name": {"autocomplete": "family-name"}}

    first_name = name_field(_("First name"), _("Enter the visitor's first name"))
    last_name = name_field(_("Last name"), _("Enter the visitor's last name"))
    date_of_birth = GovukDateField(
        label=_("Date of birth"),
        noun=_("the visitor's date of birth"),
        help_text=_("For example, 27 3 1985"),
        must_be_past=True,
        error_messages={"required": _("Enter the visitor's date of birth")},
    )


class AddAnotherVisitorForm(GovukForm):
    """Do you need to add another visitor?"""

    add_another = forms.ChoiceField(
        label=_("Do you need to add another visitor?"),
        widget=forms.RadioSelect,
        choices=[
            ("yes", pgettext_lazy("add another visitor", "Yes")),
            ("no", pgettext_lazy("add another visitor", "No")),
        ],
        error_messages={
            "required": _("Select yes if you need to add another visitor"),
            "invalid_choice": _("Select yes if you need to add another visitor"),
        },
    )
    field_params = {
        "add_another": {
            "classes": "govuk-radios--inline",
            "fieldset": {"legend": {"classes": "govuk-fieldset__legend--m"}},
        }
    }


SUPPORT_NEEDS = [(need.value, _(need.label)) for need in SupportNeed]


class SupportForm(GovukForm):
    """Does anyone visiting need any help or support?"""

    page_heading_field = "needs"

    needs = forms.MultipleChoiceField(
        label=_("Does anyone visiting need any help or support?"),
        help_text=_("Select all that apply. Leave blank if no one needs help."),
        widget=forms.CheckboxSelectMultiple,
        choices=SUPPORT_NEEDS,
        required=False,
        error_messages={"invalid_choice": _("Select the help or support needed")},
    )
    details = forms.CharField(
        label=_("Tell us more about the help or support needed (optional)"),
        widget=forms.Textarea,
        max_length=200,
        required=False,
        error_messages={
            "max_length": _("Details must be 200 characters or less"),
            "hidden_characters": _("Details must not include hidden characters"),
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "other" in cleaned.get("needs", []) and not cleaned.get("details", "").strip():
            self.add_error("details", _("Tell us what help or support is needed"))
        return cleaned


class ChooseTimeForm(GovukForm):
    """The session chosen in the date picker (the picker renders its own radios)."""

    session = forms.TypedChoiceField(
        coerce=int,
        error_messages={"required": _("Select a visit time"), "invalid_choice": _("Select a visit time from the list")},
    )

    def __init__(self, *args: Any, bookable_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(i, str(i)) for i in bookable_ids]


class AnotherTimeForm(GovukForm):
    """Do you want to choose another time?"""

    page_heading_field = "another"

    another = forms.ChoiceField(
        label=_("Do you want to choose another time, in case your first choice is not available?"),
        widget=forms.RadioSelect,
        choices=[
            ("yes", pgettext_lazy("choose another time", "Yes")),
            ("no", pgettext_lazy("choose another time", "No")),
        ],
        error_messages={
            "required": _("Select yes if you want to choose another time"),
            "invalid_choice": _("Select yes if you want to choose another time"),
        },
    )


class WaitingListForm(ContactForm):
    """How should we tell you if a place comes up? (the contact question, for a session's waiting list)"""

    updates = forms.MultipleChoiceField(
        label=_("How should we tell you if a place comes up?"),
        help_text=_("Select all that apply."),
        widget=forms.CheckboxSelectMultiple,
        choices=[("email", _("Email")), ("sms", _("Text message"))],
        error_messages={
            "required": _("Select how you want to be told if a place comes up"),
            "invalid_choice": _("Select how you want to be told if a place comes up"),
        },
    )


class CancelForm(GovukForm):
    """Why are you cancelling this visit?"""

    page_heading_field = "reason"
    reason = forms.ChoiceField(
        label=_("Why are you cancelling this visit?"),
        widget=forms.RadioSelect,
        choices=[
            ("ill", _("Someone is ill")),
            ("travel", _("We cannot travel")),
            ("prisoner", _("The prisoner asked us not to come")),
            ("other", _("Another reason")),
        ],
        error_messages={
            "required": _("Select why you are cancelling this visit"),
            "invalid_choice": _("Select why you are cancelling this visit"),
        },
    )


class FindVisitForm(GovukForm):
    """Find a visit by its reference and the email address it was booked with."""

    field_params = {
        "reference": {"classes": "govuk-input--width-10", "spellcheck": False, "autocomplete": "off"},
        "email": {"autocomplete": "email", "spellcheck": False},
    }

    reference = forms.CharField(
        label=_("Booking reference"),
        help_text=_("For example, bc-df-gh-jk"),
        max_length=20,
        error_messages={"required": _("Enter your booking reference")},
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput,
        error_messages={"required": _("Enter the email address you booked with")},
    )

    def clean_email(self) -> str:
        try:
            return validate_email(self.cleaned_data["email"].strip(), check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise forms.ValidationError(
                _("Enter an email address in the correct format, like name@example.com")
            ) from error

    def clean_reference(self) -> str:
        letters = re.sub(r"[^a-z]", "", self.cleaned_data["reference"].lower())
        if len(letters) != 8:
            raise forms.ValidationError(_("Enter a booking reference in the correct format, like bc-df-gh-jk"))
        return "-".join(letters[i : i + 2] for i in range(0, 8, 2))

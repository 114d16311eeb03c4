"""The GOV.UK forms both web layers ask with, the public journey and the staff console (a clerk books for a caller
with the same questions): a prisoner number's shape, a name's field, and the contact details. GOV.UK content and
input validation only, no booking rules. The journey's own forms are in ``journey.forms``."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email

from common.govuk.forms import GovukForm

PRISONER_NUMBER = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$")
NAME_MAX = 35


def name_field(label: str, required_message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=NAME_MAX,
        error_messages={
            "required": required_message,
            "max_length": lazy(
                lambda: _("%(label)s must be %(max)s characters or less") % {"label": label, "max": NAME_MAX}, str
            )(),
        },
    )


class ContactForm(GovukForm):
    """How should we contact you about this visit?"""

    field_params = {
        "email": {"autocomplete": "email", "spellcheck": False},
        "phone": {"autocomplete": "tel", "classes": "govuk-input--width-20"},
    }

    updates = forms.MultipleChoiceField(
        label=_("How do you want to get updates about this visit?"),
        help_text=_("Select all that apply."),
        widget=forms.CheckboxSelectMultiple,
        choices=[("email", _("Email")), ("sms", _("Text message"))],
        error_messages={
            "required": _("Select how you want to get updates about this visit"),
            "invalid_choice": _("Select how you want to get updates about this visit"),
        },
    )
    email = forms.CharField(
        label=_("Email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput,
        error_messages={"max_length": _("Email address must be 254 characters or less")},
    )
    phone = forms.CharField(
        label=_("UK mobile number"),
        required=False,
        max_length=20,
        help_text=_("For example, 07700 900 982"),
        widget=forms.TextInput(attrs={"type": "tel"}),
        error_messages={"max_length": _("Enter a UK mobile number, like 07700 900 982")},
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if not email:
            return ""
        try:
            return validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise forms.ValidationError(
                _("Enter an email address in the correct format, like name@example.com")
            ) from error

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            number = phonenumbers.parse(phone, "GB")
        except phonenumbers.NumberParseException as error:
            raise forms.ValidationError(_("Enter a UK mobile number, like 07700 900 982")) from error
        mobile = phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        # Ofcom keeps 07700 900000 to 900999 for examples and fiction: valid for testing, and the hint's example.
        example = str(number.national_number).startswith("7700900")
        if number.country_code != 44 or not (example or (phonenumbers.is_valid_number(number) and mobile)):
            raise forms.ValidationError(_("Enter a UK mobile number, like 07700 900 982"))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        updates = cleaned.get("updates", [])
        if "email" in updates and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", _("Enter your email address"))
        if "sms" in updates and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Enter your UK mobile number"))
        return cleaned

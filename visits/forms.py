"""Forms of the public booking journey: GOV.UK content only, no rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.govuk.forms import GovukForm
from prisons.models import Prison


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

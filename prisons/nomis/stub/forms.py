"""Forms of the stub NOMIS debug page: the fault-injection override, and firing a prisoner event."""

from __future__ import annotations

from typing import Any

from django import forms

from common.govuk.forms import GovukDateField, GovukForm
from prisons.nomis.interface import EventType, RestrictionType
from prisons.nomis.stub.faults import Faults

DOWN_FROM_SETTING, DOWN, UP = "setting", "down", "up"
EVENT_LABELS = {
    EventType.MOVED: "Moved to another prison",
    EventType.RELEASED: "Released",
    EventType.RESTRICTION_ADDED: "Restriction added (on the prisoner, or on one visitor)",
    EventType.VISITOR_BANNED: "Visitor banned",
    EventType.ALLOWANCE_CHANGED: "Visit allowance changed",
}
RESTRICTION_LABELS = {
    RestrictionType.CLOSED: "Closed visits only",
    RestrictionType.BANNED: "Banned",
    RestrictionType.CHILD_PROTECTION: "Child protection",
    RestrictionType.NO_VISITS: "No social visits",
}


class FaultsForm(GovukForm):
    """The runtime override of the NOMIS_STUB_* fault settings; an empty answer falls back to the setting."""

    field_params = {
        "latency_ms": {"classes": "govuk-input--width-5", "suffix": {"text": "ms"}},
        "failure_rate": {"classes": "govuk-input--width-4", "inputmode": "decimal"},
    }

    latency_ms = forms.IntegerField(
        label="Added latency",
        required=False,
        min_value=0,
        max_value=600_000,
        error_messages={"invalid": "Added latency must be a whole number of milliseconds, like 1500"},
    )
    failure_rate = forms.FloatField(
        label="Share of calls that fail",
        required=False,
        min_value=0,
        max_value=1,
        error_messages={
            "invalid": "Share of calls that fail must be a number from 0 to 1, like 0.25",
            "min_value": "Share of calls that fail must be 0 or more",
            "max_value": "Share of calls that fail must be 1 or less",
        },
    )
    down = forms.ChoiceField(
        label="Is NOMIS down?",
        widget=forms.RadioSelect,
        choices=[(DOWN_FROM_SETTING, "As the setting says"), (DOWN, "Down: every call fails"), (UP, "Up")],
        error_messages={"required": "Select whether NOMIS is down"},
    )

    def __init__(self, *args: Any, settings_faults: Faults, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["latency_ms"].help_text = (
            f"In milliseconds. Leave empty to use NOMIS_STUB_LATENCY_MS ({settings_faults.latency_ms}). Calls time "
            f"out after {settings_faults.timeout_seconds:g} seconds (NOMIS_TIMEOUT_SECONDS)."
        )
        self.fields["failure_rate"].help_text = (
            f"From 0 to 1, for example 0.25. Leave empty to use NOMIS_STUB_FAILURE_RATE "
            f"({settings_faults.failure_rate:g})."
        )
        self.field_params = {
            **self.field_params,
            "down": {
                "item_hints": {DOWN_FROM_SETTING: f"NOMIS_STUB_DOWN is {'on' if settings_faults.down else 'off'}"}
            },
        }

    @property
    def down_override(self) -> bool | None:
        return {DOWN: True, UP: False}.get(self.cleaned_data["down"])


class EventForm(GovukForm):
    """A prisoner event to fire; which details it needs depends on its type."""

    field_params = {
        "prisoner_number": {"classes": "govuk-input--width-10", "spellcheck": False, "autocomplete": "off"},
        "to_prison": {"classes": "govuk-input--width-4", "spellcheck": False},
        "contact_id": {"classes": "govuk-input--width-10"},
        "visiting_orders": {"classes": "govuk-input--width-3"},
        "privileged_visiting_orders": {"classes": "govuk-input--width-3"},
    }

    event_type = forms.ChoiceField(
        label="Event",
        widget=forms.RadioSelect,
        choices=[(kind.value, label) for kind, label in EVENT_LABELS.items()],
        error_messages={"required": "Select the event to fire"},
    )
    prisoner_number = forms.CharField(
        label="Prisoner number",
        help_text="For example, A1001AA",
        max_length=7,
        error_messages={
            "required": "Enter the prisoner number",
            "max_length": "Prisoner number must be 7 characters",
        },
    )
    to_prison = forms.CharField(
        label="Prison moved to (optional)",
        help_text="For a move: the NOMIS code, for example CFI",
        required=False,
        max_length=3,
        error_messages={"max_length": "NOMIS code must be 3 letters, like CFI"},
    )
    contact_id = forms.IntegerField(
        label="Contact ID (optional)",
        help_text="For a ban, or a restriction on one visitor, for example 100101",
        required=False,
        min_value=1,
        error_messages={"invalid": "Contact ID must be a number, like 100101", "min_value": "Enter a real contact ID"},
    )
    restriction = forms.ChoiceField(
        label="Restriction (optional)",
        help_text="For a restriction added",
        required=False,
        choices=[("", "None"), *((kind.value, label) for kind, label in RESTRICTION_LABELS.items())],
    )
    end_date = GovukDateField(
        label="End date (optional)",
        noun="the end date",
        help_text="For a ban or a restriction. Leave empty if it has no end. For example, 27 3 2027",
        required=False,
        must_be_future=True,
    )
    visiting_orders = forms.IntegerField(
        label="Visiting orders left (optional)",
        help_text="For an allowance change",
        required=False,
        min_value=0,
        max_value=99,
    )
    privileged_visiting_orders = forms.IntegerField(
        label="Privileged visiting orders left (optional)",
        help_text="For an allowance change",
        required=False,
        min_value=0,
        max_value=99,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("event_type")
        if kind == EventType.MOVED and not cleaned.get("to_prison") and "to_prison" not in self.errors:
            self.add_error("to_prison", "Enter the NOMIS code of the prison the prisoner moved to")
        if kind == EventType.VISITOR_BANNED and cleaned.get("contact_id") is None and "contact_id" not in self.errors:
            self.add_error("contact_id", "Enter the contact ID of the visitor who is banned")
        if kind == EventType.RESTRICTION_ADDED and not cleaned.get("restriction"):
            self.add_error("restriction", "Select the restriction to add")
        if (
            kind == EventType.ALLOWANCE_CHANGED
            and cleaned.get("visiting_orders") is None
            and cleaned.get("privileged_visiting_orders") is None
            and not ({"visiting_orders", "privileged_visiting_orders"} & set(self.errors))
        ):
            self.add_error("visiting_orders", "Enter the visiting orders left, the privileged ones, or both")
        return cleaned

"""Staff console forms: GOV.UK wording, validation only."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.govuk.forms import GovukDateField, GovukForm, GovukModelForm
from prisons.models import Prison, SessionTemplate, VisitSession
from visits.forms import PRISONER_NUMBER, ContactForm, name_field
from visits.models import Channel
from visits.outbox import describe_session
from visits.services import RejectionReason


class SignInForm(GovukForm):
    """Sign in with a username and password."""

    field_params = {
        "username": {"autocomplete": "username", "spellcheck": False},
        "password": {"autocomplete": "current-password"},
    }

    username = forms.CharField(
        label=_("Username"), max_length=150, error_messages={"required": _("Enter your username")}
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("Enter your password")},
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            # django-axes counts the failures and refuses a locked-out username or client (staff/signin.py).
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None or not self.user.is_active:
                raise forms.ValidationError(_("Enter a correct username and password"))
        return cleaned


session_label = describe_session  # 'Monday 23 November 2026, 2pm to 3:45pm'


class ReasonForm(GovukForm):
    """A reason, recorded on the visit's timeline."""

    page_heading_field = None
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea, max_length=500, error_messages={"required": _("Enter a reason")}
    )


class OverrideFields(forms.Form):
    """Explicit, audited overrides of the capacity rule."""

    overbook = forms.BooleanField(label=_("Book even if the session is full (overbook)"), required=False)
    overbook_reason = forms.CharField(label=_("Why are you overbooking?"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("overbook") and not cleaned.get("overbook_reason", "").strip():
            self.add_error("overbook_reason", _("Enter why you are overbooking"))
        return cleaned


class ChangeVisitForm(GovukForm, OverrideFields):
    """Move a visit to another session."""

    session = forms.TypedChoiceField(
        label=_("New time"), coerce=int, error_messages={"required": _("Select a new time")}
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        error_messages={"required": _("Enter a reason for the change")},
    )
    field_order = ["session", "reason", "overbook", "overbook_reason"]

    def __init__(self, *args: Any, sessions: list[VisitSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", _("Select a time"))] + [(s.id, session_label(s)) for s in sessions]


class AttendanceForm(GovukForm):
    """Did the visit happen?"""

    page_heading_field = None
    attended = forms.ChoiceField(
        label=_("Did the visit happen?"),
        widget=forms.RadioSelect,
        choices=[("yes", _("Yes, the visitors came")), ("no", _("No, they did not come"))],
        error_messages={"required": _("Select whether the visit happened")},
    )


class ApproveForm(GovukForm, OverrideFields):
    """Approve a request into one of its preferences."""

    session = forms.TypedChoiceField(
        label=_("Which time are you booking?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the time you are booking")},
    )

    def __init__(self, *args: Any, sessions: list[VisitSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(s.id, session_label(s)) for s in sessions]


REJECTION_CHOICES = [
    (RejectionReason.NO_ALLOWANCE, _("The prisoner has no visiting allowance left")),
    (RejectionReason.SLOTS_UNAVAILABLE, _("None of the times are available")),
    (RejectionReason.VISITOR_NOT_APPROVED, _("A visitor is not on the approved list")),
    (RejectionReason.VISITOR_BANNED, _("A visitor is banned")),
    (RejectionReason.PRISONER_MOVED, _("The prisoner has moved")),
    (RejectionReason.PRISONER_RELEASED, _("The prisoner has been released")),
    (RejectionReason.OTHER, _("Another reason")),
]


class RejectForm(GovukForm):
    """Reject a request, with reasons."""

    reasons = forms.MultipleChoiceField(
        label=_("Why are you rejecting the request?"),
        widget=forms.CheckboxSelectMultiple,
        choices=REJECTION_CHOICES,
        error_messages={"required": _("Select why you are rejecting the request")},
    )
    renews_on = GovukDateField(
        label=_("When does the allowance renew?"),
        required=False,
        noun=_("the date the allowance renews"),
        must_be_future=True,
    )
    other_reason = forms.CharField(label=_("Other reason"), required=False, widget=forms.Textarea, max_length=500)
    message = forms.CharField(
        label=_("Message to the visitor (optional)"),
        help_text=_("It is added to the email or text that tells the visitor the request was rejected."),
        required=False,
        widget=forms.Textarea,
        max_length=500,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reasons = cleaned.get("reasons", [])
        if RejectionReason.NO_ALLOWANCE in reasons and not cleaned.get("renews_on") and "renews_on" not in self.errors:
            self.add_error("renews_on", _("Enter the date the allowance renews"))
        if RejectionReason.OTHER in reasons and not cleaned.get("other_reason", "").strip():
            self.add_error("other_reason", _("Enter the other reason"))
        # Text in a box that only counts with its reason ticked (JavaScript off shows every box) is not dropped
        # silently: the box says which reason to tick.
        if "reasons" in cleaned and RejectionReason.OTHER not in reasons and cleaned.get("other_reason", "").strip():
            self.add_error(
                "other_reason", _("Select ‘Another reason’ to give the other reason, or delete the other reason")
            )
        if "reasons" in cleaned and RejectionReason.NO_ALLOWANCE not in reasons and cleaned.get("renews_on"):
            self.add_error(
                "renews_on",
                _(
                    "Select ‘The prisoner has no visiting allowance left’ to give the date it renews, or delete "
                    "the date"
                ),
            )
        return cleaned


class _OneVisitorForm(GovukForm):
    """A form about one of a visit's visitors, chosen by radio from those it is given."""

    visitor: forms.TypedChoiceField

    def __init__(self, *args: Any, visitors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visitor"].choices = [(v.id, f"{v.first_name} {v.last_name}") for v in visitors]


class RefuseVisitorForm(_OneVisitorForm):
    """Refuse one visitor. Refusing the lead visitor, or the last visitor aged 18 or over, rejects the request."""

    visitor = forms.TypedChoiceField(
        label=_("Which visitor?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the visitor you are refusing")},
    )
    kind = forms.ChoiceField(
        label=_("Why are you refusing this visitor?"),
        widget=forms.RadioSelect,
        choices=[
            (RejectionReason.VISITOR_BANNED, _("They are banned from visiting")),
            (RejectionReason.VISITOR_NOT_APPROVED, _("They are not on the prisoner's approved visitor list")),
            (RejectionReason.OTHER, _("Another reason")),
        ],
        error_messages={"required": _("Select why you are refusing this visitor")},
    )
    reason = forms.CharField(label=_("Details"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == RejectionReason.OTHER and not cleaned.get("reason"):
            self.add_error("reason", _("Enter why you are refusing this visitor"))
        return cleaned


class ApproveVisitorForm(_OneVisitorForm):
    """Approve, for this visit only, a visitor who is not on the prisoner's approved list."""

    visitor = forms.TypedChoiceField(
        label=_("Which visitor are you approving for this visit?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the visitor you are approving")},
    )


class ResolveFlagForm(GovukForm):
    """Keep a flagged visit, with a reason (change or cancel it from its own page)."""

    resolution = forms.CharField(
        label=_("Why are you keeping this visit?"),
        widget=forms.Textarea,
        max_length=300,
        error_messages={"required": _("Enter why you are keeping this visit")},
    )


class BlockForm(GovukForm):
    """Block a whole date, or one session on it."""

    date = GovukDateField(
        label=_("Date"),
        noun=_("the date"),
        must_be_future=True,
        help_text=_("For example, 24 12 2026"),
        error_messages={"required": _("Enter the date")},
    )
    start_time = forms.CharField(
        label=_("Session start time (optional)"),
        required=False,
        max_length=5,
        help_text=_("Leave blank to block the whole day. For example, 14:00"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, error_messages={"required": _("Enter a reason")})
    visits = forms.ChoiceField(
        label=_("What should happen to visits already booked?"),
        widget=forms.RadioSelect,
        choices=[("flag", _("Flag them for review")), ("cancel", _("Cancel them and tell the visitors"))],
        error_messages={"required": _("Select what should happen to visits already booked")},
    )
    field_params = {"start_time": {"classes": "govuk-input--width-5"}}

    def clean_start_time(self) -> time | None:
        return parse_time(self.cleaned_data.get("start_time", ""), required=False)


def parse_time(text: str, *, required: bool = True) -> time | None:
    text = text.strip().replace(".", ":")
    if not text:
        if required:
            raise forms.ValidationError(_("Enter a time"))
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):?([0-5]\d)", text)
    if not match:
        raise forms.ValidationError(_("Enter a time in the 24-hour clock, like 14:00"))
    return time(int(match[1]), int(match[2]))


class TimeField(forms.CharField):
    """A time typed as 14:00."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, time):
            return value
        text = super().to_python(value) or ""
        return parse_time(text, required=False) if text.strip() else None  # empty: the field's required message

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%H:%M") if isinstance(value, time) else value


class SessionTemplateForm(GovukModelForm):
    """A line of the weekly timetable."""

    start_time = TimeField(
        label=_("Start time"), help_text=_("For example, 14:00"), error_messages={"required": _("Enter the start time")}
    )
    end_time = TimeField(
        label=_("End time"), help_text=_("For example, 15:45"), error_messages={"required": _("Enter the end time")}
    )
    valid_from = GovukDateField(
        label=_("First date"), noun=_("the first date"), error_messages={"required": _("Enter the first date")}
    )
    valid_to = GovukDateField(label=_("Last date (optional)"), noun=_("the last date"), required=False)
    field_params = {
        "start_time": {"classes": "govuk-input--width-5"},
        "end_time": {"classes": "govuk-input--width-5"},
        "every_n_weeks": {"classes": "govuk-input--width-2"},
        "open_capacity": {"classes": "govuk-input--width-3"},
        "closed_capacity": {"classes": "govuk-input--width-3"},
    }

    class Meta:
        model = SessionTemplate
        fields = [
            "weekday",
            "start_time",
            "end_time",
            "valid_from",
            "valid_to",
            "every_n_weeks",
            "open_capacity",
            "closed_capacity",
        ]
        labels = {
            "weekday": _("Day of the week"),
            "every_n_weeks": _("Every how many weeks"),
            "open_capacity": _("Open tables"),
            "closed_capacity": _("Closed tables"),
        }
        widgets = {"weekday": forms.RadioSelect}
        error_messages = {"weekday": {"required": _("Select the day of the week")}}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("End time must be after the start time"))
        first, last = cleaned.get("valid_from"), cleaned.get("valid_to")
        if first and last and last < first:
            self.add_error("valid_to", _("Last date must be the same as or after the first date"))
        return cleaned


class PrisonSettingsForm(GovukModelForm):
    """The prison's own settings in the console: its visits mailbox."""

    field_params = {"visits_mailbox": {"autocomplete": "email"}}

    class Meta:
        model = Prison
        fields = ["visits_mailbox"]
        labels = {"visits_mailbox": _("Visits mailbox (optional)")}
        help_texts = {
            "visits_mailbox": _(
                "We'll email this address about each new request and each visitor's cancellation. "
                "Leave empty to turn this off."
            )
        }


class FindPrisonerForm(GovukForm):
    """Book for a caller, step 1: the prisoner, checked against NOMIS."""

    field_params = {"number": {"classes": "govuk-input--width-10", "spellcheck": False}}

    number = forms.CharField(
        label=_("Prisoner number"), max_length=12, error_messages={"required": _("Enter the prisoner number")}
    )
    last_name = name_field(_("Prisoner's last name"), _("Enter the prisoner's last name"))
    date_of_birth = GovukDateField(
        label=_("Prisoner's date of birth"),
        noun=_("the prisoner's date of birth"),
        must_be_past=True,
        error_messages={"required": _("Enter the prisoner's date of birth")},
    )

    def clean_number(self) -> str:
        number = re.sub(r"\s+", "", self.cleaned_data["number"]).upper()
        if not PRISONER_NUMBER.match(number):
            raise forms.ValidationError(_("Enter a prisoner number in the correct format, like A1234BC"))
        return number


class BookForCallerForm(ContactForm, OverrideFields):
    """Book for a caller, step 2: who is coming, when, how they asked, and how to contact them."""

    visitors = forms.MultipleChoiceField(
        label=_("Who is visiting?"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From the prisoner's approved visitor list. The first one ticked is the lead visitor."),
        error_messages={"required": _("Select who is visiting")},
    )
    session = forms.TypedChoiceField(
        label=_("Visit time"), coerce=int, error_messages={"required": _("Select a visit time")}
    )
    channel = forms.ChoiceField(
        label=_("How did they ask?"),
        widget=forms.RadioSelect,
        choices=[(c.value, c.label) for c in Channel if c != Channel.ONLINE],
        error_messages={"required": _("Select how they asked for the visit")},
    )
    override_allowance = forms.BooleanField(
        label=_("Book even though the prisoner has no allowance left"), required=False
    )
    override_allowance_reason = forms.CharField(
        label=_("Why are you booking without allowance?"), required=False, max_length=300
    )

    def __init__(
        self,
        *args: Any,
        contacts: list[tuple[str, str]],
        sessions: list[tuple[int, str]],
        closed_because: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visitors"].choices = contacts
        self.fields["session"].choices = [("", _("Select a time")), *sessions]
        # The clerk types the caller's email and mobile, each wanted when given: no question of which updates, so
        # no error can be about one the page does not show.
        del self.fields["updates"]
        if closed_because:  # the prisoner must have closed visits: the clerk decides, closed chosen unless changed
            self.fields["visit_type"] = forms.ChoiceField(
                label=_("Open or closed visit?"),
                help_text=closed_because,
                widget=forms.RadioSelect,
                choices=[("closed", _("Closed visit")), ("open", _("Open visit"))],
                initial="closed",
                error_messages={"required": _("Select open or closed visit")},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("override_allowance") and not cleaned.get("override_allowance_reason", "").strip():
            self.add_error("override_allowance_reason", _("Enter why you are booking without allowance"))
        return cleaned


class BookingPauseForm(GovukForm):
    """Pause online booking: the message visitors see on the "service unavailable" page."""

    message = forms.CharField(
        label=_("Message for visitors"),
        widget=forms.Textarea,
        max_length=500,
        help_text=_(
            "Say why booking is paused and when it should start again. Visitors also see the prison's phone number."
        ),
        error_messages={
            "required": _("Enter a message for visitors"),
            "max_length": _("The message for visitors must be 500 characters or less"),
        },
    )
    message_cy = forms.CharField(
        label=_("Message in Welsh (optional)"),
        widget=forms.Textarea,
        max_length=500,
        required=False,
        help_text=_("Shown to visitors using the service in Welsh. Leave blank to show the English message."),
        error_messages={"max_length": _("The message in Welsh must be 500 characters or less")},
    )
    scope = forms.ChoiceField(
        label=_("Where should online booking be paused?"),
        widget=forms.RadioSelect,
        choices=[("prison", _("At this prison only")), ("national", _("At every prison"))],
        initial="prison",
        error_messages={"required": _("Select where online booking should be paused")},
    )

    def __init__(self, *args: Any, national_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not national_allowed:  # only a national role (or a superuser) pauses every prison
            del self.fields["scope"]

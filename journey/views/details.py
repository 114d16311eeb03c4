"""Journey steps about people: the prisoner, the visitors, support needs and contact details."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from journey import ratelimit
from journey.forms import AddAnotherVisitorForm, ContactForm, PrisonerDetailsForm, SupportForm, VisitorForm
from journey.steps import (
    TIME_AGAIN_KEY,
    VISITORS_NEED_APPROVAL,
    VISITORS_OR_PRISONER_CHANGED,
    JourneyView,
    changing,
)
from prisons.nomis import NomisUnavailable
from visits.rules import (
    PARTY_MESSAGES,
    Outcome,
    PartyProblem,
    PrisonerCheck,
    check_prisoner,
    decide,
    party_problems,
)
from visits.selectors import cached_prisoner_context
from visits.services import hold_release, hold_visitors_change

NOT_MATCHED = gettext_noop("The prisoner details do not match our records. Check them and try again.")


def bound(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


class JourneyFormView(JourneyView):
    """A step that is one form: GET shows it with the current answer, POST saves a valid answer and moves on."""

    template_name = ""

    def render_form(self, form: Any, **context: Any) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "back_url": self.back_url(), "prison": self.answers.prison, **context},
        )

    def release_hold(self, because: str = "") -> None:
        """An earlier answer changed: the chosen time no longer fits, so let its place go. ``because`` says why, to
        the visitor choosing a time again."""
        if self.answers.hold is not None:
            hold_release(visit=self.answers.hold)
            if because:
                self.answers.set(TIME_AGAIN_KEY, because)
        self.answers.forget("hold_visit_id", "preferences", "outcome")

    def party_changed(self) -> None:
        """Who is visiting changed. The time chosen is kept where the new party still fits it (the same decision:
        booked at once or a request, open or closed, and every visitor's age fits on the day); otherwise it is let
        go, and the picker says why."""
        hold = self.answers.hold
        if hold is None:
            return
        prison = self.answers.prison
        first, last = prison.bookable_window(timezone.localdate())  # type: ignore[union-attr]
        facts = cached_prisoner_context(self.answers.get("prisoner")["number"], first=first, last=last, fetch=False)
        party = self.answers.party
        if facts is not None and self.answers.hold_is_live():
            decision = decide(
                prisoner=facts.prisoner,
                balance=facts.balance,
                approved=facts.approved,
                party=party,
                on=hold.session.date,
            )
            problems = party_problems(
                [m.date_of_birth for m in party],
                on=hold.session.date,
                adult_age=prison.adult_age,  # type: ignore[union-attr]
                max_visitors=prison.max_visitors,  # type: ignore[union-attr]
                max_adults=prison.max_adults,  # type: ignore[union-attr]
            )
            fits = not problems and decision.closed == hold.closed
            same = fits and decision.outcome.value == self.answers.get("outcome")
            if same and hold_visitors_change(visit=hold, party=party, visitor_contact_ids=decision.matches):
                self.answers.set("reasons", [r.message for r in decision.reasons])
                return
            if fits and decision.outcome == Outcome.REQUEST and self.answers.get("outcome") == Outcome.BOOK:
                self.release_hold(because=VISITORS_NEED_APPROVAL)
                return
        self.release_hold(because=VISITORS_OR_PRISONER_CHANGED)

    def changing_suffix(self) -> str:
        """'?change=1' while the visitor is changing an answer from check your answers, to carry it on."""
        return "?change=1" if changing(self.request) else ""


class PrisonerView(JourneyFormView):
    """Who are you visiting? Checked against NOMIS, rate-limited per client and per prisoner number."""

    step = "prisoner"
    template_name = "journey/prisoner.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        saved = self.answers.get("prisoner")
        initial = {**saved, "date_of_birth": date.fromisoformat(saved["date_of_birth"])} if saved else None
        return self.render_form(PrisonerDetailsForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PrisonerDetailsForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        number = form.cleaned_data["number"]
        prison = self.answers.prison
        client = ratelimit.client_key(request)
        if not (
            ratelimit.allow("prisoner-client", client, ratelimit.PRISONER_LOOKUPS_PER_CLIENT)
            and ratelimit.number_open_to(number, client)
        ):
            return render(request, "journey/too-many-attempts.html", {"prison": prison}, status=429)
        first, last = prison.bookable_window(timezone.localdate())  # type: ignore[union-attr]
        try:  # everything booking will ask of NOMIS, in one call, kept for the journey's next pages
            facts = cached_prisoner_context(number, first=first, last=last)
        except NomisUnavailable:
            return render(request, "journey/nomis-unavailable.html", {"prison": prison}, status=503)
        prisoner = facts.prisoner if facts else None
        check = check_prisoner(
            prisoner,
            last_name=form.cleaned_data["last_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            prison_codes=[prison.code],
        )
        if check == PrisonerCheck.NOT_FOUND:
            ratelimit.lookup_failed(number, client)
            form.add_error(None, _(NOT_MATCHED))
            return self.render_form(form)
        if check == PrisonerCheck.AT_ANOTHER_PRISON:
            return redirect("visits:drop-out", reason="moved")
        if check == PrisonerCheck.RELEASED:
            return redirect("visits:drop-out", reason="released")
        previous = self.answers.get("prisoner") or {}
        if previous.get("number") != number:
            self.release_hold(because=VISITORS_OR_PRISONER_CHANGED)
        self.answers.set(
            "prisoner",
            {
                "first_name": form.cleaned_data["first_name"],
                "last_name": form.cleaned_data["last_name"],
                "date_of_birth": form.cleaned_data["date_of_birth"].isoformat(),
                "number": number,
                "location": prisoner.location,  # type: ignore[union-attr]
            },
        )
        return self.go_next()


class VisitorsView(JourneyFormView):
    """The visitors so far, with change and remove, and whether to add another (GOV.UK add-another)."""

    step = "visitors"
    template_name = "journey/visitors.html"

    def limits(self) -> dict[str, int]:
        prison = self.answers.prison
        return {
            "max_visitors": prison.max_visitors,
            "max_adults": prison.max_adults,  # type: ignore[union-attr]
            "adult_age": prison.adult_age,
        }  # type: ignore[union-attr]

    def problems(self) -> list[str]:
        dobs = [m.date_of_birth for m in self.answers.party]
        found = party_problems(dobs, on=timezone.localdate(), **self.limits()) if dobs else []
        return [_(PARTY_MESSAGES[p]).format(**self.limits()) for p in found]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.answers.visitors:
            return redirect("visits:visitor-add")
        return self.render_list(AddAnotherVisitorForm())

    def render_list(self, form: AddAnotherVisitorForm) -> HttpResponse:
        visitors = self.answers.visitors
        can_add = len(visitors) < self.limits()["max_visitors"]
        return self.render_form(
            form,
            visitors=visitors,
            can_add=can_add,
            problems=self.problems(),
            change_suffix=self.changing_suffix(),
            **self.limits(),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if len(self.answers.visitors) >= self.limits()["max_visitors"]:
            return self.finish()
        form = AddAnotherVisitorForm(request.POST)
        if not form.is_valid():
            return self.render_list(form)
        if form.cleaned_data["add_another"] == "yes":
            return redirect(reverse("visits:visitor-add") + self.changing_suffix())
        return self.finish()

    def finish(self) -> HttpResponse:
        if self.problems():
            return self.render_list(AddAnotherVisitorForm())
        return self.go_next()


class RemoveVisitorView(JourneyFormView):
    """Are you sure you want to remove this visitor?"""

    step = "visitors"

    def get(self, request: HttpRequest, index: int) -> HttpResponse:
        visitors = self.answers.visitors
        if index >= len(visitors):
            return redirect("visits:visitors")
        return render(
            request, "journey/visitor-remove.html", {"visitor": visitors[index], "back_url": reverse("visits:visitors")}
        )

    def post(self, request: HttpRequest, index: int) -> HttpResponse:
        visitors = self.answers.visitors
        if index < len(visitors):
            del visitors[index]
            self.answers.set("visitors", visitors)
            self.party_changed()
        return redirect(reverse("visits:visitors") + self.changing_suffix())


class VisitorFormView(JourneyFormView):
    """Add a visitor (the first is the lead visitor) or change one."""

    step = "visitors"
    template_name = "journey/visitor.html"

    def get(self, request: HttpRequest, index: int | None = None) -> HttpResponse:
        visitors = self.answers.visitors
        if index is not None:
            if index >= len(visitors):
                return redirect("visits:visitors")
            saved = visitors[index]
            form = VisitorForm(initial={**saved, "date_of_birth": date.fromisoformat(saved["date_of_birth"])})
        elif len(visitors) >= self.answers.prison.max_visitors:  # type: ignore[union-attr]
            return redirect("visits:visitors")
        else:
            form = VisitorForm()
        return self.render_visitor(form, index)

    def render_visitor(self, form: VisitorForm, index: int | None) -> HttpResponse:
        position = len(self.answers.visitors) if index is None else index
        prison = self.answers.prison
        return self.render_form(
            form,
            is_lead=position == 0,
            index=index,
            back_url=reverse("visits:visitors") + self.changing_suffix() if self.answers.visitors else self.back_url(),
            max_visitors=prison.max_visitors,
            max_adults=prison.max_adults,
            adult_age=prison.adult_age,
        )  # type: ignore[union-attr]

    def post(self, request: HttpRequest, index: int | None = None) -> HttpResponse:
        visitors = self.answers.visitors
        if index is not None and index >= len(visitors):
            return redirect("visits:visitors")
        form = VisitorForm(request.POST)
        if not form.is_valid():
            return self.render_visitor(form, index)
        entry = {
            "first_name": form.cleaned_data["first_name"],
            "last_name": form.cleaned_data["last_name"],
            "date_of_birth": form.cleaned_data["date_of_birth"].isoformat(),
        }
        party = list(visitors)
        if index is None:
            party.append(entry)
        else:
            party[index] = entry
        prison = self.answers.prison
        found = party_problems(
            [date.fromisoformat(v["date_of_birth"]) for v in party],
            on=timezone.localdate(),
            adult_age=prison.adult_age,
            max_visitors=prison.max_visitors,  # type: ignore[union-attr]
            max_adults=prison.max_adults,
        )  # type: ignore[union-attr]
        if PartyProblem.LEAD_UNDER_18 in found and len(party) == 1:
            return redirect("visits:drop-out", reason="no-adult")
        for problem in found:
            form.add_error(
                "date_of_birth",
                _(PARTY_MESSAGES[problem]).format(
                    max_visitors=prison.max_visitors,
                    max_adults=prison.max_adults,  # type: ignore[union-attr]
                    adult_age=prison.adult_age,
                ),
            )  # type: ignore[union-attr]
        if found:
            return self.render_visitor(form, index)
        if party != list(visitors):
            self.answers.set("visitors", party)
            self.party_changed()
        return redirect(reverse("visits:visitors") + self.changing_suffix())


class SupportView(JourneyFormView):
    """Does anyone visiting need any help or support? (optional)"""

    step = "support"
    template_name = "journey/support.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(SupportForm(initial=self.answers.get("support")))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SupportForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        self.answers.set(
            "support", {"needs": form.cleaned_data["needs"], "details": form.cleaned_data["details"].strip()}
        )
        return self.go_next()


class ContactView(JourneyFormView):
    """How should we contact you about this visit?"""

    step = "contact"
    template_name = "journey/contact.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(ContactForm(initial=self.answers.get("contact")))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ContactForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        updates = form.cleaned_data["updates"]
        self.answers.set(
            "contact",
            {
                "updates": updates,
                "email": form.cleaned_data["email"] if "email" in updates else "",
                "phone": form.cleaned_data["phone"] if "sms" in updates else "",
            },
        )
        return self.go_next()

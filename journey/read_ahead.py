"""The shared reads of a journey's page in one round trip to the cache (``common.read_ahead``).

Every page of the journey reads the live pauses and the prison's row; the time steps also read the prisoner's NOMIS
facts and the prison's window with its version (visits.selectors, prisons.window_cache). This middleware knows them
from the answers in the session before the view runs, and reads them together. The views and selectors are
unchanged: they ask ``cache_get``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.maintenance import CACHE_KEY as PAUSES_KEY
from common.read_ahead import forget_read_ahead, read_ahead
from journey.steps import SESSION_KEY, JourneyView
from journey.views.time import TimeStepView
from prisons.window_cache import window_version_key
from visits.selectors import facts_key, prison_key, window_key


class ReadAheadMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            forget_read_ahead()

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        view_class = getattr(view_func, "view_class", None)
        if view_class is None or not issubclass(view_class, JourneyView):
            return
        answers = request.session.get(SESSION_KEY, {})
        slug = answers.get("prison")
        keys = [PAUSES_KEY]
        if slug:
            keys.append(prison_key(slug))
        if issubclass(view_class, TimeStepView):
            if slug:
                keys += [window_version_key(slug), window_key(slug, timezone.localdate())]
            if number := answers.get("prisoner", {}).get("number"):
                keys.append(facts_key(number))
        read_ahead(keys)

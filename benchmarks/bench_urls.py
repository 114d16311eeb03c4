"""The service's URLs plus `/bench/bare`, a view that returns "ok": the framework's floor for `benchmarks/pages.py`
(the same middleware, worker and load tool as the pages it is compared with). Used by the benchmark only."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as service_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *service_urlpatterns]

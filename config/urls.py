from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from common import views
from config.health import NomisHealthView, ReadinessView
from notifications import views as notify_views
from staff.signin import one_attempt_at_a_time
from staff.views import fake_outbox

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("healthz/nomis", NomisHealthView.as_view(), name="healthz-nomis"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's sign-in takes the same lockout as the console's, one attempt at a time (staff/signin.py).
    path("django-admin/login/", one_attempt_at_a_time(admin.site.login)),
    path("django-admin/", admin.site.urls),
    path("staff/", include("staff.urls")),
    # GOV.UK Notify: delivery receipts, and what the fake Notify sent (no NOTIFY_API_KEY).
    path("notify/delivery-receipts", notify_views.delivery_receipt, name="notify-delivery-receipt"),
    path("", include("performance.urls")),
    path("", include("journey.prison_urls")),
    path("", include("journey.urls")),
]
# The fake Notify's page exists only where a demo was asked for (NOTIFY_FAKE=1; DEBUG turns it on). NOMIS's stand-in,
# the fake HMPPS server, is a process of its own with its own admin endpoint: nothing here.
if settings.NOTIFY_FAKE:
    urlpatterns.append(path("notify/fake-outbox", fake_outbox.fake_outbox, name="notify-fake-outbox"))

handler400 = "common.views.bad_request"
handler403 = "common.views.permission_denied"
handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"

from django.contrib import admin
from django.urls import include, path

from config import views
from visits.views import notify as notify_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("staff/", include("staff.urls")),
    # GOV.UK Notify: delivery receipts, and what the fake Notify sent (no NOTIFY_API_KEY).
    path("notify/delivery-receipts", notify_views.delivery_receipt, name="notify-delivery-receipt"),
    path("notify/fake-outbox", notify_views.fake_outbox, name="notify-fake-outbox"),
    path("", include("prisons.urls")),
    path("", include("visits.urls")),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("staff/", include("staff.urls")),
    path("", include("prisons.urls")),
    path("", include("visits.urls")),
]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

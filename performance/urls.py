from django.urls import path

from performance import views

app_name = "performance"

urlpatterns = [
    path("performance", views.dashboard, name="dashboard"),
    path("performance.csv", views.national_csv, name="national-csv"),
]

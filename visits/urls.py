from django.urls import path
from django.views.generic import TemplateView

from visits import views

app_name = "visits"


def page(name: str) -> TemplateView:
    """A content page every GOV.UK service carries (help, cookies, accessibility, privacy)."""
    return TemplateView.as_view(template_name=f"pages/{name}.html")


urlpatterns = [
    path("", views.start, name="start"),
    path("prison", views.choose_prison, name="choose-prison"),
    path("help", page("help"), name="help"),
    path("cookies", page("cookies"), name="cookies"),
    path("accessibility", page("accessibility"), name="accessibility"),
    path("privacy", page("privacy"), name="privacy"),
    path("prison-data-licence", page("data-licence"), name="data-licence"),
]

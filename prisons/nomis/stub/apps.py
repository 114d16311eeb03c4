from django.apps import AppConfig


class NomisStubConfig(AppConfig):
    name = "prisons.nomis.stub"
    label = "nomis_stub"
    verbose_name = "NOMIS stub"
    default_auto_field = "django.db.models.BigAutoField"

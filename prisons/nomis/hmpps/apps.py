from django.apps import AppConfig


class HmppsConfig(AppConfig):
    name = "prisons.nomis.hmpps"
    label = "nomis_hmpps"
    verbose_name = "HMPPS APIs"
    default_auto_field = "django.db.models.BigAutoField"

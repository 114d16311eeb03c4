from django.apps import AppConfig


class PrisonsConfig(AppConfig):
    name = "prisons"
    verbose_name = "Prisons and timetables"

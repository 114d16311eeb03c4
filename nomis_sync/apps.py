from django.apps import AppConfig


class NomisSyncConfig(AppConfig):
    name = "nomis_sync"
    verbose_name = "NOMIS sync"

    def ready(self) -> None:
        from nomis_sync.tasks import push_visit_to_nomis
        from visits.handoff import PUSH_TO_NOMIS, register_handler

        register_handler(PUSH_TO_NOMIS, push_visit_to_nomis.delay)

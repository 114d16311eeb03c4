from django.apps import AppConfig


class WaitingListConfig(AppConfig):
    name = "waiting_list"
    verbose_name = "Waiting lists"

    def ready(self) -> None:
        from visits.handoff import PLACE_FREED, register_handler
        from waiting_list.tasks import offer_waiting_places

        register_handler(PLACE_FREED, offer_waiting_places.delay)

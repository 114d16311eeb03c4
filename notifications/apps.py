from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications.sending import messages_enqueue
        from visits.handoff import SEND_MESSAGES, register_handler

        register_handler(SEND_MESSAGES, messages_enqueue)

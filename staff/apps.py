from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff console"

    def ready(self) -> None:
        from staff import session_lifetime  # noqa: F401 - connects the sign-in time's signal receiver

from django.apps import AppConfig


class StaffConsoleConfig(AppConfig):
    name = "staff"
    label = "staff_console"  # "staff" is the accounts app's label (accounts/apps.py)
    verbose_name = "Staff console"

    def ready(self) -> None:
        from staff import session_lifetime  # noqa: F401 - connects the sign-in time's signal receiver

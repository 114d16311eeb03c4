from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "staff"  # the label its tables, migrations and permissions were made under
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from accounts import prisons_admin  # noqa: F401 - the prisons' models in the Django admin, scoped

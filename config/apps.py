from django.apps import AppConfig


class ConfigAppConfig(AppConfig):
    name = "config"
    label = "service_config"
    verbose_name = "Service configuration"

    def ready(self) -> None:
        from common.govuk.jinja import use_shared_environment

        use_shared_environment()

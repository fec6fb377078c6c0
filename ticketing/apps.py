from django.apps import AppConfig


class TicketingConfig(AppConfig):
    name = "ticketing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ticketing import checks  # noqa: F401  (registers the system checks)
        from ticketing.api import schema  # noqa: F401  (registers the OpenAPI auth extension)

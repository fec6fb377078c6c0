from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Notifications (outbox)"

    def ready(self) -> None:
        from notifications import tasks  # noqa: F401  (registers the tasks: the delivery queues them by name)

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jobs import tasks  # noqa: F401  (registers the tasks: jobs.services queues run_job by name)

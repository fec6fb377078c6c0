from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jobs.models import JobKind
        from jobs.registry import register_job_handler
        from orders.counting import (
            count_cart_positions,
            count_code_holds,
            count_paid_positions,
            count_pending_positions,
        )
        from orders.tasks import cleanup_job
        from ticketing.quota_usage import QuotaUsage, register_quota_usage
        from vouchers.cart_holds import register_code_holds

        register_quota_usage(QuotaUsage.PENDING_ORDERS, count_pending_positions)
        register_quota_usage(QuotaUsage.PAID_ORDERS, count_paid_positions)
        register_quota_usage(QuotaUsage.CART_POSITIONS, count_cart_positions)
        register_code_holds(count_code_holds)
        # The system's own job (no organizer): only the back office lists it.
        register_job_handler(JobKind.CLEANUP, cleanup_job, read_permission=None, all_events=False)

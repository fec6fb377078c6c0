from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "vouchers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jobs.models import JobKind
        from jobs.registry import register_job_handler
        from ticketing.quota_usage import QuotaUsage, register_quota_usage
        from vouchers.job_handlers import export_coupons_job, generate_coupons_job, import_coupons_job
        from vouchers.quotas import count_blocking_vouchers

        register_quota_usage(QuotaUsage.BLOCKING_VOUCHERS, count_blocking_vouchers)
        # Whoever may read coupons (organizer-wide: a team with all events) sees these jobs.
        for kind, handler in (
            (JobKind.GENERATE_COUPONS, generate_coupons_job),
            (JobKind.IMPORT_COUPONS, import_coupons_job),
            (JobKind.EXPORT_COUPONS, export_coupons_job),
        ):
            register_job_handler(kind, handler, read_permission="can_view_vouchers", all_events=True)

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
        from vouchers.scope import series_jobs_q

        register_quota_usage(QuotaUsage.BLOCKING_VOUCHERS, count_blocking_vouchers)
        # Whoever may read coupons sees these jobs: a team with all events every one, a team limited to
        # some events those of the series it reaches (vouchers.scope). Re-running one takes what starting
        # it takes: changing coupons to generate or import them, reading them to export them.
        for kind, handler, start_permission in (
            (JobKind.GENERATE_COUPONS, generate_coupons_job, "can_change_vouchers"),
            (JobKind.IMPORT_COUPONS, import_coupons_job, "can_change_vouchers"),
            (JobKind.EXPORT_COUPONS, export_coupons_job, "can_view_vouchers"),
        ):
            register_job_handler(
                kind, handler, read_permission="can_view_vouchers", all_events=True,
                limited_scope=series_jobs_q, start_permission=start_permission,
            )  # fmt: skip

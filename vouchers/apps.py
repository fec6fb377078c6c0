from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "vouchers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ticketing.quota_usage import QuotaUsage, register_quota_usage
        from vouchers.quotas import count_blocking_vouchers

        register_quota_usage(QuotaUsage.BLOCKING_VOUCHERS, count_blocking_vouchers)

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api_router import urlpatterns as api_urlpatterns
from core.health import healthz, readyz
from core.metrics import metrics_view

# The back office names itself (Django's default reads "Django administration" on every page).
admin.site.site_header = "ticketshop back office"
admin.site.site_title = "ticketshop back office"
admin.site.index_title = "Back office"

urlpatterns = [
    # Probes and metrics: plain Django views, outside /api/ (no auth, no throttle, not in the schema).
    re_path(r"^healthz/?$", healthz, name="healthz"),
    re_path(r"^readyz/?$", readyz, name="readyz"),
    re_path(r"^metrics/?$", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api-auth/", include("rest_framework.urls")),
]

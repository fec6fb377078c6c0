"""The API's URL tree: organizers at the root, events nested below, each app adding its resources.

Apps register their viewsets through an explicit ``register(...)`` function in
their ``api/routes.py``; URL kwargs are ``organizer_slug`` and ``event_slug``.
"""

from rest_framework_nested import routers

from audit.api import routes as audit_routes
from discounts.api import routes as discount_routes
from jobs.api import routes as job_routes
from notifications.api import routes as notification_routes
from orders.api import routes as order_routes
from ticketing.api import routes as ticketing_routes
from vouchers.api import routes as voucher_routes

root = routers.SimpleRouter()
ticketing_routes.register_root(root)
organizer_router = routers.NestedSimpleRouter(root, r"organizers", lookup="organizer")
ticketing_routes.register_organizer(organizer_router)
event_router = routers.NestedSimpleRouter(organizer_router, r"events", lookup="event")

nested_routers = [organizer_router, event_router]
APP_ROUTES = (
    ticketing_routes, job_routes, notification_routes, discount_routes, voucher_routes, order_routes,
    audit_routes,
)  # fmt: skip
for app_routes in APP_ROUTES:
    nested_routers += app_routes.register(organizer_router, event_router)

urlpatterns = list(root.urls)
for router in nested_routers:
    urlpatterns += router.urls

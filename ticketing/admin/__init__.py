"""Django admin (the back office) of the ticketing app, organised for an organizer's staff.

Admin forms run the same validation functions as the models and the API
(``ticketing.validation``); see ``ticketing.admin.forms``.
"""

from ticketing.admin import events, items, organizers  # noqa: F401  (registers the model admins)

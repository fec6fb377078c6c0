"""OpenAPI (drf-spectacular) descriptions that views cannot derive themselves."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class TeamTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ticketing.api.authentication.TeamTokenAuthentication"
    name = "TeamToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")

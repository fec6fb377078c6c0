"""``Authorization: Token <token>`` for team API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework import authentication, exceptions

from ticketing.models import Team, TeamAPIToken
from ticketing.services import token_digest


@dataclass(frozen=True)
class TokenPrincipal:
    """Stands in for ``request.user`` when a team token authenticated the request."""

    team: Team
    token: TeamAPIToken
    is_authenticated: bool = True
    is_superuser: bool = False
    is_staff: bool = False
    pk: None = None

    def __str__(self) -> str:
        return f"token {self.token.prefix}… of {self.team}"


class TeamTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: use 'Token <token>'.")
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            message = "Invalid token header: the token is not valid text."
            raise exceptions.AuthenticationFailed(message) from exc
        token = (
            TeamAPIToken.objects.select_related("team__organizer")
            .filter(digest=token_digest(raw), active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or inactive token.")
        return TokenPrincipal(team=token.team, token=token), token

    def authenticate_header(self, request) -> str:
        return self.keyword

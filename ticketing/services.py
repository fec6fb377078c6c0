"""Writes and workflows of the ticketing app."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import ProtectedError

from config.errors import ConflictError
from ticketing.models import Event, Organizer, SalesChannel, Team, TeamAPIToken

TOKEN_BYTES = 32


def token_digest(raw_token: str) -> str:
    """Tokens are long random strings, so an unsalted SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: TeamAPIToken
    raw: str  # shown once, never stored


@transaction.atomic
def organizer_create(*, slug: str, name: str) -> Organizer:
    organizer = Organizer.objects.create(slug=slug, name=name)
    sales_channel_ensure_web(organizer=organizer)
    return organizer


def sales_channel_ensure_web(*, organizer: Organizer) -> SalesChannel:
    """Every organizer sells on the web: make sure the ``web`` channel exists."""
    channel, _ = SalesChannel.objects.get_or_create(
        organizer=organizer, identifier=SalesChannel.WEB, defaults={"label": "Online shop"}
    )
    return channel


def team_token_create(*, team: Team, name: str) -> CreatedToken:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = TeamAPIToken.objects.create(team=team, name=name, digest=token_digest(raw), prefix=raw[:8])
    return CreatedToken(token=token, raw=raw)


def sales_channel_delete(*, channel: SalesChannel) -> None:
    if channel.identifier == SalesChannel.WEB:
        raise ConflictError(
            "The 'web' sales channel always exists and cannot be deleted.", code="sales_channel_required"
        )
    channel.delete()


def event_delete(*, event: Event) -> None:
    """Delete an event with its items and quotas; an event that has orders cannot be deleted."""
    try:
        with transaction.atomic():
            event.delete()
    except ProtectedError as exc:
        raise ConflictError(
            "The event has orders or other records that must be kept; take it offline instead.",
            code="event_in_use",
        ) from exc

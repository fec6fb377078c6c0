"""``manage.py create_token <organizer> <team>``: a new API token for a team, printed once.

Only a digest of the token is stored, so the printed line is the only chance to copy it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ticketing.models import Team
from ticketing.services import team_token_create


class Command(BaseCommand):
    help = "Create an API token for a team of an organizer and print it (it is not shown again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("organizer", help="slug of the organizer")
        parser.add_argument("team", help="name of the team")
        parser.add_argument("--name", default="created with manage.py", help="a name to recognise the token")

    def handle(self, *args, organizer: str, team: str, name: str, **options) -> None:
        found = Team.objects.filter(organizer__slug=organizer, name=team).first()
        if found is None:
            raise CommandError(f"No team '{team}' in organizer '{organizer}'.")
        created = team_token_create(team=found, name=name)
        self.stdout.write(f"API token: {created.raw}")

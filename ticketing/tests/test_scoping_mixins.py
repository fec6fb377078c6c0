"""The scope mixins of the API views: the event scope extends the organizer scope (``super()``),
so what the organizer scope requires, such as ``require_all_events``, holds for event views too."""

from __future__ import annotations

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from ticketing.api.scoping import EventScopedMixin, OrganizerScopedMixin
from ticketing.tests.factories import EventFactory, TeamFactory, make_token

pytestmark = pytest.mark.django_db


class EventViewForAllEvents(EventScopedMixin, APIView):
    require_all_events = True

    def get(self, request, **kwargs):
        return Response({"event": self.event.slug, "organizer": self.organizer.slug})


class OrganizerViewForAllEvents(OrganizerScopedMixin, APIView):
    require_all_events = True

    def get(self, request, **kwargs):
        return Response({"organizer": self.organizer.slug})


def call(view, team, **kwargs):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {make_token(team)}")
    return view.as_view()(request, **kwargs)


@pytest.mark.parametrize("view", [EventViewForAllEvents, OrganizerViewForAllEvents])
def test_a_team_limited_to_some_events_is_refused_where_all_events_are_required(organizer, event, view):
    limited = TeamFactory(organizer=organizer, all_events=False, limit_events=[event])
    response = call(view, limited, organizer_slug=organizer.slug, event_slug=event.slug)
    assert response.status_code == 403
    assert "all events" in str(response.data["detail"])


def test_a_team_with_all_events_passes_and_the_event_is_resolved(organizer, event, team):
    response = call(EventViewForAllEvents, team, organizer_slug=organizer.slug, event_slug=event.slug)
    assert (response.status_code, response.data) == (200, {"event": event.slug, "organizer": organizer.slug})


def test_an_event_of_another_organizer_is_refused(organizer, team):
    foreign = EventFactory(slug="elsewhere")
    response = call(EventViewForAllEvents, team, organizer_slug=organizer.slug, event_slug=foreign.slug)
    assert response.status_code == 403

"""Sales channels: /api/v1/organizers/<o>/saleschannels/"""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from ticketing.api.scoping import ORGANIZER_FORBIDDEN
from ticketing.models import SalesChannel
from ticketing.tests.factories import ItemFactory, OrganizerFactory, SalesChannelFactory

URL = "/api/v1/organizers/demo-org/saleschannels/"

NEW_CHANNEL = {"identifier": "box", "label": "Box office", "position": 2}


def test_list_is_paginated_with_the_envelope(api, organizer):
    SalesChannelFactory.create_batch(2, organizer=organizer)
    response = api.get(URL, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)  # with the web channel
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == {"id", "identifier", "label", "position"}
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_ordering(api, organizer):
    SalesChannelFactory(organizer=organizer, identifier="resellers", position=1)
    SalesChannelFactory(organizer=organizer, identifier="box", position=1)
    SalesChannelFactory(organizer=organizer, identifier="app", position=5)

    def identifiers(**params):
        return [c["identifier"] for c in api.get(URL, params).json()["results"]]

    assert identifiers() == ["web", "box", "resellers", "app"]  # default: position, identifier
    assert identifiers(ordering="identifier") == ["app", "box", "resellers", "web"]
    assert identifiers(ordering="-position") == ["app", "resellers", "box", "web"]
    assert identifiers(ordering="id") == ["web", "resellers", "box", "app"]


def test_list_query_count_does_not_grow_with_page_size(api, organizer, django_assert_max_num_queries):
    SalesChannelFactory.create_batch(30, organizer=organizer)
    with django_assert_max_num_queries(6):
        assert len(api.get(URL, {"page_size": 30}).json()["results"]) == 30


def test_create_returns_the_full_object(api, organizer):
    response = api.post(URL, NEW_CHANNEL, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"id": response.json()["id"], **NEW_CHANNEL}
    assert SalesChannel.objects.get(pk=response.json()["id"]).organizer == organizer


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"identifier": ""}, "identifier"),
        ({"identifier": "Box Office"}, "identifier"),
        ({"identifier": "web"}, "identifier"),  # exists already
        ({"label": ""}, "label"),
        ({"position": -1}, "position"),
    ],
)
def test_create_validation_errors_name_the_field(api, organizer, change, field):
    response = api.post(URL, {**NEW_CHANNEL, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert list(SalesChannel.objects.values_list("identifier", flat=True)) == ["web"]


def test_duplicate_identifier_is_a_400(api, organizer):
    SalesChannelFactory(organizer=organizer, identifier="box")
    response = api.post(URL, NEW_CHANNEL, format="json")
    assert response.status_code == 400
    assert "identifier" in response.json()


def test_same_identifier_in_another_organizer_is_fine(api, organizer):
    SalesChannelFactory(organizer=OrganizerFactory(), identifier="box")
    assert api.post(URL, NEW_CHANNEL, format="json").status_code == 201


def test_patch_and_put(api, organizer):
    channel = SalesChannelFactory(organizer=organizer, identifier="box", label="Box", position=3)
    response = api.patch(f"{URL}{channel.pk}/", {"label": "Box office"}, format="json")
    assert response.status_code == 200, response.json()
    channel.refresh_from_db()
    assert (channel.label, channel.position) == ("Box office", 3)
    response = api.put(f"{URL}{channel.pk}/", {"identifier": "box", "label": "Desk"}, format="json")
    assert response.status_code == 200, response.json()
    channel.refresh_from_db()
    assert (channel.label, channel.position) == ("Desk", 0)  # PUT resets what it does not name


def test_identifier_cannot_change(api, organizer):
    channel = SalesChannelFactory(organizer=organizer, identifier="box")
    response = api.patch(f"{URL}{channel.pk}/", {"identifier": "desk"}, format="json")
    assert response.status_code == 400
    assert "identifier" in response.json()
    channel.refresh_from_db()
    assert channel.identifier == "box"


def test_delete(api, organizer):
    channel = SalesChannelFactory(organizer=organizer)
    item = ItemFactory(event__organizer=organizer, all_sales_channels=False)
    item.limit_sales_channels.set([channel])
    assert api.delete(f"{URL}{channel.pk}/").status_code == 204
    assert not SalesChannel.objects.filter(pk=channel.pk).exists()
    assert not item.limit_sales_channels.exists()


def test_the_web_channel_cannot_be_deleted(api, organizer):
    web = organizer.sales_channels.get(identifier="web")
    response = api.delete(f"{URL}{web.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "sales_channel_required"
    assert "detail" in response.json()
    assert SalesChannel.objects.filter(pk=web.pk).exists()


def test_a_channel_of_another_organizer_is_a_404(api, organizer):
    foreign = SalesChannelFactory(organizer=OrganizerFactory(), identifier="box")
    assert api.get(f"{URL}{foreign.pk}/").status_code == 404
    assert api.patch(f"{URL}{foreign.pk}/", {"label": "Mine"}, format="json").status_code == 404
    assert api.delete(f"{URL}{foreign.pk}/").status_code == 404
    assert SalesChannel.objects.filter(pk=foreign.pk).exclude(label="Mine").exists()


def test_anonymous_is_401(anon, organizer):
    response = anon.get(URL)
    assert response.status_code == 401
    assert "detail" in response.json()
    assert anon.post(URL, NEW_CHANNEL, format="json").status_code == 401


def test_writes_need_can_change_organizer_settings(api_for, organizer):
    channel = SalesChannelFactory(organizer=organizer, identifier="box")
    client = api_for(all_events=True, can_change_event_settings=True, can_change_items=True)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{channel.pk}/").status_code == 200
    assert client.post(URL, {**NEW_CHANNEL, "identifier": "desk"}, format="json").status_code == 403
    assert client.patch(f"{URL}{channel.pk}/", {"label": "x"}, format="json").status_code == 403
    assert client.delete(f"{URL}{channel.pk}/").status_code == 403
    assert SalesChannel.objects.filter(organizer=organizer).count() == 2
    allowed = api_for(all_events=False, can_change_organizer_settings=True)
    assert allowed.patch(f"{URL}{channel.pk}/", {"label": "x"}, format="json").status_code == 200


def test_other_organizer_is_403_like_a_nonexistent_one(api, organizer):
    OrganizerFactory(slug="rival")
    for method, data in (("get", None), ("post", NEW_CHANNEL)):
        foreign = getattr(api, method)("/api/v1/organizers/rival/saleschannels/", data, format="json")
        missing = getattr(api, method)("/api/v1/organizers/nope/saleschannels/", data, format="json")
        assert foreign.status_code == missing.status_code == 403
        assert (
            foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}
        )
    assert not SalesChannel.objects.filter(identifier="box").exists()


def test_a_channel_with_orders_is_a_409(api, organizer, monkeypatch):
    channel = SalesChannelFactory(organizer=organizer, identifier="box")

    def delete_protected(self, *args, **kwargs):
        raise ProtectedError("orders point at it", set())  # what orders' PROTECT foreign keys raise

    monkeypatch.setattr(SalesChannel, "delete", delete_protected)
    response = api.delete(f"{URL}{channel.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "sales_channel_in_use"

"""The back office: every ticketing page renders, search and filters work, the shared
validation shows in forms, organizers get their ``web`` channel, tokens are shown once."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ticketing import models
from ticketing.tests.factories import (
    EventFactory,
    ItemAddOnFactory,
    ItemBundleFactory,
    ItemCategoryFactory,
    ItemFactory,
    ItemVariationFactory,
    OrganizerFactory,
    QuotaFactory,
    SalesChannelFactory,
    SubEventFactory,
    TeamFactory,
    make_token,
)

REGISTERED = sorted(
    (m for m in admin.site._registry if m._meta.app_label == "ticketing"), key=lambda m: m._meta.model_name
)
# Edited as inlines of their parent's page, not on pages of their own.
INLINE_ONLY = {
    models.ItemVariation, models.ItemAddOn, models.ItemBundle,
    models.SubEventItem, models.SubEventItemVariation, models.EventSettings,
}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:ticketing_{model._meta.model_name}_{view}", args=args)


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, int]:
    return {
        f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def form_errors(response) -> dict:
    assert response.status_code == 200, "the form should be shown again with errors"
    return response.context["adminform"].form.errors


def inline_errors(response) -> list:
    return [(fs.formset.prefix, fs.formset.errors, fs.formset.non_form_errors()) for fs in
            response.context["inline_admin_formsets"]]


@pytest.fixture
def catalog(db):
    """One object of every model, in a series and a single-date event of one organizer."""
    organizer = OrganizerFactory(slug="acme")
    SalesChannelFactory(organizer=organizer, identifier="box")
    conf = EventFactory(organizer=organizer, slug="conf", name="Conference")
    fest = EventFactory(organizer=organizer, slug="fest", name="Festival", has_subevents=True, live=False)
    day = SubEventFactory(event=fest, name="Day 1")
    ticket = ItemFactory(event=conf, name="Regular ticket", category=ItemCategoryFactory(event=conf))
    shirt = ItemFactory(event=conf, name="T-shirt", admission=False)
    size = ItemVariationFactory(item=shirt, value="M")
    ItemAddOnFactory(base_item=ticket)
    ItemBundleFactory(base_item=ticket)
    QuotaFactory(event=conf, items=[ticket, shirt], variations=[size])
    pass_ = ItemFactory(event=fest, name="Day pass")
    QuotaFactory(event=fest, subevent=day, items=[pass_])
    models.SubEventItem.objects.create(subevent=day, item=pass_, price=Decimal("30.00"))
    team = TeamFactory(organizer=organizer, all_permissions=True, limit_events=[conf])
    make_token(team)
    return {"organizer": organizer, "conf": conf, "fest": fest, "day": day, "ticket": ticket, "shirt": shirt,
            "size": size, "team": team}


def test_every_ticketing_model_has_a_page_or_an_inline():
    assert set(REGISTERED) | INLINE_ONLY == set(models.__dict__[name] for name in models.__all__)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.model_name)
def test_changelist_add_and_change_pages_render(admin_client, catalog, model):
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 200
    obj = model.objects.first()
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200


def more_of(model, catalog) -> None:
    """Create one more row of ``model`` (with fresh related objects where they are listed)."""
    event = EventFactory(organizer=OrganizerFactory())
    makers = {
        models.Organizer: lambda: OrganizerFactory(),
        models.SalesChannel: lambda: SalesChannelFactory(organizer=OrganizerFactory()),
        models.Event: lambda: event,
        models.SubEvent: lambda: SubEventFactory(),
        models.ItemCategory: lambda: ItemCategoryFactory(event=event),
        models.Item: lambda: ItemFactory(event=event, category=ItemCategoryFactory(event=event)),
        models.Quota: lambda: QuotaFactory(event=event, items=[ItemFactory(event=event)]),
        models.Team: lambda: TeamFactory(organizer=OrganizerFactory()),
        models.TeamAPIToken: lambda: make_token(TeamFactory(organizer=OrganizerFactory())),
    }
    makers[model]()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.model_name)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, catalog, model):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url(model, "changelist")).status_code == 200
        return len(queries)

    more_of(model, catalog)
    before = count()
    for _ in range(4):
        more_of(model, catalog)
    # Filter sidebars list organizers/events, but with one query each whatever their number.
    assert count() == before


def results(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_event_search_and_filters(admin_client, catalog):
    other = EventFactory(organizer=OrganizerFactory(), slug="meetup", name="Meetup", currency="USD")
    changelist = url(models.Event, "changelist")
    assert results(admin_client.get(changelist, {"q": "fest"})) == [catalog["fest"]]
    assert results(admin_client.get(changelist, {"q": "meetup"})) == [other]
    assert set(results(admin_client.get(changelist, {"live__exact": "0"}))) == {catalog["fest"]}
    assert results(admin_client.get(changelist, {"has_subevents__exact": "1"})) == [catalog["fest"]]
    assert results(admin_client.get(changelist, {"currency": "USD"})) == [other]
    by_organizer = results(admin_client.get(changelist, {"organizer__id__exact": catalog["organizer"].pk}))
    assert set(by_organizer) == {catalog["conf"], catalog["fest"]}


def test_item_search_and_filters(admin_client, catalog):
    ItemFactory(event=catalog["conf"], name="Old ticket", active=False)
    changelist = url(models.Item, "changelist")
    assert results(admin_client.get(changelist, {"q": "shirt"})) == [catalog["shirt"]]
    assert [i.name for i in results(admin_client.get(changelist, {"active__exact": "0"}))] == ["Old ticket"]
    in_fest = results(admin_client.get(changelist, {"event__id__exact": catalog["fest"].pk}))
    assert [i.name for i in in_fest] == ["Day pass"]
    category = catalog["ticket"].category
    assert results(admin_client.get(changelist, {"category__id__exact": category.pk})) == [catalog["ticket"]]


def test_quota_with_an_item_of_another_event_is_refused(admin_client, catalog):
    foreign = ItemFactory(event=catalog["fest"], name="Day pass 2")
    response = admin_client.post(url(models.Quota, "add"), {
        "event": catalog["conf"].pk, "name": "Mixed", "size": 10, "items": [catalog["ticket"].pk, foreign.pk],
    })
    assert form_errors(response)["items"] == [f"Item {foreign.pk} belongs to another event."]
    assert not models.Quota.objects.filter(name="Mixed").exists()


def test_quota_of_a_series_needs_a_date_and_its_variations_need_their_item(admin_client, catalog):
    response = admin_client.post(url(models.Quota, "add"), {
        "event": catalog["fest"].pk, "name": "No date", "size": 10, "variations": [catalog["size"].pk],
    })
    errors = form_errors(response)
    assert errors["subevent"] == ["A quota of an event series needs a date."]
    assert "belongs to an item that is not in this quota" in errors["variations"][0]


def test_quota_change_page_offers_only_the_events_items(admin_client, catalog):
    quota = models.Quota.objects.get(event=catalog["conf"])
    form = admin_client.get(url(models.Quota, "change", quota.pk)).context["adminform"].form
    offered = set(form.fields["items"].queryset)
    assert offered == set(catalog["conf"].items.all()) and {catalog["ticket"], catalog["shirt"]} <= offered


def test_item_with_a_category_of_another_event_is_refused(admin_client, catalog):
    foreign = ItemCategoryFactory(event=catalog["fest"])
    data = {
        "event": catalog["conf"].pk, "category": foreign.pk, "name": "Late ticket", "default_price": "10.00",
        "position": 0, "active": "on", "all_sales_channels": "on",
        **management("variations"), **management("addons"), **management("bundles"),
    }
    response = admin_client.post(url(models.Item, "add"), data)
    assert form_errors(response)["category"] == ["The category belongs to another event."]


def test_item_limited_to_a_channel_of_another_organizer_is_refused(admin_client, catalog):
    foreign = SalesChannelFactory(organizer=OrganizerFactory(), identifier="resellers")
    data = {
        "event": catalog["conf"].pk, "name": "Late ticket", "default_price": "10.00", "position": 0,
        "limit_sales_channels": [foreign.pk],
        **management("variations"), **management("addons"), **management("bundles"),
    }
    errors = form_errors(admin_client.post(url(models.Item, "add"), data))
    assert errors["limit_sales_channels"] == ["Sales channel 'resellers' belongs to another organizer."]


def test_addon_and_bundle_rows_run_the_shared_validation(admin_client, catalog):
    foreign_category = ItemCategoryFactory(event=catalog["fest"], is_addon=True)
    data = {
        "event": catalog["conf"].pk, "name": "VIP", "default_price": "99.00", "position": 0, "active": "on",
        "admission": "on", "all_sales_channels": "on", **management("variations"),
        **management("addons", total=1), "addons-0-addon_category": foreign_category.pk,
        "addons-0-min_count": 3, "addons-0-max_count": 1, "addons-0-position": 0,
        **management("bundles", total=1), "bundles-0-bundled_item": catalog["shirt"].pk,
        "bundles-0-count": 1, "bundles-0-designated_price": "0.00",
    }
    response = admin_client.post(url(models.Item, "add"), data)
    assert response.status_code == 200
    errors = {prefix: forms for prefix, forms, _ in inline_errors(response)}
    assert errors["addons"] == [{
        "addon_category": ["The add-on category belongs to another event."],
        "max_count": ["The maximum count must not be below the minimum count."],
    }]
    assert errors["bundles"] == [{"bundled_variation": ["The bundled item has variations: choose one."]}]
    assert not models.Item.objects.filter(name="VIP").exists()


def test_the_page_of_a_single_date_event_has_no_dates(admin_client, catalog):
    event = catalog["conf"]
    data = {
        "name": event.name, "currency": "EUR", "live": "on", "timezone": "UTC",
        "date_from_0": "2030-01-01", "date_from_1": "10:00:00",
        **management("subevents", total=1), "subevents-0-name": "Extra day",
        "subevents-0-date_from_0": "2030-01-02", "subevents-0-date_from_1": "10:00:00",
        **management("quotas", total=0, initial=event.quotas.count()), **management("settings"),
    }
    for i, quota in enumerate(event.quotas.all()):
        data |= {f"quotas-{i}-id": quota.pk, f"quotas-{i}-name": quota.name, f"quotas-{i}-size": quota.size}
    # The page of a single-date event has no dates inline: posting one anyway is ignored.
    response = admin_client.post(url(models.Event, "change", event.pk), data)
    assert response.status_code == 302
    assert not models.SubEvent.objects.filter(event=event).exists()


def test_a_new_single_date_event_with_dates_shows_the_validation_message(admin_client, catalog):
    data = {
        "organizer": catalog["organizer"].pk, "slug": "gala", "name": "Gala", "currency": "EUR",
        "timezone": "UTC", "date_from_0": "2030-01-01", "date_from_1": "10:00:00",
        **management("subevents", total=1), "subevents-0-name": "Extra day",
        "subevents-0-date_from_0": "2030-01-02", "subevents-0-date_from_1": "10:00:00",
        **management("quotas"), **management("settings"),
    }
    response = admin_client.post(url(models.Event, "add"), data)
    assert response.status_code == 200
    assert "Dates can only be added to an event series (has_subevents)." in str(inline_errors(response))
    assert not models.Event.objects.filter(slug="gala").exists()


def test_event_form_runs_the_event_validation(admin_client, catalog):
    data = {
        "organizer": catalog["organizer"].pk, "slug": "gala", "name": "Gala", "currency": "XXY",
        "timezone": "Mars/Olympus", "date_from_0": "2030-01-02", "date_from_1": "10:00:00",
        "date_to_0": "2030-01-01", "date_to_1": "10:00:00", **management("subevents"), **management("quotas"),
        **management("settings"),
    }
    errors = form_errors(admin_client.post(url(models.Event, "add"), data))
    assert set(errors) == {"currency", "timezone", "date_to"}


def test_price_override_for_an_item_of_another_event_is_refused(admin_client, catalog):
    data = {
        "event": catalog["fest"].pk, "name": "Day 2", "date_from_0": "2030-01-01", "date_from_1": "10:00:00",
        **management("item_overrides", total=1), "item_overrides-0-item": catalog["ticket"].pk,
        "item_overrides-0-price": "5.00", **management("variation_overrides"),
    }
    response = admin_client.post(url(models.SubEvent, "add"), data)
    assert response.status_code == 200
    assert f"Item {catalog['ticket'].pk} does not belong to this event." in str(inline_errors(response))
    assert not models.SubEvent.objects.filter(name="Day 2").exists()


def test_date_change_page_offers_only_the_series_items(admin_client, catalog):
    day = catalog["day"]
    response = admin_client.get(url(models.SubEvent, "change", day.pk))
    formset = next(fs.formset for fs in response.context["inline_admin_formsets"]
                   if fs.formset.prefix == "item_overrides")
    assert set(formset.form.base_fields["item"].queryset) == set(catalog["fest"].items.all())


def test_creating_an_organizer_adds_its_web_channel(admin_client):
    data = {
        "slug": "newco", "name": "NewCo", **management("teams"),
        **management("sales_channels", total=2), "sales_channels-0-identifier": "box",
        "sales_channels-0-label": "Box office", "sales_channels-0-position": 1,
        "sales_channels-1-identifier": "web", "sales_channels-1-label": "Shop",
        "sales_channels-1-position": 0,
    }
    response = admin_client.post(url(models.Organizer, "add"), data)
    assert response.status_code == 302, form_errors(response)
    organizer = models.Organizer.objects.get(slug="newco")
    assert set(organizer.sales_channels.values_list("identifier", flat=True)) == {"web", "box"}

    bare = {"slug": "bare", "name": "Bare", **management("teams"), **management("sales_channels")}
    assert admin_client.post(url(models.Organizer, "add"), bare).status_code == 302
    web = models.Organizer.objects.get(slug="bare").sales_channels.get()
    assert (web.identifier, web.label) == ("web", "Online shop")


def test_the_web_channel_cannot_be_deleted(admin_client, catalog):
    web = catalog["organizer"].sales_channels.get(identifier="web")
    assert admin_client.get(url(models.SalesChannel, "delete", web.pk)).status_code == 403
    box = catalog["organizer"].sales_channels.get(identifier="box")
    bulk = {"action": "delete_selected", "_selected_action": [web.pk, box.pk], "post": "yes"}
    assert admin_client.post(url(models.SalesChannel, "changelist"), bulk).status_code == 403
    bulk["_selected_action"] = [box.pk]
    assert admin_client.post(url(models.SalesChannel, "changelist"), bulk).status_code == 302
    assert list(catalog["organizer"].sales_channels.values_list("identifier", flat=True)) == ["web"]


def test_team_limited_to_an_event_of_another_organizer_is_refused(admin_client, catalog):
    foreign = EventFactory(organizer=OrganizerFactory(), slug="elsewhere")
    response = admin_client.post(url(models.Team, "add"), {
        "organizer": catalog["organizer"].pk, "name": "Door staff", "limit_events": [foreign.pk],
        **management("tokens"),
    })
    assert form_errors(response)["limit_events"] == ["Events of another organizer: elsewhere."]


TOKEN_MESSAGE = re.compile(r"API token for .*?: (\S+) — copy it now")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_adding_a_token_shows_it_once_and_it_works(admin_client, catalog):
    response = admin_client.post(
        url(models.TeamAPIToken, "add"), {"team": catalog["team"].pk, "name": "scanner"}, follow=True
    )
    shown = [m.group(1) for m in map(TOKEN_MESSAGE.search, messages_of(response)) if m]
    assert len(shown) == 1
    raw = shown[0]
    token = models.TeamAPIToken.objects.get(name="scanner")
    assert token.prefix == raw[:8] and raw not in token.digest

    again = admin_client.get(url(models.TeamAPIToken, "change", token.pk))
    assert raw not in again.content.decode()
    assert not [m for m in messages_of(again) if TOKEN_MESSAGE.search(m)]

    api = admin_client.__class__(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get("/api/v1/organizers/acme/events/").status_code == 200


def test_team_action_creates_a_token_per_team(admin_client, catalog):
    other = TeamFactory(organizer=catalog["organizer"], name="Box office")
    response = admin_client.post(url(models.Team, "changelist"), {
        "action": "create_api_token", "_selected_action": [catalog["team"].pk, other.pk],
    }, follow=True)
    assert len([m for m in messages_of(response) if TOKEN_MESSAGE.search(m)]) == 2
    assert other.tokens.count() == 1

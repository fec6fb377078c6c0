"""The back office applies the teams' rights and event limits, as the API does (issue 23, point 4).

One organizer, Acme, with two events: "mine" (the clerk's team is limited to it) and "theirs". Every object
of "theirs", every organizer-wide code and the gift card has "THEIRS" or "GIFT" in its name or code.
The clerk's team may only view orders and vouchers, on "mine"; the clerk has every Django model permission
(which a superuser grants with staff status), so only the team's rights limit them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from audit.masking import masked_code, reveals_gift_cards, shown_entry
from audit.models import AuditEntry
from discounts.models import Discount
from discounts.tests.factories import DiscountFactory
from jobs.tests.factories import JobFactory
from orders.models import Cart, Order, OrderPayment, OrderStatus, Redemption
from orders.tests.factories import CartFactory, OrderFactory, OrderPositionFactory
from ticketing.admin.scoping import RELATED_PATHS, OrganizerScoping
from ticketing.models import Event, Item, Quota, Team, TeamAPIToken
from ticketing.selectors import organizer_access
from ticketing.tests.factories import (
    EventFactory,
    ItemCategoryFactory,
    ItemFactory,
    OrganizerFactory,
    QuotaFactory,
    SubEventFactory,
    TeamFactory,
    UserFactory,
)
from vouchers.models import (
    Coupon,
    CouponSeries,
    EventDiscountCode,
    GiftCard,
    PromoCode,
    SeriesKind,
    Voucher,
)
from vouchers.tests.factories import (
    CouponFactory,
    CouponSeriesFactory,
    GiftCardFactory,
    PromoCodeFactory,
    VoucherFactory,
)

pytestmark = pytest.mark.django_db

APPS = ("ticketing", "discounts", "vouchers", "orders", "jobs", "audit")
GIFT_CODE = "GIFT-SECRET-7XQ2"


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def staff(username: str):
    user = UserFactory(username=username, is_staff=True, password=None)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=APPS))
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def acme(db) -> dict:
    org = OrganizerFactory(slug="acme", name="Acme")
    mine = EventFactory(organizer=org, slug="mine", name="Mine conference")
    theirs = EventFactory(organizer=org, slug="theirs", name="THEIRS festival")
    objects = {"org": org, "mine": mine, "theirs": theirs}
    for event, word in ((mine, "MINE"), (theirs, "THEIRS")):
        ticket = ItemFactory(event=event, name=f"{word} ticket")
        QuotaFactory(event=event, name=f"{word} quota", items=[ticket])
        DiscountFactory(event=event, internal_name=f"{word} rule")
        voucher = VoucherFactory(event=event, code=f"{word}-VOUCHER")
        order = OrderFactory(event=event, code=f"{word}1", email=f"{word.lower()}@example.com")
        OrderPositionFactory(order=order, item=ticket)
        Redemption.objects.create(order=order, kind="voucher", code=voucher.code, voucher=voucher)
        CartFactory(event=event)
        series = CouponSeriesFactory(
            organizer=org, name=f"{word} series", allow_all_events=False, allowed_events=[event]
        )
        CouponFactory(series=series, code=f"{word}-COUPON")
        promo = PromoCodeFactory(
            series__organizer=org, series__allow_all_events=False, series__allowed_events=[event],
            code=f"{word}-PROMO",
        )  # fmt: skip
        EventDiscountCode.objects.create(event=event, coupon=promo)
        objects[f"{word.lower()}_order"] = order
        objects[f"{word.lower()}_voucher"] = voucher
    ItemCategoryFactory(event=mine, name="MINE category")
    fest = EventFactory(organizer=org, slug="theirs-fest", name="THEIRS series of dates", has_subevents=True)
    SubEventFactory(event=fest, name="THEIRS day")
    solo = CouponSeriesFactory(organizer=org, kind=SeriesKind.STANDALONE, name="THEIRS stand-alone")
    CouponFactory(series=solo, code="THEIRS-SOLO")
    JobFactory(organizer=org, params={"series": solo.pk, "count": 1})
    wide = CouponSeriesFactory(organizer=org, name="THEIRS organizer-wide series")
    CouponFactory(series=wide, code="THEIRS-WIDE-COUPON")
    card = GiftCardFactory(organizer=org, code=GIFT_CODE, note="GIFT card")
    OrderPayment.objects.create(
        order=objects["mine_order"], local_id=1, state="confirmed", provider="giftcard", gift_card=card,
        gift_card_code=card.code, amount=Decimal("5"),
    )
    objects["card"] = card
    return objects


@pytest.fixture
def clerk_user(acme):
    """View rights on orders and vouchers, limited to "mine"."""
    user = staff("clerk")
    TeamFactory(
        organizer=acme["org"], name="Clerks", all_events=False, limit_events=[acme["mine"]],
        can_view_orders=True, can_view_vouchers=True, members=[user],
    )  # fmt: skip
    return user


@pytest.fixture
def clerk(clerk_user) -> Client:
    return logged_in(clerk_user)


@pytest.fixture
def root(db) -> Client:
    from django.contrib.auth import get_user_model

    return logged_in(get_user_model().objects.create_superuser("root", "root@example.com", None))


def listed(client, model) -> set[str]:
    response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return {str(obj) for obj in response.context["cl"].queryset}


# ------------------------------------------------------------------------------------------------ lists


LISTS = [
    (Event, {"Mine conference"}),
    (Item, {"MINE ticket"}),
    (Quota, {"MINE quota"}),
    (Discount, {"MINE rule"}),
    (Voucher, {"MINE-VOUCHER"}),
    (Order, {"MINE1"}),
    (CouponSeries, {"MINE series"}),
    (Coupon, {"MINE-COUPON"}),
    (PromoCode, {"MINE-PROMO"}),
]


@pytest.mark.parametrize(("model", "expected"), LISTS, ids=[m.__name__ for m, _ in LISTS])
def test_a_clerk_limited_to_one_event_lists_that_events_rows_only(acme, clerk, root, model, expected):
    assert listed(clerk, model) == expected
    assert listed(root, model) > expected  # the other event's (and organizer-wide) rows exist
    assert "THEIRS" not in clerk.get(url(model, "changelist")).content.decode()


def test_the_clerk_lists_their_events_redemptions_and_discount_codes_only(acme, clerk):
    response = clerk.get(url(Redemption, "changelist"))
    assert {r.code for r in response.context["cl"].queryset} == {"MINE-VOUCHER"}
    response = clerk.get(url(EventDiscountCode, "changelist"))
    assert {d.event.slug for d in response.context["cl"].queryset} == {"mine"}


@pytest.mark.parametrize("model", [GiftCard, Cart, Team, TeamAPIToken], ids=lambda m: m.__name__)
def test_what_no_team_of_the_clerk_gives_is_not_there_at_all(acme, clerk, model):
    # Gift cards need a team with all events; carts can_change_orders; teams the organizer settings.
    assert clerk.get(url(model, "changelist")).status_code == 403
    index = clerk.get(reverse("admin:index"))
    shown = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert model.__name__ not in shown
    assert {"Order", "Voucher", "AuditEntry"} <= shown


# ------------------------------------------------------------------------------------------ audit log


def test_the_audit_log_shows_the_clerk_what_logs_shows_them(acme, clerk, root):
    everything = root.get(url(AuditEntry, "changelist") + "?all=").context["cl"].queryset
    assert everything.filter(object_type="gift_card").exists()
    admin_ids = set(
        clerk.get(url(AuditEntry, "changelist")).context["cl"].queryset.values_list("pk", flat=True)
    )
    api = clerk.get("/api/v1/organizers/acme/logs/", {"page_size": 1000}).json()
    assert admin_ids == {entry["id"] for entry in api["results"]}
    assert 0 < len(admin_ids) < everything.count()
    shown = AuditEntry.objects.filter(pk__in=admin_ids)
    assert set(shown.values_list("object_type", flat=True)) == {
        "event", "item", "quota", "discount", "voucher", "order", "coupon_series", "coupon",
        "event_discount_code",
    }  # fmt: skip
    assert not shown.exclude(event=acme["mine"]).exclude(
        object_type__in=("coupon_series", "coupon", "promo_code")
    )


def test_no_gift_card_code_reaches_the_clerk_in_the_audit_log(acme, clerk):
    entry = AuditEntry.objects.get(object_type="gift_card", object_repr=GIFT_CODE)
    page = clerk.get(url(AuditEntry, "changelist"), {"all": ""}).content.decode()
    assert GIFT_CODE not in page
    assert "THEIRS" not in page
    response = clerk.get(url(AuditEntry, "change", entry.pk))
    assert (response.status_code, response.url) == (302, reverse("admin:index"))  # like a missing one
    found = clerk.get(url(AuditEntry, "changelist"), {"q": GIFT_CODE}).context["cl"].queryset
    assert not found.exists()


def test_gift_card_codes_are_masked_for_a_reader_without_the_gift_cards_right(acme, clerk_user):
    entry = AuditEntry.objects.get(object_type="gift_card", object_repr=GIFT_CODE)
    assert entry.changes["code"] == [None, GIFT_CODE]
    masked = shown_entry(entry, reveals_codes=False)
    assert (masked.object_repr, masked.changes["code"]) == ("••••7XQ2", [None, "••••7XQ2"])
    assert entry.changes["code"] == [None, GIFT_CODE]  # the entry itself is untouched
    whole = shown_entry(entry, reveals_codes=True)
    assert (whole.object_repr, whole.changes["code"]) == (GIFT_CODE, [None, GIFT_CODE])
    assert (masked_code("SHORT123"), masked_code(None)) == ("••••", None)
    # Who may read them: a team with all events and can_view_vouchers; the limited clerk may not.
    assert not reveals_gift_cards(organizer_access(clerk_user, "acme"))
    boss = UserFactory(username="boss")
    TeamFactory(organizer=acme["org"], can_view_vouchers=True, members=[boss])
    assert reveals_gift_cards(organizer_access(boss, "acme"))
    wide_no_vouchers = UserFactory(username="wide")
    TeamFactory(organizer=acme["org"], all_permissions=False, members=[wide_no_vouchers])
    TeamFactory(organizer=acme["org"], all_events=False, limit_events=[acme["mine"]], can_view_vouchers=True,
                members=[wide_no_vouchers])  # fmt: skip
    assert not reveals_gift_cards(organizer_access(wide_no_vouchers, "acme"))  # rights count team by team


def test_the_audit_admin_masks_codes_by_the_readers_right_in_each_organizer(acme, clerk_user):
    other = OrganizerFactory(slug="other")
    TeamFactory(organizer=other, can_view_vouchers=True, members=[clerk_user])  # all events in Other
    GiftCardFactory(organizer=other, code="OTHER-GIFT-CODE-1")
    model_admin = admin.site._registry[AuditEntry]
    request = logged_in(clerk_user).get(url(AuditEntry, "changelist")).wsgi_request
    rows = model_admin.get_queryset(request)
    assert {(e.organizer_id, e.reveals_codes) for e in rows} == {(acme["org"].pk, False), (other.pk, True)}
    other_card = rows.get(object_type="gift_card")
    assert model_admin.shown_object(other_card) == "OTHER-GIFT-CODE-1"
    # Acme's gift card entry, were it shown to them, would be masked on the list and on its page.
    entry = AuditEntry.objects.get(object_type="gift_card", object_repr=GIFT_CODE)
    entry.reveals_codes = False
    assert model_admin.shown_object(entry) == "••••7XQ2"
    assert GIFT_CODE not in model_admin.changes_shown(entry) and "••••7XQ2" in model_admin.changes_shown(
        entry
    )


def test_a_gift_cards_history_shows_its_code_to_who_may_read_gift_cards(acme, root):
    page = root.get(url(GiftCard, "history", acme["card"].pk)).content.decode()
    assert f"<code>code</code>: — → {GIFT_CODE}" in page


# ------------------------------------------------------------------------------------- single objects


@pytest.mark.parametrize("name", ["theirs_order", "theirs_voucher"])
def test_another_events_object_answers_like_a_missing_one(acme, clerk, name):
    obj = acme[name]
    model = type(obj)
    for view in ("change", "history"):
        response = clerk.get(url(model, view, obj.pk))
        missing = clerk.get(url(model, view, 999_999))
        assert (response.status_code, response.url) == (302, reverse("admin:index")), view
        assert (missing.status_code, missing.url) == (302, reverse("admin:index")), view


@pytest.mark.parametrize("name", ["mine_order", "mine_voucher"])
def test_view_rights_give_a_read_only_page(acme, clerk, name):
    obj = acme[name]
    model = type(obj)
    response = clerk.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert clerk.post(url(model, "change", obj.pk), {}).status_code == 403
    assert clerk.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert clerk.get(url(model, "add")).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_view_rights_offer_no_action_and_refuse_one_posted(acme, clerk):
    order = acme["mine_order"]
    response = clerk.get(url(Order, "changelist"))
    assert response.context["action_form"] is None or not [
        choice for choice, _ in response.context["action_form"].fields["action"].choices if choice
    ]
    for action in ("mark_paid", "mark_canceled"):
        clerk.post(
            url(Order, "changelist"), {"action": action, ACTION_CHECKBOX_NAME: [order.pk], "post": "yes"}
        )
        assert clerk.get(reverse(f"admin:orders_order_{action}", args=[order.pk])).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    voucher = acme["mine_voucher"]
    clerk.post(url(Voucher, "changelist"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [voucher.pk],
                                            "post": "yes"})  # fmt: skip
    assert Voucher.objects.filter(pk=voucher.pk).exists()


# --------------------------------------------------------------------------------------- mixed rights


@pytest.fixture
def voucher_clerk(acme) -> Client:
    """Changes vouchers of "mine" (one team) and only views those of "theirs" (another)."""
    user = staff("voucher-clerk")
    TeamFactory(organizer=acme["org"], name="Mine codes", all_events=False, limit_events=[acme["mine"]],
                can_view_vouchers=True, can_change_vouchers=True, members=[user])  # fmt: skip
    TeamFactory(organizer=acme["org"], name="Their codes", all_events=False, limit_events=[acme["theirs"]],
                can_view_vouchers=True, members=[user])  # fmt: skip
    return logged_in(user)


def test_form_choices_offer_the_events_the_user_may_change_codes_of(acme, voucher_clerk):
    form = voucher_clerk.get(url(Voucher, "add")).context["adminform"].form
    assert {event.slug for event in form.fields["event"].queryset} == {"mine"}
    data = {"code": "NEW-ONE", "max_usages": 1, "min_usages": 1, "price_mode": "none"}
    response = voucher_clerk.post(url(Voucher, "add"), {**data, "event": acme["theirs"].pk})
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["event"])
    assert not Voucher.objects.filter(code="NEW-ONE").exists()
    assert voucher_clerk.post(url(Voucher, "add"), {**data, "event": acme["mine"].pk}).status_code == 302
    assert Voucher.objects.get(code="NEW-ONE").event == acme["mine"]
    series_form = voucher_clerk.get(url(CouponSeries, "add")).context["adminform"].form
    assert {event.slug for event in series_form.fields["allowed_events"].queryset} == {"mine"}


def test_the_other_events_voucher_is_read_only_and_the_own_one_changes(acme, voucher_clerk):
    theirs, mine = acme["theirs_voucher"], acme["mine_voucher"]
    assert voucher_clerk.get(url(Voucher, "change", theirs.pk)).context["has_change_permission"] is False
    assert voucher_clerk.get(url(Voucher, "change", mine.pk)).context["has_change_permission"] is True
    data = {"event": mine.event_id, "code": mine.code, "max_usages": 5, "min_usages": 1, "price_mode": "none"}
    assert voucher_clerk.post(url(Voucher, "change", mine.pk), data).status_code == 302
    assert (
        voucher_clerk.post(url(Voucher, "change", theirs.pk), {**data, "event": theirs.event_id}).status_code
        == 403
    )
    assert (Voucher.objects.get(pk=mine.pk).max_usages, Voucher.objects.get(pk=theirs.pk).max_usages) == (
        5,
        1,
    )


def test_actions_change_only_the_rows_the_user_may_change(acme, voucher_clerk):
    coupons = Coupon.objects.filter(code__in=["MINE-COUPON", "THEIRS-COUPON"])
    assert coupons.count() == 2 and all(coupon.active for coupon in coupons)
    data = {"action": "deactivate", ACTION_CHECKBOX_NAME: [c.pk for c in coupons]}
    voucher_clerk.post(url(Coupon, "changelist"), data)
    assert dict(Coupon.objects.filter(pk__in=coupons).values_list("code", "active")) == {
        "MINE-COUPON": False, "THEIRS-COUPON": True,
    }  # fmt: skip


def test_a_limited_team_cannot_make_a_series_reach_all_events(acme, voucher_clerk):
    data = {"organizer": acme["org"].pk, "name": "Everywhere", "active": "on", "discount_type": "percent",
            "discount_value": "10", "allow_all_items": "on", "tags": "[]"}  # fmt: skip
    response = voucher_clerk.post(url(CouponSeries, "add"), {**data, "allow_all_events": "on"})
    assert response.status_code == 200
    assert "may not use all events in a code" in str(response.context["adminform"].form.non_field_errors())
    response = voucher_clerk.post(url(CouponSeries, "add"), {**data, "allowed_events": [acme["mine"].pk]})
    assert response.status_code == 302
    assert list(CouponSeries.objects.get(name="Everywhere").allowed_events.all()) == [acme["mine"]]


# ------------------------------------------------------------------------------------------------ teams


def team_data(team: Team, **changes) -> dict:
    data = {"organizer": team.organizer_id, "name": team.name, "members": [m.pk for m in team.members.all()],
            "limit_events": [e.pk for e in team.limit_events.all()], "all_events": team.all_events or "",
            "tokens-TOTAL_FORMS": 0, "tokens-INITIAL_FORMS": 0, "tokens-MIN_NUM_FORMS": 0,
            "tokens-MAX_NUM_FORMS": 0}  # fmt: skip
    data.update({p: "on" for p in team.permission_set()})
    for name, value in changes.items():
        if value is True:
            data[name] = "on"
        elif value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return {k: v for k, v in data.items() if v != ""}


def test_without_the_organizer_settings_right_a_clerk_cannot_touch_teams(acme, clerk, clerk_user):
    team = Team.objects.get(name="Clerks")
    assert clerk.get(url(Team, "change", team.pk)).status_code == 403
    clerk.post(url(Team, "change", team.pk), team_data(team, can_change_organizer_settings=True))
    team.refresh_from_db()
    assert not team.can_change_organizer_settings
    assert clerk.get(url(Team, "add")).status_code == 403


@pytest.fixture
def manager(acme):
    """Manages teams (organizer settings, all events) but may not read orders."""
    user = staff("manager")
    team = TeamFactory(organizer=acme["org"], name="Managers", can_change_organizer_settings=True,
                       can_view_vouchers=True, members=[user])  # fmt: skip
    return user, team


def test_nobody_raises_the_rights_of_their_own_team(acme, manager):
    user, team = manager
    client = logged_in(user)
    response = client.post(url(Team, "change", team.pk), team_data(team, can_view_orders=True))
    assert response.status_code == 200
    assert "more than you hold yourself: can_view_orders" in str(response.context["adminform"].form.errors)
    team.refresh_from_db()
    assert not team.can_view_orders
    # What they hold they may keep or drop.
    assert client.post(url(Team, "change", team.pk), team_data(team, name="Managers 2")).status_code == 302


def test_nobody_joins_a_team_that_gives_more_than_they_hold(acme, manager):
    user, _ = manager
    cashiers = TeamFactory(
        organizer=acme["org"], name="Cashiers", can_view_orders=True, can_change_orders=True
    )
    client = logged_in(user)
    response = client.post(url(Team, "change", cashiers.pk), team_data(cashiers, members=[user.pk]))
    assert response.status_code == 200
    assert "can_view_orders, can_change_orders" in str(response.context["adminform"].form.errors)
    assert not cashiers.members.exists()
    data = team_data(cashiers, name="New cashiers", members=[user.pk])
    response = client.post(url(Team, "add"), data)
    assert response.status_code == 200 and not Team.objects.filter(name="New cashiers").exists()
    # Managing a team they are not in, with rights they do not hold, is their job.
    assert client.post(url(Team, "change", cashiers.pk), team_data(cashiers, name="Till")).status_code == 302


def test_nobody_raises_their_rights_on_the_organizers_page(acme, manager):
    user, team = manager
    org = acme["org"]
    data = {"name": org.name, "sales_channels-TOTAL_FORMS": 1, "sales_channels-INITIAL_FORMS": 1,
            "sales_channels-MIN_NUM_FORMS": 0, "sales_channels-MAX_NUM_FORMS": 1000,
            "sales_channels-0-id": org.sales_channels.get().pk, "sales_channels-0-organizer": org.pk,
            "sales_channels-0-identifier": "web", "sales_channels-0-label": "Web shop",
            "sales_channels-0-position": 0}  # fmt: skip
    teams = list(Team.objects.filter(organizer=org).order_by("pk"))
    data.update({"teams-TOTAL_FORMS": len(teams), "teams-INITIAL_FORMS": len(teams), "teams-MIN_NUM_FORMS": 0,
                 "teams-MAX_NUM_FORMS": 1000})  # fmt: skip
    for i, row in enumerate(teams):
        data.update({f"teams-{i}-id": row.pk, f"teams-{i}-organizer": org.pk, f"teams-{i}-name": row.name})
        data.update({f"teams-{i}-{p}": "on" for p in row.permission_set()})
        if row.all_events:
            data[f"teams-{i}-all_events"] = "on"
    own = teams.index(team)
    response = logged_in(user).post(
        url(type(org), "change", org.pk), {**data, f"teams-{own}-can_change_orders": "on"}
    )
    assert response.status_code == 200
    team.refresh_from_db()
    assert not team.can_change_orders


def test_no_token_for_a_team_that_gives_more_than_the_user_holds(acme, manager):
    user, own = manager
    cashiers = TeamFactory(organizer=acme["org"], name="Cashiers", can_view_orders=True)
    client = logged_in(user)
    response = client.post(url(TeamAPIToken, "add"), {"team": cashiers.pk, "name": "till"})
    assert response.status_code == 200
    assert "it would give more than you hold yourself: can_view_orders" in str(
        response.context["adminform"].form.errors["team"]
    )
    client.post(url(Team, "changelist"), {"action": "create_api_token", ACTION_CHECKBOX_NAME: [cashiers.pk]})
    assert not TeamAPIToken.objects.filter(team=cashiers).exists()
    assert client.post(url(TeamAPIToken, "add"), {"team": own.pk, "name": "mine"}).status_code == 302


# ----------------------------------------------------------------------------------------- declarations


def scoped_admins() -> list[tuple[str, OrganizerScoping]]:
    found = []
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, OrganizerScoping):
            found.append((type(model_admin).__name__, model_admin))
            found += [(inline.__name__, inline(model, admin.site)) for inline in model_admin.inlines]
    return found


@pytest.mark.parametrize(("where", "scoping"), scoped_admins(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_scoped_admin_names_its_rights_and_its_event_path_leads_to_an_event(where, scoping):
    assert scoping.get_rights() is not None
    if scoping.event_path == "pk":
        assert scoping.model is Event, where
    elif scoping.event_path is not None:
        assert get_fields_from_path(scoping.model, scoping.event_path)[-1].related_model is Event, where


@pytest.mark.parametrize("label", sorted(RELATED_PATHS))
def test_related_paths_lead_to_an_event(label):
    from django.apps import apps

    paths = RELATED_PATHS[label]
    if paths.event_path is not None:
        assert get_fields_from_path(apps.get_model(label), paths.event_path)[-1].related_model is Event


# ------------------------------------------------------------------------------------ read-only pages

VIEWED = [model for model in admin.site._registry if model._meta.app_label in APPS]


@pytest.mark.parametrize("model", VIEWED, ids=lambda m: m._meta.label)
def test_every_page_a_viewer_may_read_renders_read_only(acme, root, model):
    """A team with all events and only the view rights reads every page it reaches, without a form."""
    viewer = staff("viewer")
    TeamFactory(organizer=acme["org"], can_view_orders=True, can_view_vouchers=True, members=[viewer])
    client = logged_in(viewer)
    rows = root.get(url(model, "changelist")).context["cl"].queryset
    if client.get(url(model, "changelist")).status_code == 403:
        assert model in (Cart, Team, TeamAPIToken), "only what needs a right they lack is refused"
        return
    assert rows.exists(), model
    response = client.get(url(model, "change", rows.first().pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()


def test_the_job_list_follows_the_jobs_api(acme, clerk, root):
    from jobs.models import Job

    # The organizer-wide stand-alone series' job is out of the limited clerk's reach, in jobs/ as here.
    assert listed(root, Job) and listed(clerk, Job) == set()
    assert clerk.get("/api/v1/organizers/acme/jobs/").json()["count"] == 0

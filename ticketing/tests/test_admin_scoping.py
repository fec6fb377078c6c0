"""The back office shows a staff member the organizers of their teams only; superusers see everything.

Two worlds are built: "alpha" (the staff member's organizers: Alpha Org and Amber Org) and "bravo"
(another organizer). Which rows belong to which world is taken from the database after building
each world, not from the admin's lookup paths, so a wrong path or a model admin registered without
scoping shows up here. Every name and code of the bravo world contains "bravo". The staff member's teams
give every right here; what the rights themselves and the events of a team limit is in
test_admin_rights.py.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.forms import ModelChoiceField
from django.test import Client, RequestFactory
from django.urls import reverse

from discounts.models import Discount
from discounts.tests.factories import DiscountFactory
from orders.models import Cart, GiftCardIssue, Order, OrderPayment, Redemption
from orders.tests.factories import CartFactory, CartPositionFactory, OrderFactory, OrderPositionFactory
from ticketing.admin.scoping import RELATED_PATHS
from ticketing.models import (
    Event,
    Item,
    ItemCategory,
    Organizer,
    Quota,
    SalesChannel,
    SubEvent,
    SubEventItem,
    SubEventItemVariation,
    Team,
    TeamAPIToken,
)
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
    UserFactory,
    make_token,
)
from vouchers.models import (
    Coupon,
    CouponEventUsage,
    CouponSeries,
    EventDiscountCode,
    GiftCard,
    PromoCode,
    SeriesKind,
    StandaloneCoupon,
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

PROJECT_APPS = ("ticketing", "discounts", "vouchers", "orders")
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS),
    key=lambda model: model._meta.label,
)
User = get_user_model()


def label(model) -> str:
    return model._meta.label


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def tracked_models() -> list:
    """Every table whose rows the worlds own: the project apps' (with many-to-many tables) and users."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in PROJECT_APPS]
    return [*models, User]


def all_pks() -> dict[type, set]:
    return {model: set(model._base_manager.values_list("pk", flat=True)) for model in tracked_models()}


def database_state() -> dict[str, list[dict[str, Any]]]:
    return {label(m): list(m._base_manager.order_by("pk").values()) for m in tracked_models()}


def build(name: str, member, org_id: int) -> dict[str, Any]:
    """One organizer with one object (at least) of every model, every name containing ``name``.

    Organizer ids are far from other ids, so a lookup path that compares, say, event ids with
    organizer ids cannot pass by chance.
    """
    code = name.upper()
    org = OrganizerFactory(id=org_id, slug=f"{name}-org", name=f"{name.title()} Org")
    box = SalesChannelFactory(organizer=org, identifier=f"{name}-box", label=f"{name} box office")
    conf = EventFactory(organizer=org, slug=f"{name}-conf", name=f"{name} conference")
    fest = EventFactory(organizer=org, slug=f"{name}-fest", name=f"{name} festival", has_subevents=True)
    day = SubEventFactory(event=fest, name=f"{name} day")
    category = ItemCategoryFactory(event=conf, name=f"{name} category")
    ticket = ItemFactory(event=conf, name=f"{name} ticket", category=category)
    shirt = ItemFactory(event=conf, name=f"{name} shirt", admission=False)
    size = ItemVariationFactory(item=shirt, value=f"{name} size")
    ItemAddOnFactory(base_item=ticket, addon_category__name=f"{name} extras")
    ItemBundleFactory(base_item=ticket, bundled_item__name=f"{name} bundled")
    QuotaFactory(event=conf, name=f"{name} quota", items=[ticket, shirt], variations=[size])
    day_pass = ItemFactory(event=fest, name=f"{name} pass")
    pass_size = ItemVariationFactory(item=day_pass, value=f"{name} pass size")
    QuotaFactory(event=fest, subevent=day, name=f"{name} day quota", items=[day_pass], variations=[pass_size])
    SubEventItem.objects.create(subevent=day, item=day_pass, price=Decimal("30.00"))
    SubEventItemVariation.objects.create(subevent=day, variation=pass_size, price=Decimal("31.00"))
    team = TeamFactory(organizer=org, name=f"{name} team", all_permissions=True, members=[member])
    make_token(team, name=f"{name} token")
    voucher = VoucherFactory(event=conf, code=f"{code}-VOUCHER", tag=f"{name}-tag", item=ticket)
    series = CouponSeriesFactory(organizer=org, name=f"{name} series")
    coupon = CouponFactory(series=series, code=f"{code}-COUPON")
    promo = PromoCodeFactory(series__organizer=org, series__name=f"{name} promo", code=f"{code}-PROMO")
    solo = CouponSeriesFactory(organizer=org, kind=SeriesKind.STANDALONE, name=f"{name} stand-alone")
    CouponFactory(series=solo, code=f"{code}-SOLO")
    EventDiscountCode.objects.create(event=conf, coupon=promo)
    rule = DiscountFactory(
        event=conf,
        internal_name=f"{name} rule",
        condition_limit_products=[ticket],
        limit_sales_channels=[box],
    )
    order = OrderFactory(event=conf, email=f"{name}@example.com", name=f"{name} buyer")
    position = OrderPositionFactory(
        order=order, item=ticket, voucher=voucher, coupon=coupon, discount_rule=rule
    )
    card = GiftCardFactory(organizer=org, code=f"{code}-GIFT", note=f"{name} card", allowed_events=[conf])
    OrderPayment.objects.create(
        order=order, local_id=1, state="confirmed", provider="giftcard", gift_card=card,
        gift_card_code=card.code,
        amount=Decimal("5.00"),
    )
    bought = GiftCardFactory(organizer=org, code=f"{code}-BOUGHT", value=Decimal("23.00"))
    GiftCardIssue.objects.create(order=order, position=position, gift_card=bought, value=Decimal("23.00"))
    Redemption.objects.create(order=order, kind="voucher", code=voucher.code, voucher=voucher)
    CouponEventUsage.objects.create(coupon=coupon, event=conf, orders=1, tickets=1)
    cart = CartFactory(event=conf)
    CartPositionFactory(cart=cart, item=ticket, voucher=voucher)
    return {"org": org, "box": box, "conf": conf, "fest": fest, "day": day, "ticket": ticket, "team": team,
            "series": series, "member": member}  # fmt: skip


@dataclass
class World:
    staff: Any  # staff member of Alpha Org's and Amber Org's teams
    alpha: dict[str, Any]
    bravo: dict[str, Any]
    a: dict[type, set] = field(default_factory=dict)  # pks of the alpha world per model
    b: dict[type, set] = field(default_factory=dict)  # pks of the bravo world per model

    def of_a(self, model) -> set:
        return self.a[model._meta.concrete_model]

    def of_b(self, model) -> set:
        return self.b[model._meta.concrete_model]


def staff_user(username: str):
    user = UserFactory(username=username, is_staff=True, password=None)  # no hashing: force_login
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PROJECT_APPS))
    return user


@pytest.fixture
def world(db) -> World:
    staff = staff_user("alpha-staff")
    alpha = build("alpha", staff, org_id=101)
    amber = OrganizerFactory(id=102, slug="amber-org", name="Amber Org")
    EventFactory(organizer=amber, slug="amber-gig", name="amber gig")
    TeamFactory(organizer=amber, name="amber team", all_permissions=True, members=[staff])
    a = all_pks()
    bravo = build("bravo", UserFactory(username="bravo-member", password=None), org_id=201)
    after = all_pks()
    b = {model: after[model] - a[model] for model in after}
    return World(staff=staff, alpha=alpha, bravo=bravo, a=a, b=b)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(world) -> Client:
    return logged_in(world.staff)


@pytest.fixture
def root(world) -> Client:
    return logged_in(User.objects.create_superuser("root", "root@example.com", None))


@pytest.fixture
def loner(world) -> Client:
    """A staff member with the same permissions but in no team."""
    return logged_in(staff_user("loner"))


def changelist(client, model):
    response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return response


def listed(client, model) -> set:
    return {obj.pk for obj in changelist(client, model).context["cl"].queryset}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def model_ids(model) -> str:
    return model._meta.label


# ---------------------------------------------------------------------------------------- changelists


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_changelist_lists_the_own_organizers_rows_only(world, staff, root, model):
    everything = listed(root, model)
    assert everything & world.of_a(model) and everything & world.of_b(model), "both worlds have rows here"
    assert listed(staff, model) == everything & world.of_a(model)
    assert "bravo" not in changelist(staff, model).content.decode().lower()


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_superuser_sees_both_organizers(world, root, model):
    shown = listed(root, model)
    assert shown & world.of_a(model) and shown & world.of_b(model)
    assert "bravo" in changelist(root, model).content.decode().lower()
    assert root.get(url(model, "change", min(shown & world.of_b(model)))).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_staff_member_in_no_team_sees_nothing(world, root, loner, model):
    # No team gives them anything: the list and every object are refused, an existing one like a missing one.
    assert loner.get(url(model, "changelist")).status_code == 403
    existing = min(listed(root, model))
    missing = uuid.uuid4() if isinstance(existing, uuid.UUID) else max(listed(root, model)) + 1000
    assert loner.get(url(model, "change", existing)).status_code == 403
    assert loner.get(url(model, "change", missing)).status_code == 403
    index = loner.get(reverse("admin:index"))
    assert index.context["app_list"] == []


def declared_paths() -> list[tuple[str, type, str]]:
    """(where, model, organizer_path) of every project model admin, its inlines and ``RELATED_PATHS``."""
    paths = []
    for model in REGISTERED:
        model_admin = admin.site._registry[model]
        paths.append((type(model_admin).__name__, model, model_admin.organizer_path))
        paths += [(inline.__name__, inline.model, inline.organizer_path) for inline in model_admin.inlines]
    paths += [(name, apps.get_model(name), paths.organizer_path) for name, paths in RELATED_PATHS.items()]
    return paths


@pytest.mark.parametrize(
    ("where", "model", "path"), declared_paths(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_organizer_path_leads_to_an_organizer(where, model, path):
    if path == "pk":
        assert model is Organizer, where
    else:
        assert get_fields_from_path(model, path)[-1].related_model is Organizer, where


# ------------------------------------------------------------------------------------ single objects


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_another_organizers_object_answers_like_a_missing_one(world, staff, root, model):
    shown = listed(root, model)
    own, foreign = min(shown & world.of_a(model)), min(shown & world.of_b(model))
    missing = (
        uuid.uuid4()
        if isinstance(own, uuid.UUID)
        else max(model._base_manager.values_list("pk", flat=True)) + 1
    )
    assert staff.get(url(model, "change", own)).status_code == 200
    assert staff.get(url(model, "history", own)).status_code == 200
    for view in ("change", "history", "delete"):
        answer = staff.get(url(model, view, foreign))
        expected = staff.get(url(model, view, missing))
        assert answer.status_code == expected.status_code, view
        assert answer.get("Location") == expected.get("Location"), view
        if view != "delete":  # deleting: as for a missing pk (403 for orders, which are never deleted)
            assert (answer.status_code, answer.url) == (302, reverse("admin:index"))
            assert any("doesn’t exist" in message for message in messages_of(answer)), view
    assert model._base_manager.filter(pk=foreign).exists()


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_posting_to_another_organizers_object_changes_nothing(world, staff, model):
    foreign = min(world.of_b(model) & set(model._default_manager.values_list("pk", flat=True)))
    before = database_state()
    staff.post(url(model, "change", foreign), {})
    staff.post(url(model, "delete", foreign), {"post": "yes"})
    assert database_state() == before


# ----------------------------------------------------------------------------------- form choices


def choice_fields(response) -> dict[tuple, set]:
    """{(form, field name): offered pks} over the main form and every inline form (with the empty one)."""
    found = {}
    forms = [("main", response.context["adminform"].form)]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [(f"{formset.prefix}-{i}", form) for i, form in enumerate(formset.forms)]
        forms.append((f"{formset.prefix}-empty", formset.empty_form))
    for where, form in forms:
        for name, formfield in form.fields.items():
            # A formset row's hidden id is checked against the whole table, but a row outside the
            # formset's queryset is then ignored (see test_an_inline_row_of_another_organizer_is_ignored).
            if isinstance(formfield, ModelChoiceField) and name != form._meta.model._meta.pk.name:
                found[(where, name, formfield.queryset.model)] = set(
                    formfield.queryset.values_list("pk", flat=True)
                )
    return found


def form_pages(world, client, root, model) -> list[str]:
    pages = [url(model, "change", min(listed(root, model) & world.of_a(model)))]
    if root.get(url(model, "add")).status_code == 200 and client.get(url(model, "add")).status_code == 200:
        pages.append(url(model, "add"))
    return pages


def test_only_superusers_add_and_delete_organizers(world, staff, root):
    # No team's right reaches beyond its own organizer, nor ends it.
    assert staff.get(url(Organizer, "add")).status_code == 403
    assert root.get(url(Organizer, "add")).status_code == 200
    own = world.alpha["org"]
    assert staff.post(url(Organizer, "delete", own.pk), {"post": "yes"}).status_code == 403
    assert Organizer.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_forms_offer_only_objects_of_the_own_organizers(world, staff, root, model):
    for page in form_pages(world, staff, root, model):
        offered = choice_fields(staff.get(page))
        everything = choice_fields(root.get(page))
        assert offered.keys() == everything.keys(), page
        for key, pks in offered.items():
            related = key[2]
            assert not pks & world.of_b(related), (page, key)
            assert pks == everything[key] & world.of_a(related), (page, key)
        if page.endswith("/add/"):
            # The superuser's add form offers bravo objects wherever it offers choices: the check bites.
            assert all(pks & world.of_b(key[2]) for key, pks in everything.items() if key[0] == "main")


def management_data(response) -> dict[str, int]:
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})  # fmt: skip
    return data


DATE = {"_0": "2030-01-01", "_1": "10:00:00"}


def split(name: str) -> dict[str, str]:
    return {f"{name}{suffix}": value for suffix, value in DATE.items()}


# (model, field that points to the other organizer, form data given one world's objects and alpha's)
ADD_CASES = [
    (Event, "organizer", lambda w, a: {
        "organizer": w["org"].pk, "slug": "new-event", "name": "New", "currency": "EUR",
        **split("date_from"), "timezone": "UTC",
    }),
    (SalesChannel, "organizer", lambda w, a: {"organizer": w["org"].pk, "identifier": "kiosk",
                                              "label": "Kiosk", "position": 0}),
    (Team, "members", lambda w, a: {"organizer": a["org"].pk, "name": "New team",
                                    "members": [w["member"].pk]}),
    (TeamAPIToken, "team", lambda w, a: {"team": w["team"].pk, "name": "New token"}),
    (ItemCategory, "event", lambda w, a: {"event": w["conf"].pk, "name": "New category", "position": 0}),
    (Item, "event", lambda w, a: {"event": w["conf"].pk, "name": "New item", "default_price": "10.00",
                                  "position": 0, "active": "on", "all_sales_channels": "on"}),
    (Quota, "event", lambda w, a: {"event": w["conf"].pk, "name": "New quota", "size": 10}),
    (SubEvent, "event", lambda w, a: {"event": w["fest"].pk, "name": "New date", **split("date_from")}),
    (Voucher, "event", lambda w, a: {"event": w["conf"].pk, "code": "NEW-VOUCHER", "max_usages": 1,
                                     "min_usages": 1, "price_mode": "none"}),
    (Voucher, "item", lambda w, a: {"event": a["conf"].pk, "item": w["ticket"].pk, "code": "NEW-VOUCHER",
                                    "max_usages": 1, "min_usages": 1, "price_mode": "none"}),
    (CouponSeries, "organizer", lambda w, a: {"organizer": w["org"].pk, "name": "New series", "active": "on",
                                              "discount_type": "percent", "discount_value": "10",
                                              "allow_all_events": "on", "allow_all_items": "on",
                                              "tags": "[]"}),
    (Coupon, "series", lambda w, a: {"series": w["series"].pk, "code": "NEW-COUPON", "active": "on"}),
    (StandaloneCoupon, "organizer", lambda w, a: {
        "organizer": w["org"].pk, "code": "NEW-SOLO", "active": "on", "name": "New stand-alone",
        "series_active": "on", "discount_type": "percent", "discount_value": "10", "allow_all_events": "on",
        "allow_all_items": "on", "tags": "[]",
    }),
    (PromoCode, "organizer", lambda w, a: {"organizer": w["org"].pk, "code": "NEW-PROMO", "value": "5",
                                           "active": "on"}),
    (GiftCard, "organizer", lambda w, a: {"organizer": w["org"].pk, "code": "NEW-GIFT", "currency": "EUR",
                                          "initial_value": "20.00"}),
    (GiftCard, "allowed_events", lambda w, a: {"organizer": a["org"].pk, "code": "NEW-GIFT",
                                               "currency": "EUR", "allowed_events": [w["conf"].pk]}),
    (Discount, "event", lambda w, a: {
        "event": w["conf"].pk, "internal_name": "New rule", "active": "on", "position": 0,
        "all_sales_channels": "on", "subevent_mode": "mixed", "condition_all_products": "on",
        "condition_min_count": 2, "condition_min_value": "0.00", "benefit_same_products": "on",
        "benefit_discount_matching_percent": "10.00",
    }),
]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "name", "data"), ADD_CASES, ids=[f"{m.__name__}-{n}" for m, n, _ in ADD_CASES]
)
def test_add_form_refuses_an_object_of_another_organizer(world, staff, model, name, data):
    extra = management_data(staff.get(url(model, "add")))
    count = model._default_manager.count()

    response = staff.post(url(model, "add"), {**data(world.bravo, world.alpha), **extra})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert name in errors and "Select a valid choice" in str(errors[name]), errors
    assert model._default_manager.count() == count

    # The same form with alpha's object instead is saved: only the foreign pick was wrong.
    response = staff.post(url(model, "add"), {**data(world.alpha, world.alpha), **extra})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert model._default_manager.count() == count + 1


def test_change_form_refuses_an_object_of_another_organizer(world, staff):
    voucher = Voucher.objects.get(code="ALPHA-VOUCHER")
    data = {"event": voucher.event_id, "code": voucher.code, "max_usages": 1, "min_usages": 1,
            "price_mode": "none", "item": world.bravo["ticket"].pk}  # fmt: skip
    response = staff.post(url(Voucher, "change", voucher.pk), data)
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["item"])
    voucher.refresh_from_db()
    assert voucher.item == world.alpha["ticket"]
    response = staff.post(url(Voucher, "change", voucher.pk), {**data, "item": ""})
    assert response.status_code == 302  # the form is otherwise valid


# -------------------------------------------------------------------------------- filters, searches


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_list_filters_list_no_object_of_another_organizer(world, staff, model):
    for spec in changelist(staff, model).context["cl"].filter_specs:
        if isinstance(spec, RelatedFieldListFilter):
            offered = {pk for pk, _ in spec.lookup_choices}
            assert offered and not offered & world.of_b(spec.field.related_model), spec.field_path


@pytest.mark.parametrize("model", [Item, ItemCategory, Quota, Voucher, Discount, Order, Cart], ids=model_ids)
def test_event_filter_lists_the_events_of_the_own_organizers(world, staff, root, model):
    def events(client) -> set:
        (spec,) = [
            s
            for s in changelist(client, model).context["cl"].filter_specs
            if getattr(s, "field_path", None) == "event"
        ]
        return {pk for pk, _ in spec.lookup_choices}

    alpha_events = {world.alpha["conf"].pk, world.alpha["fest"].pk, Event.objects.get(slug="amber-gig").pk}
    assert events(staff) == alpha_events
    assert events(root) == alpha_events | {world.bravo["conf"].pk, world.bravo["fest"].pk}


@pytest.mark.parametrize("model", [Event, SalesChannel, Team, TeamAPIToken, CouponSeries, Coupon, PromoCode],
                         ids=model_ids)  # fmt: skip
def test_organizer_filter_lists_the_own_organizers(world, staff, model):
    (spec,) = [
        s
        for s in changelist(staff, model).context["cl"].filter_specs
        if "organizer" in getattr(s, "field_path", "")
    ]
    assert {name for _, name in spec.lookup_choices} == {"Alpha Org", "Amber Org"}


AUTOCOMPLETES = [
    (model, name) for model in REGISTERED for name in admin.site._registry[model].autocomplete_fields
]


@pytest.mark.parametrize(
    ("model", "name"), AUTOCOMPLETES, ids=[f"{m.__name__}-{n}" for m, n in AUTOCOMPLETES]
)
def test_autocomplete_offers_no_object_of_another_organizer(world, staff, model, name):
    query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": name}
    response = staff.get(reverse("admin:autocomplete"), {**query, "term": ""})
    assert response.status_code == 200
    offered = {int(result["id"]) for result in json.loads(response.content)["results"]}
    related = model._meta.get_field(name).related_model
    assert offered and offered <= world.of_a(related)
    by_name = staff.get(reverse("admin:autocomplete"), {**query, "term": "bravo"})
    assert json.loads(by_name.content)["results"] == []


def test_search_finds_nothing_of_another_organizer(world, staff, root):
    assert listed(root, Voucher) & world.of_b(Voucher)
    response = staff.get(url(Voucher, "changelist"), {"q": "BRAVO-VOUCHER"})
    assert list(response.context["cl"].result_list) == []


# -------------------------------------------------------------------------------------------- inlines


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_inline_rows_are_limited_to_the_own_organizers(world, model):
    request = RequestFactory().get("/")
    request.user = world.staff
    for inline in admin.site._registry[model].get_inline_instances(request):
        rows = set(inline.get_queryset(request).values_list("pk", flat=True))
        assert rows == world.of_a(inline.model) & set(
            inline.model._default_manager.values_list("pk", flat=True)
        )


def test_an_inline_row_of_another_organizer_is_ignored(world, staff):
    conf, foreign = world.alpha["conf"], Quota.objects.get(name="bravo quota")
    quotas = Quota.objects.count()
    data = {
        "name": "alpha conference", "currency": "EUR", "live": "on", **split("date_from"), "timezone": "UTC",
        "quotas-TOTAL_FORMS": 1, "quotas-INITIAL_FORMS": 1, "quotas-MIN_NUM_FORMS": 0,
        "quotas-MAX_NUM_FORMS": 1000, "quotas-0-id": foreign.pk, "quotas-0-event": conf.pk,
        "quotas-0-name": "taken over", "quotas-0-size": 1,
        "settings-TOTAL_FORMS": 0, "settings-INITIAL_FORMS": 0, "settings-MIN_NUM_FORMS": 0,
        "settings-MAX_NUM_FORMS": 1,
    }  # fmt: skip
    response = staff.post(url(Event, "change", conf.pk), data)
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert (foreign.name, foreign.size, foreign.event_id) == ("bravo quota", 100, world.bravo["conf"].pk)
    assert Quota.objects.count() == quotas


# -------------------------------------------------------------------------------------------- actions


# Actions that, run by a superuser on a bravo row, change the database (so the staff check means something).
CHANGING = {"deactivate", "mark_paid", "mark_canceled", "create_api_token", "generate_coupons"}
ACTION_DATA = {"generate_coupons": {"apply": "1", "count": 2, "prefix": "", "length": 8},
               "delete_selected": {"post": "yes"}, "mark_paid": {"post": "yes"},
               "mark_canceled": {"post": "yes"}}  # fmt: skip


@pytest.mark.parametrize("model", REGISTERED, ids=model_ids)
def test_actions_do_not_touch_another_organizers_rows(world, staff, root, model):
    request = RequestFactory().get("/")
    request.user = world.staff
    actions = list(admin.site._registry[model].get_actions(request))
    foreign = min(listed(root, model) & world.of_b(model))
    before = database_state()
    for action in actions:
        data = {"action": action, ACTION_CHECKBOX_NAME: [foreign], **ACTION_DATA.get(action, {})}
        response = staff.post(url(model, "changelist"), data)
        assert not response.get("Content-Type", "").startswith("text/csv"), action
        assert "bravo" not in response.content.decode().lower(), action
        after = database_state()
        assert after == before, (action, [table for table in before if before[table] != after[table]])

    # Control: the superuser's actions do reach the bravo row.
    for action in [name for name in actions if name in CHANGING]:
        state = database_state()
        root.post(url(model, "changelist"), {"action": action, ACTION_CHECKBOX_NAME: [foreign],
                                             **ACTION_DATA.get(action, {})})  # fmt: skip
        assert database_state() != state, action
    if "export_csv" in actions:
        response = root.post(
            url(model, "changelist"), {"action": "export_csv", ACTION_CHECKBOX_NAME: [foreign]}
        )
        assert response["Content-Type"].startswith("text/csv")


# ---------------------------------------------------------------------------------- users and groups


@pytest.mark.parametrize("name", ["user", "group"])
def test_users_and_groups_are_for_superusers_only(world, staff, root, name):
    # Even with django.contrib.auth's permissions (which would let them make themselves a superuser).
    world.staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
    changelist_url = reverse(f"admin:auth_{name}_changelist")
    assert staff.get(changelist_url).status_code == 403
    assert staff.get(reverse(f"admin:auth_{name}_add")).status_code == 403
    assert root.get(changelist_url).status_code == 200
    assert staff.get(reverse("admin:auth_user_change", args=[world.staff.pk])).status_code == 403
    index = staff.get(reverse("admin:index"))
    assert "auth" not in {app["app_label"] for app in index.context["app_list"]}
    assert "ticketing" in {app["app_label"] for app in index.context["app_list"]}

"""The audit log: changes through the API, the admin and the services, each in ``logs/`` with who made it
and the fields before and after; bulk writes; who may read what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from core.audit import Actor, acting_as
from discounts.services import discount_move, discounts_set_active
from discounts.tests.factories import DiscountFactory
from orders.checkout.draft import PositionSpec
from orders.services.checkout import order_place
from orders.services.orders import order_mark_canceled
from orders.tests.factories import web_channel
from ticketing.models import Item
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory, QuotaFactory, TeamFactory
from vouchers.models import Coupon
from vouchers.services.coupons import coupons_generate, coupons_set_active
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
LOGS = "/api/v1/organizers/demo-org/logs/"
EVENT = "/api/v1/organizers/demo-org/events/conf/"


def entries(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


@pytest.fixture
def ticket(event):
    item = ItemFactory(event=event, name="Ticket", default_price=Decimal("50.00"))
    QuotaFactory(event=event, size=10, items=[item])
    return item


def test_a_change_through_the_api_is_in_the_log_with_its_token_and_fields(api, event, team):
    voucher = VoucherFactory(event=event, code="SUMMER", max_usages=1)
    response = api.patch(
        EVENT + f"vouchers/{voucher.pk}/", {"max_usages": 5, "comment": "raised"}, format="json"
    )
    assert response.status_code == 200

    logs = api.get(LOGS, {"object_type": "voucher", "object_id": voucher.pk}).json()
    assert logs["count"] == 2  # the factory's create (a service of the system), then the PATCH
    changed = logs["results"][0]  # newest first
    assert changed["action"] == "changed"
    assert changed["source"] == "api"
    assert changed["event"] == "conf"
    assert changed["object_repr"] == "SUMMER"
    assert changed["changes"]["max_usages"] == [1, 5]
    assert changed["changes"]["comment"] == ["", "raised"]
    token = team.tokens.get()
    assert changed["actor"] == {"user": None, "token": token.pk, "text": f"token {token.prefix}… of {team}"}
    assert changed["request_id"] == response["X-Request-ID"]
    created = logs["results"][1]
    assert (created["action"], created["source"], created["actor"]["text"]) == ("created", "system", "system")
    assert created["changes"]["code"] == [None, "SUMMER"]


def test_a_create_and_a_delete_through_the_api(api, event):
    response = api.post(EVENT + "items/", {"name": "Poster", "default_price": "12.50"}, format="json")
    assert response.status_code == 201, response.json()
    item_id = response.json()["id"]
    assert api.delete(EVENT + f"items/{item_id}/").status_code == 204

    logs = api.get(LOGS, {"object_type": "item", "object_id": item_id}).json()["results"]
    assert [entry["action"] for entry in logs] == ["deleted", "created"]
    assert logs[1]["changes"]["default_price"] == [None, "12.50"]  # amounts with at least two places
    assert logs[1]["changes"]["name"] == [None, "Poster"]
    assert logs[0]["changes"]["name"] == ["Poster", None]
    assert not Item.objects.filter(pk=item_id).exists()


def test_a_change_through_the_admin_is_in_the_log_with_its_user_and_on_the_history_page(
    admin_client, admin_user, api, event, ticket
):
    page = admin_client.get(f"/admin/ticketing/item/{ticket.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"default_price": "55.00"})
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management[name].html_name: management[name].value() for name in management.fields})
    response = admin_client.post(f"/admin/ticketing/item/{ticket.pk}/change/", data)
    assert response.status_code == 302, getattr(response, "context", None) and response.context["errors"]

    [changed] = entries(object_type="item", object_id=str(ticket.pk), action="changed")
    assert changed.source == "admin"
    assert changed.user == admin_user
    assert changed.actor == admin_user.get_username()
    assert changed.changes["default_price"] == ["50.00", "55.00"]

    logs = api.get(LOGS, {"object_type": "item", "object_id": ticket.pk}).json()["results"]
    assert logs[0]["actor"] == {"user": admin_user.get_username(), "token": None, "text": "admin"}
    assert logs[0]["changes"]["default_price"] == ["50.00", "55.00"]

    history = admin_client.get(f"/admin/ticketing/item/{ticket.pk}/history/")
    assert history.status_code == 200
    text = history.content.decode()
    assert "default_price" in text and "50.00 → 55.00" in text
    assert text.count('class="audit-entry"') == 2  # created by the factory, changed in the admin


def test_a_checkout_and_a_cancel_through_the_services_are_in_the_log(event, ticket, api):
    order = order_place(
        event=event, sales_channel=web_channel(event), positions=[PositionSpec(item=ticket.pk)],
        email="buyer@example.com", now=timezone.now(),
    )  # fmt: skip
    order_mark_canceled(order=order, now=timezone.now())

    logs = api.get(LOGS, {"object_type": "order", "object_id": order.pk}).json()["results"]
    assert [entry["action"] for entry in logs] == ["changed", "created"]
    canceled, created = logs
    assert created["changes"]["status"] == [None, "pending"]
    assert created["changes"]["total"] == [None, "50.00"]
    assert created["object_repr"] == order.code
    assert canceled["changes"]["status"] == ["pending", "canceled"]
    assert canceled["changes"]["canceled_at"][0] is None and canceled["changes"]["canceled_at"][1]
    assert {entry["source"] for entry in logs} == {"system"}


def test_a_checkout_over_the_api_names_its_token(api, event, ticket, team):
    response = api.post(
        EVENT + "orders/", {"email": "b@example.com", "positions": [{"item": ticket.pk}]}, format="json"
    )
    assert response.status_code == 201
    [created] = entries(object_type="order", action="created")
    assert (created.source, created.token_id) == ("api", team.tokens.get().pk)
    assert created.changes["email"] == [None, "b@example.com"]


def test_a_bound_actor_is_recorded_for_what_a_job_changes(event):
    with acting_as(Actor(source="job", user_id=None, token_id=None, label="job 7 of someone")):
        voucher = VoucherFactory(event=event)
    [created] = entries(object_type="voucher", object_id=str(voucher.pk))
    assert (created.source, created.actor) == ("job", "job 7 of someone")


def test_a_coupon_generation_run_as_a_job_is_recorded_per_coupon_as_the_jobs(
    api, organizer, settings, team, django_capture_on_commit_callbacks
):
    settings.JOB_THRESHOLD_GENERATE = 2
    series = CouponSeriesFactory(organizer=organizer)
    url = f"/api/v1/organizers/demo-org/coupon-series/{series.pk}/generate/"
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued once the request commits
        response = api.post(url, {"count": 3}, format="json")
    assert response.status_code == 202
    created = entries(object_type="coupon", action="created")
    assert sorted(int(e.object_id) for e in created) == sorted(Coupon.objects.values_list("pk", flat=True))
    assert len(created) == 3
    job_id = response.json()["id"]
    assert {(e.source, e.token_id, e.actor) for e in created} == {
        ("job", team.tokens.get().pk, f"job {job_id} of {team.tokens.get()}")
    }


def test_writes_that_bypass_the_model_signals_are_recorded(event, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    assert coupons_generate(series=series, count=2) == 2
    coupon_ids = list(Coupon.objects.values_list("pk", flat=True))
    assert sorted(int(e.object_id) for e in entries(object_type="coupon", action="created")) == sorted(
        coupon_ids
    )

    assert coupons_set_active(coupon_ids=coupon_ids, active=False) == 2
    toggled = entries(object_type="coupon", action="changed")
    assert [(int(e.object_id), e.changes) for e in toggled] == [
        (pk, {"active": [True, False]}) for pk in sorted(coupon_ids)
    ]

    first, second = DiscountFactory(event=event, position=0), DiscountFactory(event=event, position=1)
    discounts_set_active(discounts=[first], active=False)
    discount_move(discount=second, direction="up")
    changes = [(e.object_id, e.changes) for e in entries(object_type="discount", action="changed")]
    assert sorted(changes, key=repr) == sorted([
        (str(first.pk), {"active": [True, False]}),
        (str(first.pk), {"position": [0, 1]}),
        (str(second.pk), {"position": [1, 0]}),
    ], key=repr)  # fmt: skip


def test_a_voucher_batch_create_is_recorded_per_voucher(api, event):
    body = [{"code": "BATCH-A", "max_usages": 1}, {"code": "BATCH-B", "max_usages": 2}]
    response = api.post(EVENT + "vouchers/batch_create/", body, format="json")
    assert response.status_code == 201, response.json()
    created = entries(object_type="voucher", action="created")
    assert [(e.object_repr, e.source, e.changes["max_usages"]) for e in created] == [
        ("BATCH-A", "api", [None, 1]),
        ("BATCH-B", "api", [None, 2]),
    ]


def test_a_rolled_back_change_leaves_no_entry(event):
    with pytest.raises(RuntimeError), transaction.atomic():
        VoucherFactory(event=event, code="GONE")
        raise RuntimeError("rolled back")
    assert entries(object_type="voucher") == []


def test_saving_without_a_change_records_nothing(event, ticket):
    before = AuditEntry.objects.count()
    Item.objects.get(pk=ticket.pk).save()
    assert AuditEntry.objects.count() == before


def test_the_list_filters_by_event_type_and_id_and_pages(api, organizer, event):
    other = EventFactory(organizer=organizer, slug="other", name="Other event")
    ItemFactory(event=event, name="Here")
    ItemFactory(event=other, name="There")
    VoucherFactory(event=other, code="OTHER-CODE")

    names = {e["object_repr"] for e in api.get(LOGS, {"event": "other"}).json()["results"]}
    assert names == {"Other event", "There", "OTHER-CODE"}
    vouchers = api.get(LOGS, {"object_type": "voucher"}).json()
    assert [e["object_repr"] for e in vouchers["results"]] == ["OTHER-CODE"]
    page = api.get(LOGS, {"page_size": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    oldest_first = api.get(LOGS, {"ordering": "created"}).json()["results"]
    assert oldest_first[0]["object_repr"] == "Conference"  # the event fixture, first of all

    refused = api.get(LOGS, {"object_type": "team"})
    assert refused.status_code == 400
    assert list(refused.json()) == ["object_type"]
    assert api.get(LOGS, {"objectType": "item"}).json() == {"objectType": ["Unknown query parameter."]}


def test_a_team_reads_the_entries_of_its_events_and_permissions(api_for, organizer, event, ticket):
    other = EventFactory(organizer=organizer, slug="other")
    ItemFactory(event=other, name="Elsewhere")
    VoucherFactory(event=event, code="HERE-CODE")
    CouponSeriesFactory(organizer=organizer, name="Organizer-wide")

    limited = api_for(all_events=False, limit_events=[event], can_view_vouchers=True)
    seen = {(e["object_type"], e["object_repr"]) for e in limited.get(LOGS).json()["results"]}
    quota = ticket.quotas.get().name
    assert seen == {("event", "Conference"), ("item", "Ticket"), ("quota", quota), ("voucher", "HERE-CODE")}

    no_codes = api_for(all_events=True)
    types = {e["object_type"] for e in no_codes.get(LOGS).json()["results"]}
    assert types == {"event", "item", "quota"}

    codes = api_for(all_events=True, can_view_vouchers=True)
    types = {e["object_type"] for e in codes.get(LOGS).json()["results"]}
    assert types == {"event", "item", "quota", "voucher", "coupon_series"}


def test_a_team_limited_to_some_events_reads_the_entries_of_the_series_it_reaches(api_for, organizer, event):
    """The series limited to its events (docs/codes.md, "Teams limited to some events"), their coupons
    and its promo codes belong to the organizer: their entries carry no event, yet the team reads them;
    those of an organizer-wide series or of another event's stay hidden."""
    other = EventFactory(organizer=organizer, slug="other")

    def series(name: str, *events):
        limited_to = {"allow_all_events": False, "allowed_events": list(events)} if events else {}
        return CouponSeriesFactory(organizer=organizer, name=name, **limited_to)

    CouponFactory(series=series("Ours", event), code="OUR-COUPON")
    PromoCodeFactory(
        series__organizer=organizer, series__name="Our promo", series__allow_all_events=False,
        series__allowed_events=[event], code="OUR-PROMO",
    )  # fmt: skip
    theirs = series("Theirs", other)
    CouponFactory(series=theirs, code="THEIR-COUPON")
    CouponFactory(series=series("Organizer-wide"), code="WIDE-COUPON")

    limited = api_for(all_events=False, limit_events=[event], can_view_vouchers=True)
    results = limited.get(LOGS, {"page_size": 100}).json()["results"]
    codes = {(e["object_type"], e["object_repr"]) for e in results if e["object_type"].startswith("coupon")}
    assert codes == {
        ("coupon_series", "Ours"),
        ("coupon", "OUR-COUPON"),
        ("coupon_series", "Our promo"),
        ("coupon", "OUR-PROMO"),
    }
    assert limited.get(LOGS, {"object_type": "coupon_series", "object_id": theirs.pk}).json()["count"] == 0

    no_codes = api_for(all_events=False, limit_events=[event])  # without can_view_vouchers
    types = {e["object_type"] for e in no_codes.get(LOGS).json()["results"]}
    assert types == {"event"}


def test_another_organizer_and_anonymous_callers_are_refused(api, anon):
    OrganizerFactory(slug="elsewhere")
    assert api.get("/api/v1/organizers/elsewhere/logs/").status_code == 403
    assert anon.get(LOGS).status_code == 401


def test_a_staff_user_sees_only_the_entries_of_their_organizers_in_the_admin(client, organizer, event):
    other = OrganizerFactory(slug="elsewhere")
    EventFactory(organizer=other, slug="hidden", name="Hidden event")
    staff = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    TeamFactory(organizer=organizer, all_events=True, members=[staff])
    client.force_login(staff)
    page = client.get("/admin/audit/auditentry/")
    assert page.status_code == 200
    shown = {entry.object_repr for entry in page.context["cl"].result_list}
    assert shown == {"Demo Org", "Conference"} - {"Demo Org"}  # the event fixture; organizers are not audited
    assert "Hidden event" not in page.content.decode()
    hidden = AuditEntry.objects.get(object_type="event", object_repr="Hidden event")
    assert client.get(f"/admin/audit/auditentry/{hidden.pk}/change/").status_code == 302  # not found: back


def test_a_promo_code_is_one_object_of_the_log_from_creation_to_deletion(api, organizer):
    """Created, changed and deleted through the API, a promo code's entries are all ``promo_code`` entries
    of its id (its private series has entries of its own)."""
    promos = "/api/v1/organizers/demo-org/promo-codes/"
    created = api.post(promos, {"code": "SPRING", "value": "5.00"}, format="json")
    assert created.status_code == 201, created.json()
    promo_id = created.json()["id"]
    assert api.patch(f"{promos}{promo_id}/", {"active": False}, format="json").status_code == 200
    assert api.delete(f"{promos}{promo_id}/").status_code == 204

    query = {"object_type": "promo_code", "object_id": promo_id, "ordering": "created"}
    history = api.get(LOGS, query).json()["results"]
    assert [entry["action"] for entry in history] == ["created", "changed", "deleted"]
    assert history[1]["changes"]["active"] == [True, False]
    assert not AuditEntry.objects.filter(object_type="coupon", object_id=str(promo_id)).exists()

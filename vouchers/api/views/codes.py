"""Codes usable in an event (organizer-facing) and the public code lookup (customer-facing)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.throttling import ClientAddressThrottle, MissThrottle
from ticketing.api.common import ITEM_NOT_FOUND
from ticketing.api.scoping import EventScopedMixin
from ticketing.models import Event, Item, Organizer
from ticketing.rights import VOUCHERS
from vouchers.api.serializers.codes import (
    GIFT_CARD_TYPE,
    MESSAGES,
    CodeInfoSerializer,
    EventCodeSerializer,
    EventCodesQueryForm,
    coupon_info,
    gift_card_info,
    voucher_info,
)
from vouchers.choices import CodeKind
from vouchers.codes import normalise_code
from vouchers.event_codes import EventCodesQuery, event_codes
from vouchers.resolution import inspect_code
from vouchers.resolution.lookup import coupon_scope, coupon_unlocks, voucher_scope
from vouchers.scope import READ, series_scope
from vouchers.selectors import gift_card_lookup


class EventCodeViewSet(EventScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every code usable in the event: its vouchers, then coupons whose series allow it, then promo codes."""

    serializer_class = EventCodeSerializer
    rights = VOUCHERS
    filter_backends = []  # filtered by ``kind`` / ``active`` below: the list spans two tables
    query_form = EventCodesQueryForm  # the parameters it reads itself (``core.queries``)

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=[k.value for k in CodeKind]),
            OpenApiParameter("active", bool, description="Usable now."),
        ]
    )
    def list(self, request, *args, **kwargs):
        form = self.query_form(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        kind = form.cleaned_data.get("kind") or None
        scope = series_scope(self.access, READ)
        query = EventCodesQuery(
            kind=CodeKind(kind) if kind else None,
            active=form.cleaned_data.get("active"),
            coupons=None if scope.everything else scope.series_q("series_id"),
            item=self.item(),
        )
        rows = event_codes(event=self.event, query=query, now=timezone.now())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def item(self) -> Item | None:
        return None


class ItemCodeViewSet(EventCodeViewSet):
    """The codes that apply to one item of the event: vouchers without an item or quota, with the item
    (or a variation of it) or a quota holding it; coupons and promo codes whose series allows the event
    and every item or this one. The same rows, filters and pagination as the event's codes."""

    @extend_schema(
        summary="List the codes that apply to an item",
        parameters=[
            OpenApiParameter("kind", str, enum=[k.value for k in CodeKind]),
            OpenApiParameter("active", bool, description="Usable now."),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def item(self) -> Item:
        item = Item.objects.filter(event=self.event, pk=self.kwargs["item_pk"]).first()
        if item is None:
            raise NotFound(ITEM_NOT_FOUND)
        return item


class PublicThrottle(ClientAddressThrottle):
    """Per client address (``core.throttling``), at ``DEFAULT_THROTTLE_RATES["public"]``."""

    scope = "public"


class CodeMissThrottle(MissThrottle):
    """Lookups that found no code, per client address, at ``DEFAULT_THROTTLE_RATES["public_miss"]``."""

    scope = "public_miss"
    bucket = "code_info_miss"


class CodeInfoViewSet(viewsets.ViewSet):
    """Public: what a code is worth, for a customer typing it in a shop (no token)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    @extend_schema(
        parameters=[OpenApiParameter("event", str, description="Slug of the event the code is for.")],
        responses={
            200: CodeInfoSerializer,
            404: OpenApiResponse(CodeInfoSerializer, description="Unknown code: message 'invalid'."),
            429: OpenApiResponse(description="Too many lookups from this address; see Retry-After."),
        },
    )
    def retrieve(self, request, organizer_slug: str, code: str):
        misses = CodeMissThrottle()
        if misses.blocked(request):
            raise Throttled(wait=misses.wait())
        organizer = Organizer.objects.filter(slug=organizer_slug).first()
        organizer_id = organizer.pk if organizer else 0
        event_slug = request.query_params.get("event")
        event = None
        if event_slug:
            event = Event.objects.filter(organizer_id=organizer_id, slug=event_slug, live=True).first()
        # Unknown organizer or event: the same lookups still run and find nothing (no faster "invalid").
        usable = organizer is not None and (not event_slug or event is not None)
        now = timezone.now()
        inspection = inspect_code(organizer_id=organizer_id if usable else 0, event=event, code=code, now=now)
        # Gift cards share the organizer's code space; looked up every time, so a miss costs the same.
        card = gift_card_lookup(
            organizer_id=organizer_id if usable else 0, code=normalise_code(code),
            event_id=event.pk if event is not None else None,
        )  # fmt: skip
        found = inspection.found
        if inspection.error is not None and inspection.error.code == "invalid" and card is not None:
            message, info = gift_card_info(card, event, now)
            return Response({"message": message, "type": GIFT_CARD_TYPE, "code": info})
        if inspection.error is not None and inspection.error.code == "invalid":
            misses.record(request)
            return Response(
                {"message": "invalid", "type": None, "code": None}, status=status.HTTP_404_NOT_FOUND
            )
        message = "valid" if inspection.error is None else MESSAGES.get(inspection.error.code, "invalid")
        if found.voucher is not None:
            voucher = found.voucher
            voucher.event = event
            info = voucher_info(voucher, voucher_scope(voucher).item_ids)
            return Response({"message": message, "type": CodeKind.VOUCHER.value, "code": info})
        if found.coupon is not None:
            coupon = found.coupon
            kind = CodeKind.PROMO_CODE if coupon.series.kind == "promo_code" else CodeKind.COUPON
            resolved = inspection.resolved
            unlocked = resolved.unlocked_item_ids if resolved is not None else coupon_unlocks(coupon)
            info = coupon_info(coupon, coupon_scope(coupon).item_ids, event, unlocked)
            return Response({"message": message, "type": kind.value, "code": info})
        # A voucher of another event: say so, but nothing about it.
        return Response({"message": message, "type": CodeKind.VOUCHER.value, "code": None})

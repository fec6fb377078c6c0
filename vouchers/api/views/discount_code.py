"""The event's discount code: /api/v1/organizers/<o>/events/<e>/discount-code/ (docs/codes.md)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.serializers import StrictSerializer
from ticketing.api.scoping import EventScopedMixin
from ticketing.rights import VOUCHERS
from vouchers.api.serializers.codes import EventCodeSerializer
from vouchers.event_codes import designated_code
from vouchers.models import Coupon, EventDiscountCode
from vouchers.scope import WRITE, series_scope
from vouchers.services.event_codes import event_discount_code_delete, event_discount_code_set

NONE_DESIGNATED = "This event designates no discount code."


class DiscountCodeInputSerializer(StrictSerializer):
    code = serializers.CharField(
        max_length=255,
        help_text="The text of a voucher of the event, or of a coupon or promo code usable in it (any case).",
    )


class EventDiscountCodeViewSet(EventScopedMixin, viewsets.GenericViewSet):
    """The one code the event designates (the code a shop shows for it); it changes no price."""

    queryset = EventDiscountCode.objects.none()  # for the schema
    serializer_class = EventCodeSerializer
    rights = VOUCHERS
    filter_backends = []
    pagination_class = None

    def get_object(self) -> EventDiscountCode:
        """The event's designation (the URL names no id: there is at most one); 404 when none. DRF's
        OPTIONS calls it too, to describe PUT."""
        designation = EventDiscountCode.objects.filter(event=self.event).first()
        if designation is None:
            raise NotFound(NONE_DESIGNATED)
        designation.event = self.event
        return designation

    def answer(self, designation: EventDiscountCode) -> Response:
        return Response(EventCodeSerializer(designated_code(designation, now=timezone.now())).data)

    @extend_schema(responses={200: EventCodeSerializer})
    def retrieve(self, request, *args, **kwargs):
        """The designated code, as a row of the event's codes; 404 when none is designated."""
        return self.answer(self.get_object())

    @extend_schema(request=DiscountCodeInputSerializer, responses={200: EventCodeSerializer})
    def update(self, request, *args, **kwargs):
        """Designate the code with this text (a voucher of the event, or a coupon or promo code whose
        series allows it), replacing the one designated. 400 ``code_not_found`` or
        ``not_valid_for_event``, with ``field: code``."""
        body = DiscountCodeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scope = series_scope(self.access, WRITE)
        coupons = None if scope.everything else scope.coupons(Coupon.objects.all())
        code = body.validated_data["code"]
        return self.answer(event_discount_code_set(event=self.event, code=code, coupons=coupons))

    @extend_schema(responses={204: OpenApiResponse(description="Removed; the code itself stays.")})
    def destroy(self, request, *args, **kwargs):
        """Remove the designation (the code itself stays); 404 when none is designated."""
        event_discount_code_delete(designation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

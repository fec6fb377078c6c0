"""Public price preview: /api/v1/organizers/<o>/events/<e>/price-preview/ (no token, throttled)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.errors import DomainError
from core.throttling import ClientAddressThrottle
from orders.api.serializers.inputs import PreviewSerializer, position_specs
from orders.api.serializers.outputs import PricedViewSerializer, priced_view_data
from orders.selectors import price_preview
from ticketing.models import Event


class PreviewThrottle(ClientAddressThrottle):
    """Per client address (``core.throttling``), at ``DEFAULT_THROTTLE_RATES["public"]`` (its own counter)."""

    scope = "public"
    bucket = "price_preview"


class EventNotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_detail = "There is no such event on sale."


class PricePreviewViewSet(viewsets.ViewSet):
    """Public: price positions and codes as the checkout would, without storing anything."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PreviewThrottle]

    @extend_schema(
        request=PreviewSerializer,
        responses={
            200: PricedViewSerializer,
            400: OpenApiResponse(description="A position or code is refused: {code, detail}."),
            404: OpenApiResponse(description="No such live event."),
            409: OpenApiResponse(description="Sold out (quota_exceeded)."),
            429: OpenApiResponse(description="Too many previews from this address; see Retry-After."),
        },
    )
    def create(self, request, organizer_slug: str, event_slug: str):
        event = (
            Event.objects.filter(organizer__slug=organizer_slug, slug=event_slug, live=True)
            .select_related("organizer")
            .first()
        )
        if event is None:
            raise EventNotFound()
        context = {"organizer": event.organizer, "event": event, "request": request}
        body = PreviewSerializer(data=request.data, context=context)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        view = price_preview(
            event=event, sales_channel=data["sales_channel"], positions=position_specs(data["positions"]),
            codes=data["codes"], email=data["email"], now=timezone.now(), gift_cards=data["gift_cards"],
        )  # fmt: skip
        return Response(priced_view_data(view, context, with_refs=False))

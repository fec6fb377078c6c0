"""Gift cards of an organizer: /api/v1/organizers/<o>/giftcards/ (docs/giftcards.md)."""

from __future__ import annotations

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from vouchers.api.filters import GiftCardFilter
from vouchers.api.ordering import NullsOrderingFilter
from vouchers.api.serializers.giftcards import (
    GiftCardCreateSerializer,
    GiftCardGenerateSerializer,
    GiftCardSerializer,
    GiftCardsGeneratedSerializer,
    GiftCardTransactionSerializer,
    GiftCardTransactSerializer,
)
from vouchers.api.views.coupons import CodesPermissionMixin
from vouchers.models import GiftCard, GiftCardTransaction
from vouchers.selectors import organizer_gift_cards
from vouchers.services.giftcards import (
    gift_card_create,
    gift_card_transact,
    gift_card_update,
    gift_cards_generate,
)


def writer(request) -> dict:
    """The ledger's ``user`` / ``token`` for the request's caller (a team token, or a logged-in user)."""
    token = getattr(request.user, "token", None)  # ticketing.api.authentication.TokenPrincipal
    if token is not None:
        return {"user": None, "token": token}
    return {"user": request.user, "token": None}


class GiftCardViewSet(
    CodesPermissionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Gift cards of the organizer, with their balance (the sum of their ledger). Like every
    organizer-wide code they need a team with all events, and ``can_view_vouchers`` to read,
    ``can_change_vouchers`` to write. Filters ``code``, ``has_balance``, ``expired``, ``event``; ordering
    ``id`` (default), ``created``, ``expires``, ``balance``."""

    queryset = GiftCard.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = GiftCardSerializer
    filterset_class = GiftCardFilter
    filter_backends = [DjangoFilterBackend, NullsOrderingFilter]
    ordering_fields = ("id", "created", "expires", "balance")
    ordering_nulls_largest = ("expires",)
    ordering = ("id",)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return organizer_gift_cards(self.organizer)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["now"] = timezone.now()
        return context

    def fresh(self, card: GiftCard) -> GiftCard:
        return self.get_queryset().get(pk=card.pk)

    @extend_schema(request=GiftCardCreateSerializer, responses={201: GiftCardSerializer})
    def create(self, request, *args, **kwargs):
        """Issue a card worth ``initial_value`` (its ``issue`` transaction); an empty ``code`` is
        generated."""
        body = GiftCardCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        card = gift_card_create(organizer=self.organizer, **body.validated_data, **writer(request))
        data = GiftCardSerializer(self.fresh(card), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        card = gift_card_update(card=serializer.instance, **serializer.validated_data)
        serializer.instance = self.fresh(card)

    @extend_schema(request=GiftCardGenerateSerializer, responses={201: GiftCardsGeneratedSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request, *args, **kwargs):
        """Issue ``count`` (≤ 1,000) cards worth ``value`` each, with unpredictable codes free among the
        organizer's codes (``prefix`` + ``length`` random characters), in one transaction."""
        body = GiftCardGenerateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        cards = gift_cards_generate(organizer=self.organizer, **body.validated_data, **writer(request))
        data = {"created": len(cards), "gift_cards": [{"id": c.pk, "code": c.code} for c in cards]}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GiftCardTransactSerializer, responses={200: GiftCardSerializer})
    @action(detail=True, methods=["post"])
    def transact(self, request, *args, **kwargs):
        """Top up (a positive ``value``: ``top_up``) or correct (negative: ``correction``) the card, with
        ``text`` saying why; answers the card with its new balance. Refused: 409 ``gift_card_overdrawn``
        when the balance would go below zero (the body says the ``balance`` there is), 400
        ``gift_card_expired`` on an expired card."""
        card = self.get_object()
        context = {**self.get_serializer_context(), "card": card}
        body = GiftCardTransactSerializer(data=request.data, context=context)
        body.is_valid(raise_exception=True)
        gift_card_transact(card=card, **body.validated_data, **writer(request), now=timezone.now())
        return Response(GiftCardSerializer(self.fresh(card), context=context).data)

    @extend_schema(responses={200: GiftCardTransactionSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def transactions(self, request, *args, **kwargs):
        """The card's ledger, oldest first (paginated)."""
        card = self.get_object()
        rows = GiftCardTransaction.objects.filter(card=card).select_related("user").order_by("id")
        page = self.paginate_queryset(rows)
        for row in page:
            row.card = card
        return self.get_paginated_response(GiftCardTransactionSerializer(page, many=True).data)

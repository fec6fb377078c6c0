"""Pieces shared by this app's admin pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core.errors import ConflictError
from ticketing.admin.scoping import accesses_of
from ticketing.rights import VOUCHERS
from ticketing.selectors import OrganizerAccess
from vouchers.scope import reach_refusal, series_scope
from vouchers.services.coupons import coupons_delete


def validity(valid_from, valid_until) -> str:
    if valid_from is None and valid_until is None:
        return "always"
    start = f"{valid_from:%Y-%m-%d %H:%M}" if valid_from else "…"
    end = f"{valid_until:%Y-%m-%d %H:%M}" if valid_until else "…"
    return f"{start} – {end}"


class ValidityFilter(admin.SimpleListFilter):
    """Whether the dates include now; ``date_fields`` name the lookups of the start and end."""

    title = "validity"
    parameter_name = "validity"
    date_fields = ("valid_from", "valid_until")

    def lookups(self, request, model_admin):
        return (("current", "Valid now"), ("future", "Not yet valid"), ("past", "Expired"))

    def queryset(self, request, queryset):
        start, end = self.date_fields
        now = timezone.now()
        if self.value() == "current":
            return queryset.exclude(**{f"{start}__gt": now}).exclude(**{f"{end}__lt": now})
        if self.value() == "future":
            return queryset.filter(**{f"{start}__gt": now})
        if self.value() == "past":
            return queryset.filter(**{f"{end}__lt": now})
        return queryset


class SeriesValidityFilter(ValidityFilter):
    date_fields = ("series__valid_from", "series__valid_until")


def titled_boolean_filter(title: str) -> type[admin.BooleanFieldListFilter]:
    """A yes/no list filter with its own title: two filters on fields both named ``active`` (a coupon's
    and its series') would both read "By active"."""

    class TitledBooleanFilter(admin.BooleanFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledBooleanFilter


class SeriesScoping:
    """For the admins of coupon series (``series_ref = "pk"``), coupons and promo codes: the series a team
    reaches as in the API (``vouchers.scope``): a team with all events every series of its organizer, a
    team limited to some events the series limited to events it has the permission on. Mix in before
    ``OrganizerScopedAdmin``."""

    rights = VOUCHERS
    organizer_path = "organizer"
    series_ref = "series_id"

    def access_q(
        self, access: OrganizerAccess, permission: str | None, *, all_events: bool | None = None
    ) -> Q:
        own = Q(organizer_id=access.organizer.pk)
        return own & series_scope(access, permission).series_q(self.series_ref)

    def access_holds(self, access: OrganizerAccess, permission: str | None) -> bool:
        return access.holds(permission)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a class made for this request: it may carry who
        if not request.user.is_superuser:
            form.editor_accesses = tuple(accesses_of(request))
        return form


class ReachCheckedForm:
    """A form of a code that sets its events: a team limited to some events keeps the code among the events
    it may change codes of (``vouchers.scope.reach_refusal``, as the API). ``SeriesScoping`` tells the form
    the editor's teams; a superuser's form checks nothing."""

    editor_accesses: tuple[OrganizerAccess, ...] | None = None

    def refuse_outside_reach(self, organizer, *, all_events: bool, events) -> None:
        if self.editor_accesses is None or organizer is None:
            return
        access = next((a for a in self.editor_accesses if a.organizer.pk == organizer.pk), None)
        refusal = reach_refusal(access, all_events=all_events, events=list(events or ()))
        if refusal:
            self.add_error(None, refusal)


class ActivationActions:
    """The activate / deactivate admin actions: they switch the selected rows through a service.

    Subclasses implement ``set_active(ids, active)`` by calling their service; it returns how many changed.
    """

    def set_active(self, ids: Iterable[int], active: bool) -> int:
        raise NotImplementedError

    @admin.action(description="Activate the selected %(verbose_name_plural)s")
    def activate(self, request, queryset):
        self.switch(request, queryset, active=True)

    @admin.action(description="Deactivate the selected %(verbose_name_plural)s")
    def deactivate(self, request, queryset):
        self.switch(request, queryset, active=False)

    def switch(self, request, queryset, *, active: bool) -> None:
        ids: Iterable[int] = queryset.values_list("pk", flat=True)
        changed = self.set_active(ids, active)
        verb = "Activated" if active else "Deactivated"
        self.message_user(request, f"{verb} {changed} {self.opts.verbose_name_plural}.", messages.SUCCESS)


class KeepsUsedCodes:
    """Codes that orders used are not deleted from the back office either (the API answers 409
    ``*_in_use``): the delete page lists them as protected, each with what to do instead, and deletes
    nothing. Subclasses implement ``used_lines(objs)``: a line for each used object among ``objs``."""

    def used_lines(self, objs) -> list[str]:
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *self.used_lines(objs)]


def orders_text(count: int) -> str:
    return f"{count} order" if count == 1 else f"{count} orders"


class CouponDeletion(KeepsUsedCodes):
    """A coupon admin's deletes, one or many, through ``coupons_delete``: used coupons are kept,
    the others recorded and deleted, a stand-alone coupon's or promo code's private series with them."""

    def used_lines(self, objs) -> list[str]:
        kind = self.opts.verbose_name.capitalize()
        return [
            f"{kind} {coupon.code}: used by {orders_text(coupon.used_orders)}; deactivate it instead"
            for coupon in objs
            if coupon.used_orders > 0
        ]

    def delete_model(self, request, obj):
        coupons_delete(coupons=[obj])

    def delete_queryset(self, request, queryset):
        coupons_delete(coupons=list(queryset))


class ServiceRefusalShowsForm:
    """A code's page saves through the services, which decide under their locks and claims: a code text
    another request created, or a code it used, after the form's checks ran is refused there, and the
    admin's transaction rolls back. The page is then posted once more, and the form's checks, which now
    see that request's work, show the refusal on the form as usual."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, ConflictError):
            if request.method != "POST":
                raise
            return super().changeform_view(request, object_id, form_url, extra_context)

"""The audit log in the back office: a read-only list of the entries the user's teams may read (the rules of
the API's ``logs/``: ``audit.selectors.readable_entries_q``), and the history page of every audited object
(events, items, quotas, rules, codes, orders) read from it. Gift card codes are masked for a reader who
may not read gift cards (``audit.masking``), on both."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from audit.masking import ShownEntry, reveals_gift_cards, shown_entry
from audit.models import AuditEntry
from audit.recording import AUDITED, object_type_of
from audit.selectors import object_entries, readable_entries_q
from ticketing.admin.scoping import OrganizerScopedAdmin, accesses_of
from ticketing.rights import VISIBLE
from ticketing.selectors import OrganizerAccess


def changes_html(changes: dict):
    """``field: before → after``, one per line."""
    rows = ((name, _shown(before), _shown(after)) for name, (before, after) in sorted(changes.items()))
    return format_html_join("", "<div><code>{}</code>: {} → {}</div>", rows)


def revealing_organizers(request) -> list[int] | None:
    """The organizers whose gift card codes the user may read (None: all, a superuser)."""
    if request.user.is_superuser:
        return None
    return [access.organizer.pk for access in accesses_of(request) if reveals_gift_cards(access)]


def shown_to(request, entry: AuditEntry) -> ShownEntry:
    """The entry as the user may see it: a gift card's code masked unless a team of theirs in the entry's
    organizer may read gift cards."""
    organizers = revealing_organizers(request)
    return shown_entry(entry, reveals_codes=organizers is None or entry.organizer_id in organizers)


def _shown(value) -> str:
    return "—" if value is None else str(value)


@admin.register(AuditEntry)
class AuditEntryAdmin(OrganizerScopedAdmin):
    organizer_path = "organizer"
    rights = VISIBLE  # each entry's type and event decide: readable_entries_q
    list_display = ("created", "object_type", "shown_object", "action", "actor", "source", "event")
    list_filter = ("object_type", "action", "source")
    search_fields = ("object_repr", "object_id", "actor", "request_id")
    readonly_fields = (
        "created", "organizer", "event", "object_type", "object_id", "shown_object", "action",
        "changes_shown", "source", "user", "token", "actor", "request_id",
    )  # fmt: skip
    fields = readonly_fields
    list_select_related = ("event",)

    def access_q(
        self, access: OrganizerAccess, permission: str | None, *, all_events: bool | None = None
    ) -> Q:
        return readable_entries_q(access)

    def access_holds(self, access: OrganizerAccess, permission: str | None) -> bool:
        return True  # every member reads some entries (those of the events their team has)

    def get_queryset(self, request):
        # Whether the user may read each entry's gift card code, on the row: one model admin serves every
        # request, so the columns below cannot ask it.
        organizers = revealing_organizers(request)
        reveals = Value(True) if organizers is None else Q(organizer_id__in=organizers)
        revealing = ExpressionWrapper(reveals, output_field=BooleanField())
        return super().get_queryset(request).annotate(reveals_codes=revealing)

    def shown(self, entry: AuditEntry) -> ShownEntry:
        return shown_entry(entry, reveals_codes=bool(getattr(entry, "reveals_codes", False)))

    @admin.display(description="object", ordering="object_repr")
    def shown_object(self, entry: AuditEntry) -> str:
        return self.shown(entry).object_repr

    @admin.display(description="changes")
    def changes_shown(self, entry: AuditEntry):
        return changes_html(self.shown(entry).changes)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


def audited_history_view(model_admin: admin.ModelAdmin):
    """A ``history_view`` for ``model_admin`` that shows the object's audit log entries; the object is
    looked up through the model admin's own (organizer-scoped) queryset, so another organizer's object
    answers like a missing one."""

    def history_view(request, object_id, extra_context=None):
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None:  # as Django's own history page: back to the index, "… doesn't exist"
            return model_admin._get_obj_does_not_exist_redirect(request, model_admin.model._meta, object_id)
        if not model_admin.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = list(object_entries(object_type=object_type_of(type(obj)), object_id=obj.pk))
        rows = [(entry, changes_html(shown_to(request, entry).changes)) for entry in entries]
        context = {
            **model_admin.admin_site.each_context(request),
            "title": format_html("History: {}", obj),
            "subtitle": None,
            "object": obj,
            "opts": model_admin.model._meta,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit/object_history.html", context)

    return history_view


def use_audit_history(site: admin.AdminSite) -> None:
    """Point the history page of every audited model's admin at the audit log."""
    from django.apps import apps

    for label in AUDITED:
        model_admin = site._registry.get(apps.get_model(label))
        if model_admin is not None:
            model_admin.history_view = audited_history_view(model_admin)


use_audit_history(admin.site)

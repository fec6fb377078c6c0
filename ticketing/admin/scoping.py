"""A staff member sees and changes in the back office what their teams' rights give them, as in the API.

Superusers see everything. For any other user, a model admin built on ``OrganizerScopedAdmin`` (an inline:
on ``OrganizerScopedInline``) names its ``rights`` (``ticketing.rights``: the same ones as the API's view of
the resource), ``organizer_path`` (from the model to its Organizer) and ``event_path`` (to its Event; None
for organizer-wide rows), and guarantees, with the rights counted team by team
(``ticketing.selectors.OrganizerAccess``, which the API asks too):

- Rows: its queryset holds only the rows a team of the user reads: of its organizer, of the events the team
  has (all of them, or its ``limit_events``), with the team's read permission (``rights.read``). The
  changelist, the change, delete and history pages, the actions, the autocomplete endpoint and inline rows
  all go through it, so a row out of reach answers like a missing one.
- Changes: a row is changed, deleted, or acted on by an action only where a team gives the write
  permission on it (``rights.write``); elsewhere its page is read-only and actions skip it. Adding needs
  ``rights.create`` somewhere. Actions named in ``read_actions`` (an export) only need to read the rows.
- Choices: every related-object choice of its forms (foreign keys, many-to-many, raw-id and autocomplete
  fields, model choice fields the form declares itself) offers and accepts only objects the user could
  change this resource with: of the organizers and events where a team gives ``rights.write``.
- Filters: list filters on related objects list only objects the user may read.

Django's own model permissions still apply on top (a superuser grants them with staff status). The paths of
a related model are those of its own model admin, else the ones in ``RELATED_PATHS``. A choice of a model
with no known paths raises ``ImproperlyConfigured``; it is never left open.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.forms import ModelChoiceField

from ticketing.admin.display import AMOUNT_INPUTS
from ticketing.models import Organizer
from ticketing.rights import NOTHING, VISIBLE, Rights, reach_q
from ticketing.selectors import OrganizerAccess, organizer_accesses

ACCESSES_ATTR = "_ticketing_organizer_accesses"
REACHED_ATTR = "_ticketing_reached"


@dataclass(frozen=True)
class RowPaths:
    """Where the rows of a model without a model admin lead: to their organizer and their event."""

    organizer_path: str
    event_path: str | None
    rights: Rights = VISIBLE

    def access_q(self, access: OrganizerAccess, permission: str | None, *, all_events: bool = False) -> Q:
        return reach_q(
            access, permission, organizer_path=self.organizer_path, event_path=self.event_path,
            all_events=all_events,
        )  # fmt: skip


# Models that forms offer as choices but that have no model admin of their own.
RELATED_PATHS = {
    "ticketing.ItemVariation": RowPaths("item__event__organizer", "item__event"),
    settings.AUTH_USER_MODEL: RowPaths("teams__organizer", None),  # team members: people of the organizers
}


def accesses_of(request) -> list[OrganizerAccess]:
    """The user's access to each organizer of their teams, read once per request."""
    found = getattr(request, ACCESSES_ATTR, None)
    if found is None:
        user = request.user
        found = organizer_accesses(user) if user.is_authenticated else []
        setattr(request, ACCESSES_ATTR, found)
    return found


def reached_q(request, access_q) -> Q | None:
    """``access_q(access)`` over the user's organizers, or None for a superuser (no limit)."""
    if request.user.is_superuser:
        return None
    condition = NOTHING
    for access in accesses_of(request):
        condition |= access_q(access)
    return condition


class OrganizerScoping:
    """What model admins and inlines share (see the module's docstring)."""

    organizer_path: str | None = None
    event_path: str | None = None
    rights: Rights | None = None
    formfield_overrides = AMOUNT_INPUTS  # not scoping, but every back-office page shares it: see display

    def get_organizer_path(self) -> str:
        if self.organizer_path is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set organizer_path.")
        return self.organizer_path

    def get_rights(self) -> Rights:
        if self.rights is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set rights (ticketing.rights).")
        return self.rights

    # Rows ----------------------------------------------------------------------------------------------

    def access_q(
        self, access: OrganizerAccess, permission: str | None, *, all_events: bool | None = None
    ) -> Q:
        """This model's rows of ``access.organizer`` that ``permission`` reaches (``ticketing.rights``)."""
        return reach_q(
            access, permission, organizer_path=self.get_organizer_path(), event_path=self.event_path,
            all_events=self.get_rights().all_events if all_events is None else all_events,
        )  # fmt: skip

    def access_holds(self, access: OrganizerAccess, permission: str | None) -> bool:
        """Whether ``permission`` may reach some rows of ``access.organizer`` (before looking at rows)."""
        return access.holds(permission, all_events=self.get_rights().all_events)

    def reached(self, queryset: models.QuerySet, request, permission: str | None) -> models.QuerySet:
        condition = reached_q(request, lambda access: self.access_q(access, permission))
        return queryset if condition is None else queryset.filter(condition)

    def get_queryset(self, request):
        return self.reached(super().get_queryset(request), request, self.get_rights().read)

    def holds_somewhere(self, request, permission: str | None) -> bool:
        if request.user.is_superuser:
            return True
        return any(self.access_holds(access, permission) for access in accesses_of(request))

    def reaches(self, request, obj, permission: str | None) -> bool:
        """Whether ``permission`` reaches the row ``obj`` of this model (``obj`` None: some row)."""
        if request.user.is_superuser:
            return True
        if obj is None or obj.pk is None:
            return self.holds_somewhere(request, permission)
        cache = request.__dict__.setdefault(REACHED_ATTR, {})
        key = (type(self).__name__, obj.pk, permission)
        if key not in cache:
            rows = self.model._base_manager.filter(pk=obj.pk)
            cache[key] = self.reached(rows, request, permission).exists()
        return cache[key]

    # Choices -------------------------------------------------------------------------------------------

    def scoping_of(self, model: type[models.Model]) -> OrganizerScoping | RowPaths:
        model = model._meta.concrete_model
        if model is Organizer:
            return self.admin_site._registry[Organizer]
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, OrganizerScoping):
            return related_admin
        paths = RELATED_PATHS.get(model._meta.label)
        if paths is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: no path from {model._meta.label} to its organizer; "
                "add one to ticketing.admin.scoping.RELATED_PATHS."
            )
        return paths

    def choice_permission(self) -> str | None:
        """What a team must give on a chosen object's organizer or event: what changes this resource."""
        return self.get_rights().write

    def limit_choices(self, queryset: models.QuerySet, request) -> models.QuerySet:
        """The objects of ``queryset`` the user could change this resource with."""
        related = self.scoping_of(queryset.model)  # also for superusers: a missing path shows in every test
        all_events = self.get_rights().all_events or related.rights.all_events
        permission = self.choice_permission()
        return self.pick(queryset, request, lambda a: related.access_q(a, permission, all_events=all_events))

    def visible_choices(self, queryset: models.QuerySet, request) -> models.QuerySet:
        """The objects of ``queryset`` the user may read (a list filter's)."""
        related = self.scoping_of(queryset.model)
        return self.pick(queryset, request, lambda access: related.access_q(access, related.rights.read))

    def pick(self, queryset: models.QuerySet, request, access_q) -> models.QuerySet:
        condition = reached_q(request, access_q)
        if condition is None:
            return queryset
        # A subquery: the path may be many-valued (users' teams) and ``queryset`` keeps its joins.
        allowed = queryset.model._base_manager.filter(condition)
        return queryset.filter(pk__in=allowed.values("pk"))

    def limit_formfield(self, formfield, request):
        if isinstance(formfield, ModelChoiceField):
            formfield.queryset = self.limit_choices(formfield.queryset, request)
        return formfield

    def limit_declared_choices(self, form, request):
        """Model choice fields the form class declares skip ``formfield_for_*``: limit them here.

        ``form`` is the class the admin has just built; the declared field itself is shared with the
        form's base class, so it is replaced by a copy.
        """
        for name in form.declared_fields:
            field = form.base_fields.get(name)
            if isinstance(field, ModelChoiceField):
                form.base_fields[name] = self.limit_formfield(copy.deepcopy(field), request)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self.limit_formfield(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self.limit_formfield(super().formfield_for_manytomany(db_field, request, **kwargs), request)


class OrganizerScopedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-object list filter that lists the objects the user may read only."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        allowed = model_admin.visible_choices(field.related_model._base_manager.all(), request)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": allowed.values("pk")}, ordering=ordering
        )


def autocomplete_source(request, site: admin.AdminSite) -> OrganizerScoping | None:
    """On the autocomplete endpoint, the model admin whose form asks (its choices limit the answer)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "autocomplete":
        return None
    for model, model_admin in site._registry.items():
        if (model._meta.app_label, model._meta.model_name) == (
            request.GET.get("app_label"),
            request.GET.get("model_name"),
        ):
            return model_admin if isinstance(model_admin, OrganizerScoping) else None
    return None


class OrganizerScopedAdmin(OrganizerScoping, admin.ModelAdmin):
    """A model admin limited to what the user's teams give (see the module's docstring)."""

    #: Actions that only read the selected rows; every other one changes them.
    read_actions: tuple[str, ...] = ()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.reaches(
            request, obj, self.get_rights().read
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and self.reaches(request, obj, self.get_rights().write)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and self.reaches(request, obj, self.get_rights().write)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.holds_somewhere(request, self.get_rights().create)

    def get_form(self, request, obj=None, **kwargs):
        return self.limit_declared_choices(super().get_form(request, obj, **kwargs), request)

    def get_list_filter(self, request):
        return [self.scoped_list_filter(entry) for entry in super().get_list_filter(request)]

    def scoped_list_filter(self, entry):
        """A plain ``"field__path"`` to a related object gets the scoped filter; others stay as declared."""
        if isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation:
            return (entry, OrganizerScopedFieldListFilter)
        return entry

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = autocomplete_source(request, self.admin_site)
        if source is not None:  # the asking form accepts only its own choices: offer no others
            queryset = source.limit_choices(queryset, request)
        return queryset, may_have_duplicates

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.is_superuser:
            return actions
        changes = self.has_change_permission(request)
        kept = {}
        for name, (func, action_name, description) in actions.items():
            if name in self.read_actions:
                kept[name] = (func, action_name, description)
            elif changes:
                kept[name] = (self.on_changeable_rows(func), action_name, description)
        return kept

    def on_changeable_rows(self, func):
        """The action, run on the selected rows the user may change only."""

        @functools.wraps(func)
        def action(model_admin, request, queryset):
            return func(model_admin, request, model_admin.reached(queryset, request, self.get_rights().write))

        return action

    def _get_list_editable_queryset(self, request, prefix):
        # The list's editable rows that are saved: those the user may change (others are refused as unknown).
        rows = super()._get_list_editable_queryset(request, prefix)
        return self.reached(rows, request, self.get_rights().write)


class OrganizerScopedInline(OrganizerScoping):
    """An inline limited like a model admin; combine with ``admin.TabularInline``. Its rows are changed
    only where the page's own object may be changed and a team gives the inline's write permission on it."""

    def parent_admin(self) -> OrganizerScopedAdmin:
        return self.admin_site._registry[self.parent_model]

    def parent_reaches(self, request, obj, permission: str | None) -> bool:
        return self.parent_admin().reaches(request, obj, permission)

    def writable(self, request, obj) -> bool:
        parent = self.parent_admin()
        if obj is None:
            return parent.has_add_permission(request) and parent.holds_somewhere(
                request, self.get_rights().create
            )
        return parent.has_change_permission(request, obj) and self.parent_reaches(
            request, obj, self.get_rights().write
        )

    def has_view_permission(self, request, obj=None):
        readable = self.parent_reaches(request, obj, self.get_rights().read)
        return super().has_view_permission(request, obj) and readable

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self.writable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.writable(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        self.limit_declared_choices(formset.form, request)
        return formset


class SuperusersOnly:
    """A model admin that only superusers may see or use."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def register_for_superusers_only(model: type[models.Model], site: admin.AdminSite = admin.site) -> None:
    """Re-register ``model``'s admin (e.g. django.contrib.auth's) for superusers only."""
    registered = type(site.get_model_admin(model))
    site.unregister(model)
    site.register(model, type(registered.__name__, (SuperusersOnly, registered), {}))

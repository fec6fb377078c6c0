"""A staff member sees the organizers of their teams in the back office, and nothing of the others.

Superusers see everything. For any other user, a model admin built on ``OrganizerScopedAdmin``
(an inline: on ``OrganizerScopedInline``) guarantees:

- Rows: its queryset holds only the rows whose ``organizer_path`` leads to one of
  ``organizers_of(user)``. The changelist, the change, delete and history pages, the actions,
  the autocomplete endpoint and inline rows all go through it, so a row of another organizer
  answers like a missing one.
- Choices: every related-object choice of its forms (foreign keys, many-to-many, raw-id and
  autocomplete fields, model choice fields the form declares itself) offers and accepts only
  objects of those organizers. Nothing can be made to point to another organizer.
- Filters: list filters on related objects list only objects of those organizers.

The path of a related model is the ``organizer_path`` of its own model admin, else the one in
``RELATED_PATHS``. A choice of a model with no known path raises ``ImproperlyConfigured``; it is
never left open.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.forms import ModelChoiceField

from ticketing.admin.display import AMOUNT_INPUTS
from ticketing.models import Organizer

# Models that forms offer as choices but that have no model admin of their own.
RELATED_PATHS = {
    "ticketing.ItemVariation": "item__event__organizer",
    settings.AUTH_USER_MODEL: "teams__organizer",  # team members: people of the user's organizers
}


def organizers_of(user) -> models.QuerySet:
    """The ids of the organizers of the teams ``user`` is a member of, as a subquery."""
    if not user.is_authenticated:
        return Organizer.objects.none().values("pk")
    return Organizer.objects.filter(teams__members=user).values("pk")


def limit_to_organizers(queryset: models.QuerySet, user, path: str) -> models.QuerySet:
    """The rows of ``queryset`` whose ``path`` ("pk" for organizers) leads to one of the user's organizers."""
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{path}__in": organizers_of(user)})


class OrganizerScoping:
    """What model admins and inlines share; ``organizer_path`` leads from the model to its Organizer."""

    organizer_path: str | None = None
    formfield_overrides = AMOUNT_INPUTS  # not scoping, but every back-office page shares it: see display

    def get_organizer_path(self) -> str:
        if self.organizer_path is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set organizer_path.")
        return self.organizer_path

    def get_queryset(self, request):
        return limit_to_organizers(super().get_queryset(request), request.user, self.get_organizer_path())

    def path_of(self, model: type[models.Model]) -> str:
        model = model._meta.concrete_model
        if model is Organizer:
            return "pk"
        related_admin = self.admin_site._registry.get(model)
        path = getattr(related_admin, "organizer_path", None) or RELATED_PATHS.get(model._meta.label)
        if path is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: no path from {model._meta.label} to its organizer; "
                "add one to ticketing.admin.scoping.RELATED_PATHS."
            )
        return path

    def limit_choices(self, queryset: models.QuerySet, request) -> models.QuerySet:
        model = queryset.model
        path = self.path_of(model)  # also for superusers: a missing path shows in every test
        if request.user.is_superuser:
            return queryset
        # A subquery: the path may be many-valued (users' teams) and ``queryset`` keeps its joins.
        allowed = limit_to_organizers(model._base_manager.all(), request.user, path)
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
    """A related-object list filter that lists the objects of the user's organizers only."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        allowed = model_admin.limit_choices(field.related_model._base_manager.all(), request)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": allowed.values("pk")}, ordering=ordering
        )


class OrganizerScopedAdmin(OrganizerScoping, admin.ModelAdmin):
    """A model admin limited to the user's organizers (see the module's docstring)."""

    def get_form(self, request, obj=None, **kwargs):
        return self.limit_declared_choices(super().get_form(request, obj, **kwargs), request)

    def get_list_filter(self, request):
        return [self.scoped_list_filter(entry) for entry in super().get_list_filter(request)]

    def scoped_list_filter(self, entry):
        """A plain ``"field__path"`` to a related object gets the scoped filter; others stay as declared."""
        if isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation:
            return (entry, OrganizerScopedFieldListFilter)
        return entry


class OrganizerScopedInline(OrganizerScoping):
    """An inline limited to the user's organizers; combine with ``admin.TabularInline``."""

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

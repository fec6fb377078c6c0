"""Back office for organizers, their sales channels, teams and API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin  # noqa: F401  (registers User, Group: see the end)
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Count

from ticketing.admin.forms import SharedValidationForm
from ticketing.admin.scoping import (
    OrganizerScopedAdmin,
    OrganizerScopedInline,
    register_for_superusers_only,
)
from ticketing.models import Event, Organizer, SalesChannel, Team, TeamAPIToken
from ticketing.rights import ORGANIZER, TEAMS
from ticketing.services import sales_channel_ensure_web, team_token_create

PERMISSION_COLUMNS = tuple(Team.PERMISSIONS)


def show_token_once(request, team: Team, raw: str) -> None:
    messages.warning(
        request,
        f"API token for {team}: {raw} — copy it now, it is not stored and will not be shown again.",
    )


class SalesChannelInlineFormSet(forms.BaseInlineFormSet):
    """``web`` always exists: it can be relabelled, not deleted or renamed."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if form.instance.pk is None or form.instance.identifier != SalesChannel.WEB:
                continue
            if self.can_delete and self._should_delete_form(form):
                raise ValidationError("The 'web' sales channel always exists and cannot be deleted.")
            if form.cleaned_data.get("identifier", SalesChannel.WEB) != SalesChannel.WEB:
                raise ValidationError("The identifier of the 'web' sales channel cannot be changed.")


class SalesChannelInline(OrganizerScopedInline, admin.TabularInline):
    model = SalesChannel
    organizer_path = "organizer"
    rights = ORGANIZER
    formset = SalesChannelInlineFormSet
    fields = ("identifier", "label", "position")
    extra = 0


class TeamInline(OrganizerScopedInline, admin.TabularInline):
    """An overview; members, events and tokens are edited on the team's own page."""

    model = Team
    organizer_path = "organizer"
    rights = TEAMS
    fields = ("name", "all_events", *PERMISSION_COLUMNS)
    extra = 0
    show_change_link = True


@admin.register(Organizer)
class OrganizerAdmin(OrganizerScopedAdmin):
    organizer_path = "pk"
    rights = ORGANIZER
    list_display = ("name", "slug", "event_count")
    search_fields = ("name", "slug")
    ordering = ("name", "id")  # the event count groups rows, which drops Meta.ordering (autocomplete pages)
    inlines = (SalesChannelInline, TeamInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_events=Count("events", distinct=True))

    @admin.display(description="events", ordering="num_events")
    def event_count(self, obj: Organizer) -> int:
        return obj.num_events

    def get_readonly_fields(self, request, obj=None):
        # The slug is part of every API URL of the organizer.
        return ("slug",) if obj is not None else ()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines, so a 'web' row typed into the add form is not created twice.
        sales_channel_ensure_web(organizer=form.instance)


@admin.register(SalesChannel)
class SalesChannelAdmin(OrganizerScopedAdmin):
    organizer_path = "organizer"
    rights = ORGANIZER
    list_display = ("identifier", "label", "organizer", "position")
    list_filter = ("organizer",)
    search_fields = ("identifier", "label", "organizer__slug", "organizer__name")
    list_select_related = ("organizer",)
    autocomplete_fields = ("organizer",)

    def get_readonly_fields(self, request, obj=None):
        # Items and orders refer to channels by identifier; the API refuses renames too.
        return ("organizer", "identifier") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.identifier == SalesChannel.WEB:
            return False
        return super().has_delete_permission(request, obj)


class TeamForm(SharedValidationForm):
    class Meta:
        model = Team
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        organizer = self.value("organizer")
        foreign = [e for e in cleaned.get("limit_events", ()) if organizer and e.organizer_id != organizer.pk]
        if foreign:
            self.add_error(
                "limit_events", f"Events of another organizer: {', '.join(e.slug for e in foreign)}."
            )
        return cleaned


class TeamAPITokenInline(OrganizerScopedInline, admin.TabularInline):
    model = TeamAPIToken
    organizer_path = "team__organizer"
    rights = TEAMS
    fields = ("name", "prefix", "active", "created")
    readonly_fields = ("name", "prefix", "created")
    extra = 0
    max_num = 0  # tokens are created with the action / the token page, which show the secret once
    can_delete = True


@admin.register(Team)
class TeamAdmin(OrganizerScopedAdmin):
    organizer_path = "organizer"
    rights = TEAMS
    form = TeamForm
    list_display = ("name", "organizer", "all_events", *PERMISSION_COLUMNS)
    list_filter = ("organizer", "all_events")
    search_fields = ("name", "organizer__slug", "organizer__name")
    list_select_related = ("organizer",)
    autocomplete_fields = ("organizer",)
    filter_horizontal = ("members", "limit_events")
    inlines = (TeamAPITokenInline,)
    actions = ("create_api_token",)
    fieldsets = (
        (None, {"fields": ("organizer", "name", "members")}),
        ("Events", {"fields": ("all_events", "limit_events")}),
        ("Permissions", {"fields": PERMISSION_COLUMNS}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organizer")  # str(team) names the organizer

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "limit_events":
            kwargs["queryset"] = Event.objects.select_related("organizer")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description="Create an API token for the selected teams")
    def create_api_token(self, request, queryset):
        for team in queryset.select_related("organizer"):
            created = team_token_create(team=team, name=f"created by {request.user.get_username()}")
            show_token_once(request, team, created.raw)


@admin.register(TeamAPIToken)
class TeamAPITokenAdmin(OrganizerScopedAdmin):
    """Adding a token here generates it; the secret is shown once in a message."""

    organizer_path = "team__organizer"
    rights = TEAMS
    list_display = ("name", "team", "prefix", "active", "created")
    list_filter = ("active", "team__organizer")
    search_fields = ("name", "prefix", "team__name", "team__organizer__slug")
    list_select_related = ("team__organizer",)
    autocomplete_fields = ("team",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("team", "name")
        return ("team", "name", "active", "prefix", "digest", "created")

    def get_readonly_fields(self, request, obj=None):
        return ("team", "prefix", "digest", "created") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = team_token_create(team=obj.team, name=obj.name)
        # The admin goes on with ``obj`` (log entry, redirect): make it the created row.
        obj.__dict__.update({k: v for k, v in created.token.__dict__.items() if k != "_state"})
        obj._state.adding = False
        show_token_once(request, obj.team, created.raw)


# People and permission groups are for superusers: a staff member who could edit them could make
# themselves a superuser, or read the people of every organizer.
register_for_superusers_only(get_user_model())
register_for_superusers_only(Group)

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
    accesses_of,
    register_for_superusers_only,
)
from ticketing.models import Event, Organizer, SalesChannel, Team, TeamAPIToken
from ticketing.rights import ORGANIZER, TEAMS, rights_beyond
from ticketing.selectors import OrganizerAccess
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


class EditorForm(forms.ModelForm):
    """A form that knows who fills it in (``for_editor``): what that user holds decides what they may give."""

    editor = None
    editor_accesses: tuple[OrganizerAccess, ...] = ()

    @classmethod
    def for_editor(cls, request):
        attrs = {"editor": request.user, "editor_accesses": tuple(accesses_of(request))}
        return type(cls.__name__, (cls,), attrs)

    def editor_access(self, organizer: Organizer | None) -> OrganizerAccess | None:
        """The editor's access to ``organizer`` (None: no team in it)."""
        if organizer is None:
            return None
        return next((a for a in self.editor_accesses if a.organizer.pk == organizer.pk), None)

    def beyond_editor(self, team_values: dict) -> list[str]:
        """What a team with ``team_values`` (``organizer``, ``all_events``, ``limit_events`` and the
        permissions) gives that the editor does not hold (``ticketing.rights.rights_beyond``)."""
        if self.editor is None or self.editor.is_superuser:
            return []
        return rights_beyond(
            self.editor_access(team_values["organizer"]),
            permissions=frozenset(p for p in Team.PERMISSIONS if team_values.get(p)),
            all_events=bool(team_values.get("all_events")),
            event_ids=frozenset(event.pk for event in team_values.get("limit_events") or ()),
        )


RAISE_REFUSED = "You may not give a team you are a member of more than you hold yourself: {beyond}."


class TeamRightsForm(EditorForm, SharedValidationForm):
    """A team's form (its page, or its row on the organizer's page): nobody raises their own rights. A
    team the editor is (or becomes) a member of may give only what the editor already holds."""

    def clean(self):
        cleaned = super().clean()
        if self.editor is None or self.editor.is_superuser or self.errors:
            return cleaned
        members = self.many("members")
        if self.editor.pk not in {member.pk for member in members}:
            return cleaned
        values = {name: self.value(name) for name in ("organizer", "all_events", *Team.PERMISSIONS)}
        beyond = self.beyond_editor({**values, "limit_events": self.many("limit_events")})
        if beyond:
            self.add_error(None, RAISE_REFUSED.format(beyond=", ".join(beyond)))
        return cleaned

    def many(self, name: str) -> list:
        """A many-to-many value: as submitted, else as stored (a row on the organizer's page has neither)."""
        if name in self.cleaned_data:
            return list(self.cleaned_data[name])
        return list(getattr(self.instance, name).all()) if self.instance.pk else []


class TeamInline(OrganizerScopedInline, admin.TabularInline):
    """An overview; members, events and tokens are edited on the team's own page."""

    model = Team
    organizer_path = "organizer"
    rights = TEAMS
    form = TeamRightsForm
    fields = ("name", "all_events", *PERMISSION_COLUMNS)
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, form=TeamRightsForm.for_editor(request), **kwargs)


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

    def has_add_permission(self, request):
        return request.user.is_superuser  # no team's right reaches beyond its own organizer

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # nor does it end the organizer (with every team in it)

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


class TeamForm(TeamRightsForm):
    class Meta:
        model = Team
        fields = ("organizer", "name", "members", "all_events", "limit_events", *Team.PERMISSIONS)

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

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, form=TeamForm.for_editor(request), **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "limit_events":
            kwargs["queryset"] = Event.objects.select_related("organizer")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description="Create an API token for the selected teams")
    def create_api_token(self, request, queryset):
        editor = TokenForm.for_editor(request)()
        for team in queryset.select_related("organizer").prefetch_related("limit_events"):
            beyond = editor.beyond_editor(team_values(team))
            if beyond:
                messages.error(request, TOKEN_REFUSED.format(team=team, beyond=", ".join(beyond)))
                continue
            created = team_token_create(team=team, name=f"created by {request.user.get_username()}")
            show_token_once(request, team, created.raw)


TOKEN_REFUSED = "No token for {team}: it would give more than you hold yourself: {beyond}."


def team_values(team: Team) -> dict:
    """A stored team's organizer, events and permissions, as ``EditorForm.beyond_editor`` reads them."""
    values = {name: getattr(team, name) for name in ("organizer", "all_events", *Team.PERMISSIONS)}
    return {**values, "limit_events": list(team.limit_events.all())}


class TokenForm(EditorForm):
    """A token acts as its team: nobody makes one for a team that gives more than they hold."""

    class Meta:
        model = TeamAPIToken
        fields = ("team", "name")

    def clean(self):
        cleaned = super().clean()
        team = cleaned.get("team")
        if team is not None and self.instance.pk is None:
            beyond = self.beyond_editor(team_values(team))
            if beyond:
                self.add_error("team", TOKEN_REFUSED.format(team=team, beyond=", ".join(beyond)))
        return cleaned


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

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TokenForm.for_editor(request)
        return super().get_form(request, obj, **kwargs)

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

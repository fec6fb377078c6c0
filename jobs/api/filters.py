"""Query-parameter filters of the jobs list."""

from __future__ import annotations

from django_filters import rest_framework as filters

from jobs.models import Job, JobKind, JobState
from ticketing.api.filters import FilterSet


class JobFilter(FilterSet):
    kind = filters.ChoiceFilter(choices=JobKind.choices)
    state = filters.ChoiceFilter(choices=JobState.choices)

    class Meta:
        model = Job
        fields = ("kind", "state")

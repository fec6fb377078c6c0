"""The jobs API: /api/v1/organizers/<o>/jobs/, /jobs/<id>/ and /jobs/<id>/download/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from jobs.models import JobFile, JobKind, JobState
from jobs.tests.factories import JobFactory
from ticketing.api.scoping import ORGANIZER_FORBIDDEN
from ticketing.tests.factories import OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizers/demo-org/jobs/"


def test_list_newest_first_with_pages(api, organizer):
    now = timezone.now()
    jobs = [JobFactory(organizer=organizer) for _ in range(3)]
    for age, job in enumerate(reversed(jobs)):
        type(job).objects.filter(pk=job.pk).update(created=now - timedelta(minutes=age))
    body = api.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and body["next"] and body["previous"] is None
    assert [job["id"] for job in body["results"]] == [jobs[2].pk, jobs[1].pk]
    assert [job["id"] for job in api.get(URL, {"page": 2, "page_size": 2}).json()["results"]] == [jobs[0].pk]
    oldest_first = api.get(URL, {"ordering": "created"}).json()["results"]
    assert [job["id"] for job in oldest_first] == [job.pk for job in jobs]


def test_filters_by_kind_and_state(api, organizer):
    generate = JobFactory(organizer=organizer, kind=JobKind.GENERATE_COUPONS, state=JobState.SUCCEEDED)
    export = JobFactory(organizer=organizer, kind=JobKind.EXPORT_COUPONS, state=JobState.FAILED)

    def ids(**query):
        return [job["id"] for job in api.get(URL, query).json()["results"]]

    assert ids(kind="generate_coupons") == [generate.pk]
    assert ids(state="failed") == [export.pk]
    assert ids(kind="export_coupons", state="succeeded") == []
    for query in ({"kind": "nope"}, {"state": ""}, {"colour": "red"}):
        response = api.get(URL, query)
        assert response.status_code == 400 and list(query)[0] in response.json(), query


def test_detail(api, organizer, team):
    token = team.tokens.get()
    job = JobFactory(
        organizer=organizer,
        state=JobState.FAILED,
        done=3_000,
        total=100_000,
        params={"series": 7, "count": 100_000},
        errors=[{"line": 3, "field": "code", "message": "A code needs at least 5 characters."}],
        started_by_token=token,
        request_id="req-1",
        started=timezone.now(),
        finished=timezone.now(),
    )
    body = api.get(f"{URL}{job.pk}/").json()
    assert body == {
        "id": job.pk,
        "kind": "generate_coupons",
        "state": "failed",
        "progress": {"done": 3_000, "total": 100_000},
        "params": {"series": 7, "count": 100_000},
        "result": None,
        "errors": [{"line": 3, "field": "code", "message": "A code needs at least 5 characters."}],
        "download": None,
        "started_by": {"token": token.name},
        "request_id": "req-1",
        "created": body["created"],
        "started": body["started"],
        "finished": body["finished"],
        "heartbeat": None,
        "rerun_of": None,
        "rerun": None,
    }
    assert body["created"].endswith("Z") and body["finished"] is not None


def test_a_user_who_started_a_job_is_named(organizer, team):
    user = UserFactory(username="ann")
    team.members.add(user)
    job = JobFactory(organizer=organizer, started_by_user=user)
    client = APIClient()
    client.force_login(user)
    assert client.get(f"{URL}{job.pk}/").json()["started_by"] == {"user": "ann"}


def test_download_answers_the_output_file(api, organizer):
    job = JobFactory(organizer=organizer, kind=JobKind.EXPORT_COUPONS, state=JobState.SUCCEEDED)
    assert api.get(f"{URL}{job.pk}/download/").status_code == 404
    JobFile.objects.create(job=job, role="output", name="coupons-1.csv", text="code\nABCDEF\n" * 40_000)
    assert api.get(f"{URL}{job.pk}/").json()["download"] == f"http://testserver{URL}{job.pk}/download/"
    response = api.get(f"{URL}{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="coupons-1.csv"'
    assert b"".join(response.streaming_content).decode() == "code\nABCDEF\n" * 40_000


def test_another_organizers_job_is_a_404(api, organizer):
    foreign = JobFactory(organizer=OrganizerFactory(slug="rival"))
    system = JobFactory(organizer=None, kind=JobKind.CLEANUP)
    for job in (foreign, system):
        assert api.get(f"{URL}{job.pk}/").status_code == 404
        assert api.get(f"{URL}{job.pk}/download/").status_code == 404
    assert api.get(URL).json()["count"] == 0
    response = api.get("/api/v1/organizers/rival/jobs/")
    assert response.status_code == 403 and response.json()["detail"] == ORGANIZER_FORBIDDEN


def test_jobs_are_seen_by_whoever_may_read_what_they_work_on(api_for, organizer, event):
    job = JobFactory(organizer=organizer)
    no_codes = api_for(all_events=True, can_change_items=True, can_view_orders=True)
    some_events = api_for(all_events=False, limit_events=[event], can_view_vouchers=True)
    for client in (no_codes, some_events):
        assert client.get(URL).json()["count"] == 0
        assert client.get(f"{URL}{job.pk}/").status_code == 404
    viewer = api_for(all_events=True, can_view_vouchers=True)
    assert viewer.get(f"{URL}{job.pk}/").status_code == 200
    assert viewer.get(URL).json()["count"] == 1


def test_anonymous_is_401(anon, organizer):
    job = JobFactory(organizer=organizer)
    assert anon.get(URL).status_code == 401
    assert anon.get(f"{URL}{job.pk}/").status_code == 401


def test_jobs_are_read_only(api, organizer):
    job = JobFactory(organizer=organizer)
    assert api.post(URL, {}, format="json").status_code == 405
    assert api.delete(f"{URL}{job.pk}/").status_code == 405
    assert api.patch(f"{URL}{job.pk}/", {"state": "queued"}, format="json").status_code == 405


def test_the_list_makes_the_same_queries_whatever_its_size(
    api, organizer, team, django_assert_max_num_queries
):
    token = team.tokens.get()
    for _ in range(5):
        JobFactory(organizer=organizer, started_by_token=token)
    JobFactory(organizer=organizer, started_by_user=UserFactory())
    with django_assert_max_num_queries(6):
        assert len(api.get(URL).json()["results"]) == 6

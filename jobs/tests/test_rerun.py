"""Re-running a failed job: POST /api/v1/organizers/<o>/jobs/<id>/rerun/ starts a new job with the same
parameters and input file, ``rerun_of`` the failed one; once, only for failed jobs, by whoever may start
such a job. The coupon handlers write all or nothing, so the re-run yields exactly what was asked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Job, JobFile, JobFileRole, JobKind, JobState
from jobs.services import WORKER_LOST
from jobs.tests.factories import JobFactory
from ticketing.tests.factories import OrganizerFactory
from vouchers.models import Coupon
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizers/demo-org/jobs/"
LOST = [{"code": "worker_lost", "message": WORKER_LOST}]


def rerun_url(job) -> str:
    return f"{URL}{job.pk}/rerun/"


@pytest.fixture
def series(organizer):
    return CouponSeriesFactory(organizer=organizer, name="Spring")


def lost_generation(series, count: int) -> Job:
    return JobFactory(
        organizer=series.organizer, kind=JobKind.GENERATE_COUPONS, state=JobState.FAILED, errors=LOST,
        params={"series": series.pk, "count": count, "prefix": "RE-", "length": 8},
    )  # fmt: skip


def test_a_lost_generation_is_re_run_with_its_parameters_and_yields_exactly_the_count(
    api, team, series, django_capture_on_commit_callbacks
):
    failed = lost_generation(series, 25)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(rerun_url(failed))
    assert response.status_code == 202, response.content
    rerun = Job.objects.get(rerun_of=failed)
    assert response["Location"] == f"http://testserver{URL}{rerun.pk}/"
    body = api.get(response["Location"]).json()
    assert {k: body[k] for k in ("kind", "state", "params", "result", "rerun_of", "rerun", "started_by")} == {
        "kind": "generate_coupons",
        "state": "succeeded",
        "params": {"series": series.pk, "count": 25, "prefix": "RE-", "length": 8},
        "result": {"series": series.pk, "created": 25},
        "rerun_of": failed.pk,
        "rerun": None,
        "started_by": {"token": team.tokens.get().name},
    }
    assert Coupon.objects.filter(series=series).count() == 25
    assert all(code.startswith("RE-") for code in Coupon.objects.values_list("code", flat=True))
    original = api.get(f"{URL}{failed.pk}/").json()
    assert (original["state"], original["rerun"]) == ("failed", rerun.pk)  # the failed one stays as it was


def test_an_import_is_re_run_with_its_uploaded_file(api, series, django_capture_on_commit_callbacks):
    failed = JobFactory(
        organizer=series.organizer, kind=JobKind.IMPORT_COUPONS, state=JobState.FAILED, errors=LOST,
        params={"series": series.pk},
    )  # fmt: skip
    JobFile.objects.create(
        job=failed, role=JobFileRole.INPUT, name="spring.csv", text="code\nSPRING-1\nSPRING-2\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(rerun_url(failed))
    assert response.status_code == 202
    rerun = Job.objects.get(rerun_of=failed)
    assert (rerun.state, rerun.result) == (JobState.SUCCEEDED, {"series": series.pk, "created": 2})
    assert JobFile.objects.get(job=rerun, role=JobFileRole.INPUT).name == "spring.csv"
    assert sorted(Coupon.objects.values_list("code", flat=True)) == ["SPRING-1", "SPRING-2"]


@pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED])
def test_only_a_failed_job_is_re_run(api, series, state):
    job = JobFactory(organizer=series.organizer, state=state, params={"series": series.pk, "count": 5})
    response = api.post(rerun_url(job))
    assert response.status_code == 409
    assert response.json() == {
        "code": "job_state",
        "detail": f"Only a failed job can be re-run; this one is {state}.",
    }
    assert Job.objects.count() == 1


def test_a_job_is_re_run_once(api, series, django_capture_on_commit_callbacks):
    failed = lost_generation(series, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(rerun_url(failed)).status_code == 202
    again = api.post(rerun_url(failed))
    assert again.status_code == 409
    assert again.json() == {"code": "job_state", "detail": "This job has already been re-run."}
    assert Job.objects.count() == 2 and Coupon.objects.count() == 5


def test_the_series_gone_the_re_run_fails_saying_so(api, series, django_capture_on_commit_callbacks):
    failed = lost_generation(series, 5)
    series.delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(rerun_url(failed))
    assert response.status_code == 202
    rerun = api.get(response["Location"]).json()
    assert (rerun["state"], rerun["errors"]) == (
        "failed",
        [{"message": "The coupon series no longer exists."}],
    )


def test_re_running_takes_the_permission_starting_takes(api_for, series, event):
    generation = lost_generation(series, 5)
    export = JobFactory(
        organizer=series.organizer, kind=JobKind.EXPORT_COUPONS, state=JobState.FAILED,
        params={"series": series.pk},
    )  # fmt: skip
    viewer = api_for(all_events=True, can_view_vouchers=True)
    refused = viewer.post(rerun_url(generation))
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "permission_denied",
        "detail": "Your team lacks the permission 'can_change_vouchers' for this organizer.",
    }
    assert viewer.post(rerun_url(export)).status_code == 202  # exporting takes reading only
    CouponFactory(series=series)
    some_events = api_for(
        all_events=False, limit_events=[event], can_view_vouchers=True, can_change_vouchers=True
    )
    series.allowed_events.set([event])
    series.allow_all_events = False
    series.save()
    assert some_events.get(f"{URL}{generation.pk}/").status_code == 200  # it sees the job
    limited = some_events.post(rerun_url(generation))
    assert limited.status_code == 403
    assert (
        limited.json()["detail"]
        == "Re-running a job needs a team with access to all events of the organizer."
    )
    assert Job.objects.filter(rerun_of=generation).count() == 0


def test_a_job_out_of_reach_is_a_404(api, api_for, organizer):
    foreign = JobFactory(organizer=OrganizerFactory(slug="rival"), state=JobState.FAILED)
    system = JobFactory(organizer=None, kind=JobKind.CLEANUP, state=JobState.FAILED)
    hidden = JobFactory(organizer=organizer, state=JobState.FAILED)
    for job in (foreign, system):
        assert api.post(rerun_url(job)).status_code == 404
    no_codes = api_for(all_events=True, can_change_items=True)
    assert no_codes.post(rerun_url(hidden)).status_code == 404
    assert Job.objects.count() == 3


def test_anonymous_is_401(anon, series):
    assert anon.post(rerun_url(lost_generation(series, 5))).status_code == 401


def test_the_list_shows_the_re_run_in_a_constant_number_of_queries(
    api, series, django_capture_on_commit_callbacks
):
    failed = lost_generation(series, 5)
    with django_capture_on_commit_callbacks(execute=True):
        api.post(rerun_url(failed))
    with CaptureQueriesContext(connection) as two:
        results = api.get(URL).json()["results"]
    assert [(j["id"], j["rerun_of"], j["rerun"]) for j in results] == [
        (failed.pk + 1, failed.pk, None),
        (failed.pk, None, failed.pk + 1),
    ]
    for _ in range(3):
        lost_generation(series, 5)
    with CaptureQueriesContext(connection) as five:
        assert len(api.get(URL).json()["results"]) == 5
    assert len(five) == len(two)

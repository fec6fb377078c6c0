"""A job start while the task broker (Redis) is unreachable: 503 ``unavailable`` with ``Retry-After``, the
job recorded as failed (``broker_unavailable``), never a 202 for a job that will not run, never a job
left queued; once the broker is back the failed job can be re-run."""

from __future__ import annotations

import pytest
from django.db import transaction

from jobs.models import Job, JobKind, JobState
from jobs.services import ENQUEUE_FAILED, start_job
from jobs.tests.broker import broker_unreachable
from vouchers.models import Coupon
from vouchers.tests.factories import CouponSeriesFactory

# Outside a test transaction: the job's own commit is the one that queues it, as in a request.
pytestmark = pytest.mark.django_db(transaction=True)

NOT_QUEUED = [{"code": "broker_unavailable", "message": ENQUEUE_FAILED}]


def generate_url(series) -> str:
    return f"/api/v1/organizers/demo-org/coupon-series/{series.pk}/generate/"


def test_a_generation_with_the_broker_down_answers_503_and_leaves_no_job_waiting(
    api, organizer, settings, broker_down
):
    settings.JOB_THRESHOLD_GENERATE = 10
    series = CouponSeriesFactory(organizer=organizer)
    response = api.post(generate_url(series), {"count": 20}, format="json")
    assert response.status_code == 503, response.content
    job = Job.objects.get()
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "code": "unavailable",
        "detail": "Background jobs cannot be started right now (the task queue is unreachable); nothing was "
        "done. Please retry later.",
        "job": job.pk,
        "retry_after": 30,
    }
    assert (job.state, job.errors, job.finished is not None) == (JobState.FAILED, NOT_QUEUED, True)
    assert Job.objects.exclude(state=JobState.FAILED).count() == 0
    assert Coupon.objects.count() == 0


def test_an_asynchronous_export_with_the_broker_down_answers_503(api, organizer, broker_down):
    series = CouponSeriesFactory(organizer=organizer)
    response = api.get(f"/api/v1/organizers/demo-org/coupon-series/{series.pk}/export/?async=true")
    assert (response.status_code, response.json()["code"], response["Retry-After"]) == (
        503,
        "unavailable",
        "30",
    )
    assert list(Job.objects.values_list("kind", "state")) == [(JobKind.EXPORT_COUPONS, JobState.FAILED)]


def test_inside_a_caller_s_transaction_the_job_fails_when_that_commits(organizer, broker_down):
    with transaction.atomic():
        job = start_job(JobKind.EXPORT_COUPONS, organizer=organizer, params={"series": 1})
        assert Job.objects.get(pk=job.pk).state == JobState.QUEUED
    job.refresh_from_db()
    assert (job.state, job.errors) == (JobState.FAILED, NOT_QUEUED)


def test_a_job_refused_by_the_broker_is_re_run_once_it_is_back(api, organizer, settings):
    settings.JOB_THRESHOLD_GENERATE = 10
    series = CouponSeriesFactory(organizer=organizer)
    with broker_unreachable():
        assert api.post(generate_url(series), {"count": 20}, format="json").status_code == 503
        failed = Job.objects.get()
        again = api.post(f"/api/v1/organizers/demo-org/jobs/{failed.pk}/rerun/")
        assert again.status_code == 503  # still down: the re-run failed the same way
        assert Job.objects.filter(state=JobState.FAILED).count() == 2
    # The broker is back (here: jobs run inline again, as in every test).
    second = Job.objects.get(rerun_of=failed)
    response = api.post(f"/api/v1/organizers/demo-org/jobs/{second.pk}/rerun/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["state"], body["rerun_of"], body["result"]) == (
        "succeeded", second.pk, {"series": series.pk, "created": 20}
    )  # fmt: skip
    assert Coupon.objects.filter(series=series).count() == 20

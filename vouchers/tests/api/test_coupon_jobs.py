"""Long coupon operations answer 202 with a job: generation and CSV import above their thresholds, the
export on ``?async=true``; CSV uploads are bounded. Without a broker (tests) the job runs inline once
the request's transaction commits (``django_capture_on_commit_callbacks``)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import Job, JobKind, JobState
from vouchers.models import Coupon
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, VoucherFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizers/demo-org/coupon-series/"
JOBS = "/api/v1/organizers/demo-org/jobs/"


@pytest.fixture
def series(organizer):
    return CouponSeriesFactory(organizer=organizer)


def csv_of(count: int, prefix: str = "BULK") -> str:
    return "code,customer_email\n" + "".join(f"{prefix}-{n:06d},\n" for n in range(count))


def accepted(response) -> dict:
    assert response.status_code == 202, response.content[:500]
    body = response.json()
    assert response["Location"] == f"http://testserver{JOBS}{body['id']}/"
    return body


def test_a_generation_above_the_threshold_is_a_job(api, series, settings, django_capture_on_commit_callbacks):
    assert settings.JOB_THRESHOLD_GENERATE == 1000
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{URL}{series.pk}/generate/", {"count": 1500, "prefix": "JOB-"}, format="json")
    body = accepted(response)
    assert body["kind"] == "generate_coupons" and body["state"] == "queued"
    assert body["params"] == {"series": series.pk, "count": 1500, "prefix": "JOB-", "length": 16}
    assert body["started_by"] == {"token": "test token"}
    job = api.get(response["Location"]).json()
    assert job["state"] == "succeeded", job
    assert job["progress"] == {"done": 1500, "total": 1500}
    assert job["result"] == {"series": series.pk, "created": 1500}
    assert series.coupons.filter(code__startswith="JOB-").count() == 1500


def test_at_the_threshold_it_answers_at_once(api, series):
    response = api.post(f"{URL}{series.pk}/generate/", {"count": 1000}, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 1000 and len(response.json()["coupons"]) == 1000
    assert not Job.objects.exists()


def test_a_job_may_generate_up_to_100000(api, series, settings, django_capture_on_commit_callbacks):
    settings.JOB_THRESHOLD_GENERATE = 10
    assert api.post(f"{URL}{series.pk}/generate/", {"count": 100_001}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        accepted(api.post(f"{URL}{series.pk}/generate/", {"count": 11}, format="json"))
    assert series.coupons.count() == 11


def test_the_request_id_of_the_starting_request_is_stored(api, series, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{URL}{series.pk}/generate/", {"count": 1001}, format="json", HTTP_X_REQUEST_ID="trace-42"
        )
    body = accepted(response)
    assert body["request_id"] == Job.objects.get().request_id == "trace-42"


def test_an_import_above_the_threshold_is_a_job(api, series, django_capture_on_commit_callbacks):
    text = csv_of(1001)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.generic("POST", f"{URL}{series.pk}/import/", text, content_type="text/csv")
    body = accepted(response)
    assert body["kind"] == "import_coupons"
    job = Job.objects.get(pk=body["id"])
    assert (job.state, job.result, job.done, job.total) == (
        JobState.SUCCEEDED,
        {"series": series.pk, "created": 1001},
        1001,
        1001,
    )
    assert series.coupons.count() == 1001
    assert series.coupons.filter(code="BULK-001000").exists()


def test_a_multipart_import_above_the_threshold_keeps_the_file_name(
    api, series, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("codes.csv", csv_of(1001).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        body = accepted(api.post(f"{URL}{series.pk}/import/", {"file": upload}, format="multipart"))
    job = Job.objects.get(pk=body["id"])
    assert job.files.get().name == "codes.csv"
    assert job.state == JobState.SUCCEEDED and series.coupons.count() == 1001


def test_an_import_job_with_bad_lines_fails_naming_them_and_creates_nothing(
    api, organizer, event, series, django_capture_on_commit_callbacks
):
    CouponFactory(series=series, code="EXISTS-ALREADY")
    VoucherFactory(event=event, code="VOUCHER-CODE")
    lines = csv_of(1200).splitlines()
    lines[5] = "bad,"  # line 6
    lines[8] = "GOOD-CODE,not-an-email"  # line 9
    lines[10] = "BULK-000001,"  # line 11 repeats line 3
    lines[500] = "VOUCHER-CODE,"
    lines[600] = "EXISTS-ALREADY,"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.generic("POST", f"{URL}{series.pk}/import/", "\n".join(lines), content_type="text/csv")
    accepted(response)
    job = api.get(response["Location"]).json()
    assert job["state"] == "failed"
    assert job["errors"] == [
        {"line": 6, "field": "code", "message": "A code needs at least 5 characters."},
        {"line": 9, "field": "customer_email", "message": "'not-an-email' is not a valid email address."},
        {"line": 11, "field": "code", "message": "BULK-000001 repeats line 3."},
    ]
    assert series.coupons.count() == 1  # nothing created
    # once the file itself is right, the codes that exist already are named, and still nothing is created
    lines[5], lines[8], lines[10] = "GOOD-ONE,", "GOOD-CODE,", "GOOD-TWO,"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.generic("POST", f"{URL}{series.pk}/import/", "\n".join(lines), content_type="text/csv")
    job = api.get(response["Location"]).json()
    assert job["state"] == "failed"
    assert job["errors"] == [
        {"line": 501, "field": "code", "message": "VOUCHER-CODE already exists for this organizer."},
        {"line": 601, "field": "code", "message": "EXISTS-ALREADY already exists for this organizer."},
    ]
    assert series.coupons.count() == 1


def test_an_import_job_reports_at_most_100_problems(api, series, django_capture_on_commit_callbacks):
    text = "code\n" + "x\n" * 1500
    with django_capture_on_commit_callbacks(execute=True):
        response = api.generic("POST", f"{URL}{series.pk}/import/", text, content_type="text/csv")
    job = Job.objects.get(pk=accepted(response)["id"])
    assert job.state == JobState.FAILED and len(job.errors) == 100
    assert job.errors[0]["line"] == 2 and job.errors[-1]["line"] == 101


def test_a_csv_over_the_upload_limit_is_a_413(api, series, settings):
    settings.CSV_IMPORT_MAX_BYTES = 1000
    text = csv_of(100)
    assert len(text) > 1000
    response = api.generic("POST", f"{URL}{series.pk}/import/", text, content_type="text/csv")
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "detail": "The CSV file is larger than 1,000 bytes; split it into smaller files.",
        "max_bytes": 1000,
    }
    upload = SimpleUploadedFile("codes.csv", text.encode(), content_type="text/csv")
    response = api.post(f"{URL}{series.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not Coupon.objects.exists() and not Job.objects.exists()


def test_the_csv_parser_reads_no_more_than_the_limit(settings):
    import io

    from vouchers.api.parsers import CSVTextParser, CsvTooLarge

    settings.CSV_IMPORT_MAX_BYTES = 10
    assert CSVTextParser().parse(io.BytesIO(b"code\nABCDE")) == "code\nABCDE"
    with pytest.raises(CsvTooLarge):
        CSVTextParser().parse(io.BytesIO(b"code\nABCDEF"))  # a body longer than its Content-Length said


def test_an_export_as_a_job_is_downloaded(api, series, django_capture_on_commit_callbacks):
    CouponFactory(series=series, code="FIRST-CODE", customer_email="ann@example.com")
    CouponFactory(series=series, code="SECOND-CODE", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.get(f"{URL}{series.pk}/export/", {"async": "true"})
    assert accepted(response)["kind"] == "export_coupons"
    job = api.get(response["Location"]).json()
    assert job["state"] == "succeeded"
    assert job["result"]["rows"] == 2 and job["progress"] == {"done": 2, "total": 2}
    download = api.get(job["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="coupons-{series.pk}.csv"'
    synchronous = b"".join(api.get(f"{URL}{series.pk}/export/").streaming_content)
    assert b"".join(download.streaming_content) == synchronous


def test_export_async_must_be_a_boolean(api, series):
    response = api.get(f"{URL}{series.pk}/export/", {"async": "maybe"})
    assert response.status_code == 400 and "async" in response.json()
    assert api.get(f"{URL}{series.pk}/export/", {"async": "false"}).status_code == 200


def test_a_viewer_may_export_as_a_job_but_not_generate(api_for, series, django_capture_on_commit_callbacks):
    viewer = api_for(all_events=True, can_view_vouchers=True)
    assert viewer.post(f"{URL}{series.pk}/generate/", {"count": 5000}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        accepted(viewer.get(f"{URL}{series.pk}/export/", {"async": "1"}))
    assert Job.objects.get().kind == JobKind.EXPORT_COUPONS


def test_a_series_deleted_before_its_job_runs_fails_the_job(api, series, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        body = accepted(api.post(f"{URL}{series.pk}/generate/", {"count": 2000}, format="json"))
    series.delete()
    for callback in callbacks:
        callback()
    job = Job.objects.get(pk=body["id"])
    assert job.state == JobState.FAILED
    assert job.errors == [{"message": "The coupon series no longer exists."}]

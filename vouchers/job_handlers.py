"""Coupon work that runs as a background job (``jobs``): generation, CSV import, CSV export.

Registered in ``VouchersConfig.ready()``; each handler gets the job (``params["series"]`` and the
operation's own parameters) and a ``progress(done, total)`` callback, and calls the same service as the
request that answers at once (``vouchers.services``)."""

from __future__ import annotations

from typing import Any

from jobs.models import Job
from jobs.registry import JobFailed, Progress
from jobs.selectors import job_input_text
from jobs.services import job_output_save
from vouchers.codes import DEFAULT_LENGTH
from vouchers.models import CouponSeries, SeriesKind
from vouchers.services.coupon_csv import CouponFileRejected, coupons_csv_rows, coupons_import_csv
from vouchers.services.coupons import coupons_generate

#: An import job reports at most so many problems of the file.
MAX_FILE_PROBLEMS = 100
EXPORT_PROGRESS_EVERY = 2_000


def job_series(job: Job) -> CouponSeries:
    series = CouponSeries.objects.filter(
        pk=job.params.get("series"), organizer_id=job.organizer_id, kind=SeriesKind.COUPON
    ).first()
    if series is None:
        raise JobFailed([{"message": "The coupon series no longer exists."}])
    return series


def generate_coupons_job(job: Job, progress: Progress) -> dict[str, Any]:
    series = job_series(job)
    params = job.params
    created = coupons_generate(
        series=series,
        count=params["count"],
        prefix=params.get("prefix", ""),
        length=params.get("length", DEFAULT_LENGTH),
        progress=progress,
    )
    return {"series": series.pk, "created": created}


def import_coupons_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The whole file is checked first: a bad line fails the job naming it, and nothing is created."""
    series = job_series(job)
    try:
        created = coupons_import_csv(
            series=series, text=job_input_text(job), limit=MAX_FILE_PROBLEMS, progress=progress
        )
    except CouponFileRejected as exc:
        raise JobFailed([problem.as_error() for problem in exc.problems]) from exc
    return {"series": series.pk, "created": created}


def export_coupons_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The series' coupons as CSV, stored on the job to download (``jobs/<id>/download/``)."""
    series = job_series(job)
    total = series.coupons.count()
    progress(0, total)
    lines: list[str] = []
    for line in coupons_csv_rows(series=series):
        lines.append(line)
        rows = len(lines) - 1  # the header is not a coupon
        if rows and rows % EXPORT_PROGRESS_EVERY == 0:
            progress(rows, max(total, rows))
    rows = len(lines) - 1
    text = "".join(lines)
    job_output_save(job, text=text, name=f"coupons-{series.pk}.csv")
    progress(rows, rows)
    return {"series": series.pk, "rows": rows, "bytes": len(text.encode())}

"""CSV import of coupons into a series, in the back office: upload, preview, confirm.

The preview reads the file as the import service does (``vouchers.services.coupon_csv.parse_coupon_csv``)
and shows the codes it would create, or every bad line with its number and problem; the file waits in the
cache (``CACHES``: Redis when ``REDIS_URL`` is set, so every server process finds it) under a random token
for an hour. Only the confirmation creates anything, through the service the API's
``coupon-series/<id>/import/`` calls, or, above ``JOB_THRESHOLD_IMPORT_ROWS`` rows, as the same job. A file
with errors offers no confirmation; going back, or letting the preview expire, creates nothing.

django-import-export was considered and not used: its import runs its own row-by-row resource (saving
through the model, dry-running the preview inside a rolled-back transaction) on the coupons' list, whereas
coupons belong to a series, are created all or nothing by the one service, against the organizer's code
space, and large files go through the jobs app.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from jobs.models import JobKind
from jobs.services import JobNotQueued, start_job
from vouchers.api.views.coupons import csv_data_lines
from vouchers.models import Coupon, CouponSeries
from vouchers.selectors import organizer_codes_taken
from vouchers.services.coupon_csv import CouponFileRejected, CsvProblem, coupons_import_csv, parse_coupon_csv

CACHE_DOWN = (
    "The cache (Redis) is unreachable, so the file cannot be kept until you confirm; try again later."
)

#: The preview lists at most so many bad lines, and shows at most so many of the codes to create.
MAX_PREVIEW_PROBLEMS = 1000
MAX_PREVIEW_CODES = 200
STASH_SECONDS = 3600
STASH_PREFIX = "coupon-import:"


class CouponImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A header row naming the columns: code (required), customer_email, active (true/false); "
        "one coupon a line, UTF-8.",
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        limit = settings.CSV_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is larger than {limit:,} bytes; split it into smaller files."
            )
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text.") from exc


@dataclass(frozen=True)
class CouponImportPreview:
    """What a file would create (``codes``, in file order), or what is wrong with it (``problems``)."""

    codes: list[str]
    problems: list[CsvProblem]
    runs_as_job: bool

    @property
    def count(self) -> int:
        return len(self.codes)


def coupon_import_preview(*, series: CouponSeries, text: str) -> CouponImportPreview:
    """The file read as the import reads it, with the codes the organizer already has as problems (the
    import refuses those too); a file whose rows do not read lists those problems only."""
    try:
        rows = parse_coupon_csv(text, limit=MAX_PREVIEW_PROBLEMS)
    except CouponFileRejected as exc:
        return CouponImportPreview(codes=[], problems=exc.problems, runs_as_job=False)
    line_of = {row["code"]: line for line, row in rows}
    taken = organizer_codes_taken(organizer=series.organizer_id, codes=list(line_of))
    problems = [
        CsvProblem(line, f"{code} already exists for this organizer.", "code")
        for line, code in sorted((line_of[code], code) for code in taken)
    ]
    runs_as_job = csv_data_lines(text) > settings.JOB_THRESHOLD_IMPORT_ROWS
    return CouponImportPreview(
        codes=[] if problems else list(line_of), problems=problems, runs_as_job=runs_as_job
    )


def stash_file(*, series: CouponSeries, user, text: str, name: str) -> str:
    token = secrets.token_urlsafe(24)
    cache.set(
        STASH_PREFIX + token,
        {"series": series.pk, "user": user.pk, "text": text, "name": name},
        STASH_SECONDS,
    )
    return token


def take_stashed_file(*, series: CouponSeries, user, token: str) -> dict | None:
    """The file previewed under ``token`` by this user for this series, taken out of the cache (a second
    confirmation finds nothing); ``None`` when it expired or is someone else's."""
    key = STASH_PREFIX + token
    stashed = cache.get(key) if token else None
    if not stashed or stashed["series"] != series.pk or stashed["user"] != user.pk:
        return None
    cache.delete(key)
    return stashed


def import_series(model_admin: admin.ModelAdmin, request: HttpRequest, series_id: int) -> CouponSeries:
    """The series through its model admin (organizer scoping: out of reach is a 404), with the rights to
    change it and add coupons (else 403)."""
    series = model_admin.get_queryset(request).filter(pk=series_id).first()
    if series is None:
        raise Http404("No such coupon series.")
    coupon_admin = model_admin.admin_site.get_model_admin(Coupon)
    if not (model_admin.has_change_permission(request, series) and coupon_admin.has_add_permission(request)):
        raise PermissionDenied
    return series


def confirm_import(
    model_admin: admin.ModelAdmin, request: HttpRequest, series: CouponSeries, token: str
) -> HttpResponse:
    here = reverse("admin:vouchers_couponseries_import", args=[series.pk])
    try:
        stashed = take_stashed_file(series=series, user=request.user, token=token)
    except Exception:  # whatever the cache backend raises while Redis is down
        model_admin.message_user(request, CACHE_DOWN, messages.ERROR)
        return HttpResponseRedirect(here)
    if stashed is None:
        model_admin.message_user(request, "This preview has expired; upload the file again.", messages.ERROR)
        return HttpResponseRedirect(here)
    text = stashed["text"]
    if csv_data_lines(text) > settings.JOB_THRESHOLD_IMPORT_ROWS:
        try:
            job = start_job(
                JobKind.IMPORT_COUPONS, organizer=series.organizer, started_by_user=request.user,
                params={"series": series.pk}, input_text=text, input_name=stashed["name"],
            )  # fmt: skip
        except JobNotQueued as exc:  # the job keeps the file: it can be re-run from the job list
            link = reverse("admin:jobs_job_change", args=[exc.context["job"]])
            model_admin.message_user(
                request,
                format_html(
                    'The task queue is unreachable: <a href="{}">job {}</a> could not start and nothing was '
                    "imported. Re-run it from the job list once the queue is back.", link, exc.context["job"],
                ),
                messages.ERROR,
            )  # fmt: skip
            return HttpResponseRedirect(here)
        link = reverse("admin:jobs_job_change", args=[job.pk])
        model_admin.message_user(
            request,
            format_html('The import runs as <a href="{}">job {}</a>.', link, job.pk),
            messages.SUCCESS,
        )
    else:
        try:
            created = coupons_import_csv(series=series, text=text)
        except CouponFileRejected as exc:  # a code taken since the preview, say: nothing was created
            for problem in exc.problems:
                model_admin.message_user(request, problem.text(), messages.ERROR)
            return HttpResponseRedirect(here)
        model_admin.message_user(request, f"Imported {created} coupons into {series.name}.", messages.SUCCESS)
    return HttpResponseRedirect(reverse("admin:vouchers_couponseries_change", args=[series.pk]))


def coupon_import_view(model_admin: admin.ModelAdmin, request: HttpRequest, series_id: int) -> HttpResponse:
    series = import_series(model_admin, request, series_id)
    posted = request.method == "POST"
    if posted and "confirm" in request.POST:
        return confirm_import(model_admin, request, series, request.POST.get("token", ""))
    form = CouponImportUploadForm(*((request.POST, request.FILES) if posted else ()))
    preview = token = None
    if posted and form.is_valid():
        text = form.cleaned_data["file"]
        preview = coupon_import_preview(series=series, text=text)
        if not preview.problems:
            name = request.FILES["file"].name or ""
            try:
                token = stash_file(series=series, user=request.user, text=text, name=name)
                form = CouponImportUploadForm()
            except Exception:  # whatever the cache backend raises while Redis is down: no confirmation
                model_admin.message_user(request, CACHE_DOWN, messages.ERROR)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Import coupons into {series.name}",
        "series": series,
        "form": form,
        "preview": preview,
        "shown_codes": preview.codes[:MAX_PREVIEW_CODES] if preview else [],
        "token": token,
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/vouchers/couponseries/import_coupons.html", context)


def coupon_import_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """The page's URL, for ``CouponSeriesAdmin.get_urls`` (before the model admin's own)."""

    def view(request: HttpRequest, series_id: int) -> HttpResponse:
        return coupon_import_view(model_admin, request, series_id)

    return [
        path(
            "<int:series_id>/import/",
            model_admin.admin_site.admin_view(view),
            name="vouchers_couponseries_import",
        )
    ]

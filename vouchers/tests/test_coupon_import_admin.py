"""CSV import of coupons in the back office: the preview shows the codes or every bad line (with its number),
only the confirmation creates, through the import service or, for a long file, its job."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jobs.models import Job, JobKind, JobState
from jobs.tests.broker import broker_unreachable
from ticketing.tests.factories import OrganizerFactory, TeamFactory, UserFactory
from vouchers.admin.coupon_import import CACHE_DOWN
from vouchers.models import Coupon
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoSeriesFactory

pytestmark = pytest.mark.django_db

GOOD = "code,customer_email,active\nspring-1,ann@example.com,true\nSPRING-2,,false\n"
BAD = "code,customer_email,active\nSPRING-1,not-an-email,true\nSPRING-2,,maybe\nSPRING-1,,\nOK-CODE,,\n"


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def series(organizer):
    return CouponSeriesFactory(organizer=organizer, name="Spring")


def import_url(series) -> str:
    return reverse("admin:vouchers_couponseries_import", args=[series.pk])


def upload(client, series, text: str, name: str = "coupons.csv"):
    return client.post(import_url(series), {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def confirm(client, series, response):
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    return client.post(import_url(series), {"token": token, "confirm": "1"})


def problems_of(response) -> list[tuple[str, str, str]]:
    html = response.content.decode()
    table = re.search(r'<table id="import-problems">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table, re.S)
    return [tuple(unescape(cell) for cell in row) for row in rows]


def codes_of(response) -> list[str]:
    found = re.search(r'<ul id="import-codes">(.*?)</ul>', response.content.decode(), re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_the_series_page_links_to_the_import(admin_client, series):
    page = admin_client.get(reverse("admin:vouchers_couponseries_change", args=[series.pk])).content.decode()
    assert f'href="{import_url(series)}"' in page and "Import coupons from CSV" in page


def test_the_upload_form(admin_client, series):
    response = admin_client.get(import_url(series))
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode() and 'name="confirm"' not in response.content.decode()


def test_the_preview_shows_the_codes_and_creates_nothing(admin_client, series):
    response = upload(admin_client, series, GOOD)
    assert response.status_code == 200
    assert codes_of(response) == ["SPRING-1", "SPRING-2"]
    assert "The file creates 2 coupons in Spring." in re.sub(r"\s+", " ", response.content.decode())
    assert 'value="Create 2 coupons"' in response.content.decode()
    assert Coupon.objects.count() == 0  # going back from here creates nothing


def test_confirming_creates_exactly_the_previewed_coupons(admin_client, series):
    CouponFactory(series=series, code="OLDER")
    response = confirm(admin_client, series, upload(admin_client, series, GOOD))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:vouchers_couponseries_change", args=[series.pk])
    created = Coupon.objects.filter(series=series).exclude(code="OLDER").order_by("code")
    assert [(c.code, c.customer_email, c.active) for c in created] == [
        ("SPRING-1", "ann@example.com", True),
        ("SPRING-2", "", False),
    ]
    assert Coupon.objects.count() == 3
    page = admin_client.get(response["Location"])
    assert "Imported 2 coupons into Spring." in messages_of(page)


def test_a_confirmation_counts_once(admin_client, series):
    preview = upload(admin_client, series, GOOD)
    confirm(admin_client, series, preview)
    again = confirm(admin_client, series, preview)
    assert again["Location"] == import_url(series)
    assert "This preview has expired; upload the file again." in messages_of(
        admin_client.get(import_url(series))
    )
    assert Coupon.objects.count() == 2


def test_bad_lines_are_listed_with_their_numbers_and_nothing_can_be_created(admin_client, series):
    response = upload(admin_client, series, BAD)
    assert problems_of(response) == [
        ("2", "customer_email", "'not-an-email' is not a valid email address."),
        ("3", "active", "'maybe' is not true or false."),
        ("4", "code", "SPRING-1 repeats line 2."),
    ]
    assert "The file has 3 problems; nothing will be created." in re.sub(
        r"\s+", " ", response.content.decode()
    )
    assert 'name="confirm"' not in response.content.decode()
    assert codes_of(response) == []
    assert 'name="token"' not in response.content.decode()  # nothing kept to confirm later
    assert Coupon.objects.count() == 0


def test_codes_the_organizer_already_has_are_bad_lines(admin_client, organizer, series):
    other_series = CouponSeriesFactory(organizer=organizer)
    CouponFactory(series=other_series, code="SPRING-2")
    response = upload(admin_client, series, GOOD)
    assert problems_of(response) == [("3", "code", "SPRING-2 already exists for this organizer.")]
    assert Coupon.objects.count() == 1


def test_a_code_taken_between_preview_and_confirmation_creates_nothing(admin_client, series):
    preview = upload(admin_client, series, GOOD)
    CouponFactory(series=series, code="SPRING-2")
    response = confirm(admin_client, series, preview)
    assert response["Location"] == import_url(series)
    assert "Line 3: code: SPRING-2 already exists for this organizer." in messages_of(
        admin_client.get(import_url(series))
    )
    assert list(Coupon.objects.values_list("code", flat=True)) == ["SPRING-2"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"name\nx\n", ("1", "", "the header row must name a 'code' column.")),
        (b"code\n", ("file", "", "The file holds no coupons.")),
    ],
)
def test_a_file_that_does_not_read_is_one_problem(admin_client, series, content, problem):
    response = upload(admin_client, series, content.decode())
    assert problems_of(response) == [problem]


def test_a_file_that_is_not_utf8_or_too_large_is_refused(admin_client, series, settings):
    response = admin_client.post(import_url(series), {"file": SimpleUploadedFile("c.csv", b"code\n\xff\n")})
    assert "The file is not UTF-8 text." in response.content.decode()
    settings.CSV_IMPORT_MAX_BYTES = 10
    response = upload(admin_client, series, GOOD)
    assert "The file is larger than 10 bytes; split it into smaller files." in response.content.decode()
    assert Coupon.objects.count() == 0


def test_a_long_file_is_imported_by_the_job(
    admin_client, series, settings, django_capture_on_commit_callbacks
):
    settings.JOB_THRESHOLD_IMPORT_ROWS = 1
    preview = upload(admin_client, series, GOOD, name="spring.csv")
    assert "as a background job" in preview.content.decode()
    assert Job.objects.count() == 0 and Coupon.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(admin_client, series, preview)
    job = Job.objects.get()
    assert (job.kind, job.state, job.result) == (
        JobKind.IMPORT_COUPONS,
        JobState.SUCCEEDED,
        {"series": series.pk, "created": 2},
    )
    assert job.started_by_user.username == "admin"
    assert sorted(Coupon.objects.values_list("code", flat=True)) == ["SPRING-1", "SPRING-2"]
    messages = messages_of(admin_client.get(response["Location"]))
    assert (
        f'The import runs as <a href="{reverse("admin:jobs_job_change", args=[job.pk])}">job {job.pk}</a>.'
        in messages
    )


def staff_of(organizer, *, permissions: bool = True):
    user = UserFactory(username="staff", is_staff=True)
    if permissions:
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="vouchers"))
    TeamFactory(organizer=organizer, can_view_vouchers=True, can_change_vouchers=True, members=[user])
    return user


def test_a_staff_member_imports_into_the_own_organizers_series_only(client, organizer, series):
    foreign = CouponSeriesFactory(organizer=OrganizerFactory(), name="Bravo")
    client.force_login(staff_of(organizer))
    assert client.get(import_url(series)).status_code == 200
    assert client.get(import_url(foreign)).status_code == 404
    assert upload(client, foreign, GOOD).status_code == 404
    assert Coupon.objects.count() == 0


def test_a_confirmation_is_for_the_series_and_user_it_was_previewed_for(
    client, admin_client, organizer, series
):
    preview = upload(admin_client, series, GOOD)
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    other = CouponSeriesFactory(organizer=organizer)
    assert admin_client.post(import_url(other), {"token": token, "confirm": "1"})["Location"] == import_url(
        other
    )
    client.force_login(staff_of(organizer))
    assert client.post(import_url(series), {"token": token, "confirm": "1"})["Location"] == import_url(series)
    assert Coupon.objects.count() == 0


def test_without_the_permission_to_change_series_the_import_is_refused(client, organizer, series):
    client.force_login(staff_of(organizer, permissions=False))
    assert client.get(import_url(series)).status_code == 403


def test_a_promo_code_series_has_no_import(admin_client, organizer):
    promo = PromoSeriesFactory(organizer=organizer)
    assert admin_client.get(import_url(promo)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_long_file_with_the_task_queue_unreachable_imports_nothing_and_says_so(organizer, settings):
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("admin", "admin@example.com", None))
    series = CouponSeriesFactory(organizer=organizer, name="Spring")
    settings.JOB_THRESHOLD_IMPORT_ROWS = 1
    preview = upload(admin, series, GOOD, name="spring.csv")
    with broker_unreachable():
        response = confirm(admin, series, preview)
    assert response["Location"] == import_url(series)
    job = Job.objects.get()
    assert (job.state, job.errors[0]["code"]) == (JobState.FAILED, "broker_unavailable")
    assert Coupon.objects.count() == 0
    link = reverse("admin:jobs_job_change", args=[job.pk])
    assert messages_of(admin.get(response["Location"])) == [
        f'The task queue is unreachable: <a href="{link}">job {job.pk}</a> could not start and nothing was '
        "imported. Re-run it from the job list once the queue is back."
    ]


def test_with_the_cache_unreachable_the_preview_offers_no_confirmation_and_says_why(
    admin_client, series, settings
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    preview = upload(admin_client, series, GOOD)
    assert preview.status_code == 200
    assert codes_of(preview) == ["SPRING-1", "SPRING-2"]  # the preview itself needs no cache
    assert 'name="confirm"' not in preview.content.decode()
    assert messages_of(preview) == [CACHE_DOWN]
    confirmed = admin_client.post(import_url(series), {"token": "any", "confirm": "1"})
    assert confirmed["Location"] == import_url(series)
    assert messages_of(admin_client.get(confirmed["Location"])) == [CACHE_DOWN]
    assert Coupon.objects.count() == 0

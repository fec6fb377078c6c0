"""The registry of job handlers: one per known kind, registered by the apps that own the work."""

from __future__ import annotations

import pytest

from jobs.models import Job, JobKind
from jobs.registry import (
    UnknownJobKind,
    job_type,
    override_job_handler,
    readable_kinds,
    register_job_handler,
)
from jobs.services import start_job


def handler(job, progress):
    return {}


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        register_job_handler("make_coffee", handler, read_permission=None)
    with pytest.raises(UnknownJobKind, match="make_coffee"):
        job_type("make_coffee")


def test_starting_an_unknown_kind_writes_nothing(organizer):
    with pytest.raises(UnknownJobKind):
        start_job("make_coffee", organizer=organizer)
    assert not Job.objects.exists()


def test_the_apps_register_their_kinds():
    from orders.tasks import cleanup_job
    from vouchers.job_handlers import export_coupons_job, generate_coupons_job, import_coupons_job

    assert job_type(JobKind.GENERATE_COUPONS).handler is generate_coupons_job
    assert job_type(JobKind.IMPORT_COUPONS).handler is import_coupons_job
    assert job_type(JobKind.EXPORT_COUPONS).handler is export_coupons_job
    assert job_type(JobKind.CLEANUP).handler is cleanup_job
    assert job_type("generate_coupons").read_permission == "can_view_vouchers"


def test_a_second_handler_for_a_kind_is_refused_the_same_one_is_harmless():
    registered = job_type(JobKind.GENERATE_COUPONS)
    register_job_handler(JobKind.GENERATE_COUPONS, registered.handler, read_permission="can_view_vouchers")
    with pytest.raises(ValueError, match="already registered"):
        register_job_handler(JobKind.GENERATE_COUPONS, handler, read_permission="can_view_vouchers")
    assert job_type(JobKind.GENERATE_COUPONS) == registered


def test_an_override_is_undone():
    registered = job_type(JobKind.EXPORT_COUPONS)
    with override_job_handler(JobKind.EXPORT_COUPONS, handler):
        assert job_type(JobKind.EXPORT_COUPONS).handler is handler
    assert job_type(JobKind.EXPORT_COUPONS) == registered


def test_readable_kinds_follow_the_permission_and_all_events():
    coupons = {"export_coupons", "generate_coupons", "import_coupons"}
    assert coupons <= set(readable_kinds(frozenset({"can_view_vouchers"}), has_all_events=True))
    assert not coupons & set(readable_kinds(frozenset({"can_view_vouchers"}), has_all_events=False))
    assert not coupons & set(readable_kinds(frozenset({"can_change_vouchers"}), has_all_events=True))

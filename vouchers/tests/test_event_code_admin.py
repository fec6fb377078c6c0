"""The back office lists the events' designated discount codes and deletes a designation (not the code)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ticketing.tests.factories import EventFactory, TeamFactory
from vouchers.models import EventDiscountCode, Voucher
from vouchers.services.event_codes import event_discount_code_set
from vouchers.tests.factories import VoucherFactory

pytestmark = pytest.mark.django_db


def test_event_discount_codes_are_listed_and_a_designation_can_be_deleted(admin_client, event):
    VoucherFactory(event=event, code="SHOWN-CODE")
    designation = event_discount_code_set(event=event, code="SHOWN-CODE")
    page = admin_client.get(reverse("admin:vouchers_eventdiscountcode_changelist"))
    assert page.status_code == 200 and b"SHOWN-CODE" in page.content and b"voucher" in page.content
    detail = reverse("admin:vouchers_eventdiscountcode_change", args=[designation.pk])
    assert admin_client.get(detail).status_code == 200
    assert admin_client.get(reverse("admin:vouchers_eventdiscountcode_add")).status_code == 403
    delete = reverse("admin:vouchers_eventdiscountcode_delete", args=[designation.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not EventDiscountCode.objects.exists() and Voucher.objects.filter(code="SHOWN-CODE").exists()


def test_staff_see_only_their_organizers_designations(client, event, django_user_model):
    other = EventFactory()
    VoucherFactory(event=other, code="FOREIGN-CODE")
    foreign = event_discount_code_set(event=other, code="FOREIGN-CODE")
    staff = django_user_model.objects.create_user("staff", is_staff=True, is_superuser=False)
    TeamFactory(organizer=event.organizer, members=[staff], all_permissions=True)
    codenames = ["view_eventdiscountcode", "delete_eventdiscountcode"]
    staff.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)
    page = client.get(reverse("admin:vouchers_eventdiscountcode_changelist"))
    assert page.status_code == 200 and b"FOREIGN-CODE" not in page.content
    detail = reverse("admin:vouchers_eventdiscountcode_change", args=[foreign.pk])
    assert client.get(detail).status_code in (302, 404)

"""One look for the whole back office: Django's admin styling, and the back office's own name on every
page. The project's own admin pages (try a cart, CSV import, confirmations, histories) extend the admin's
templates and bring no styling of their own, so they read like the rest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    path for path in ROOT.glob("*/templates/admin/**/*.html") if ".venv" not in path.parts
)


def test_the_project_has_admin_templates_to_check():
    names = {path.name for path in TEMPLATES}
    assert {"try_cart.html", "import_coupons.html", "confirm_status_change.html"} <= names


@pytest.mark.parametrize("template", TEMPLATES, ids=[p.relative_to(ROOT).as_posix() for p in TEMPLATES])
def test_each_admin_template_extends_the_admin_and_brings_no_styling(template: Path):
    text = template.read_text()
    extends = re.search(r'{%\s*extends\s+"([^"]+)"\s*%}', text)
    assert extends and extends.group(1).startswith("admin/"), f"{template.name} must extend an admin template"
    assert "style=" not in text and "<style" not in text, f"{template.name} styles itself"
    assert "<link" not in text and "http://" not in text and "https://" not in text


def test_every_page_names_the_back_office(admin_client, event):
    pages = [
        reverse("admin:index"),
        reverse("admin:ticketing_event_changelist"),
        reverse("admin:orders_cart_try", args=[event.pk]),
        reverse("admin:vouchers_couponseries_changelist"),
    ]
    for url in pages:
        page = admin_client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "ticketshop back office" in html, url
        assert "Django administration" not in html, url
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "<h1>Back office</h1>" in index

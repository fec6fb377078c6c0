"""Coupons in the back office: generating 50 into a series, and importing a CSV file (a file with
mistakes first, which creates nothing)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from vouchers.models import Coupon

pytestmark = pytest.mark.browser


def test_generate_50_coupons_into_a_series(staff_browser, world):
    browser = staff_browser
    browser.open("/admin/vouchers/couponseries/")
    assert browser.column("name") == ["Alpha series"]  # not Bravo's
    assert browser.column("coupons") == ["1"]

    browser.run_action("Generate coupons for the selected series", "Alpha series")
    assert browser.heading() == "Generate coupons for Alpha series"
    browser.fill("count", "50")
    browser.fill("prefix", "spring-")
    browser.shot("generate-coupons-form")
    browser.submit(browser.button("Generate"))

    assert browser.path == "/admin/vouchers/couponseries/"
    assert browser.messages() == ["Generated 50 coupons for Alpha series."]
    assert browser.column("coupons") == ["51"]
    browser.shot("generated-50-coupons")

    generated = list(Coupon.objects.filter(series=world.alpha_series).exclude(code="ALPHA-FIRST"))
    assert len(generated) == 50
    assert len({coupon.code for coupon in generated}) == 50
    assert all(coupon.code.startswith("SPRING-") for coupon in generated)  # normalised to upper case
    assert all(coupon.organizer_id == world.alpha.pk for coupon in generated)


def write(tmp_path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_import_coupons_from_a_csv_file(staff_browser, world, tmp_path):
    browser = staff_browser
    browser.open(f"/admin/vouchers/couponseries/{world.alpha_series.pk}/change/")
    browser.submit(browser.link("IMPORT COUPONS FROM CSV"))
    assert browser.heading() == "Import coupons into Alpha series"

    bad = write(tmp_path, "bad.csv", [
        "code,customer_email,active", "summer-a,ada@example,true", "SUMMER-A,,maybe", "ALPHA-FIRST,,",
    ])  # fmt: skip
    browser.driver.find_element(By.NAME, "file").send_keys(bad)
    browser.submit(browser.button("Preview"))
    assert browser.errors() == [
        "The file has 3 problems; nothing will be created. Correct the file and upload it again."
    ]
    assert browser.rows("#import-problems") == [
        ["2", "customer_email", "'ada@example' is not a valid email address."],
        ["3", "code", "SUMMER-A repeats line 2."],
        ["3", "active", "'maybe' is not true or false."],
    ]
    assert Coupon.objects.filter(series=world.alpha_series).count() == 1
    browser.shot("import-file-with-problems", at="#import-problems")

    good = write(tmp_path, "good.csv", [
        "code,customer_email,active",
        "summer-a,ada@example.com,true",
        "SUMMER-B,,false",
        "SUMMER-C,grace@example.com,",
    ])  # fmt: skip
    browser.driver.find_element(By.NAME, "file").send_keys(good)
    browser.submit(browser.button("Preview"))
    assert browser.text("#import-count") == "The file creates 3 coupons in Alpha series."
    assert browser.texts("#import-codes li") == ["SUMMER-A", "SUMMER-B", "SUMMER-C"]
    assert Coupon.objects.filter(series=world.alpha_series).count() == 1  # the preview creates nothing
    browser.shot("import-preview")

    browser.submit(browser.button("Create 3 coupons"))
    assert browser.path == f"/admin/vouchers/couponseries/{world.alpha_series.pk}/change/"
    assert browser.messages() == ["Imported 3 coupons into Alpha series."]
    browser.shot("imported-3-coupons")

    imported = Coupon.objects.filter(series=world.alpha_series, code__startswith="SUMMER-").order_by("code")
    assert [(c.code, c.customer_email, c.active) for c in imported] == [
        ("SUMMER-A", "ada@example.com", True),
        ("SUMMER-B", "", False),
        ("SUMMER-C", "grace@example.com", True),
    ]

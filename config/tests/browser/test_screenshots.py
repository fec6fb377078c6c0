"""A step whose screenshot cannot be written warns and goes on; the picture is not what the test checks."""

from __future__ import annotations

import pytest

from config.tests.browser.pages import ScreenshotNotSaved, Screenshots

pytestmark = pytest.mark.browser


def test_a_screenshot_that_cannot_be_written_only_warns(chromium, tmp_path):
    chromium.get("data:text/html,<h1>A step</h1>")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with pytest.warns(ScreenshotNotSaved, match="not-a-folder/01-step.png not saved"):
        assert Screenshots(blocked).save(chromium, "step") is None

    taken = Screenshots(tmp_path / "shots")
    (tmp_path / "shots" / "01-step.png").mkdir(parents=True)  # a folder where the file should go
    with pytest.warns(ScreenshotNotSaved, match="could not be written"):
        assert taken.save(chromium, "step") is None

    assert taken.save(chromium, "next") == tmp_path / "shots" / "02-next.png"
    assert (tmp_path / "shots" / "02-next.png").read_bytes().startswith(b"\x89PNG")

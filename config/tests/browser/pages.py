"""A thin layer over Selenium for the back office pages: open a page, fill a field, submit and wait for the
next page, read the messages and table rows a person would read, and save a screenshot of each step.

Screenshots go to ``screenshots/`` (git ignores it) as ``NN-step.png``, numbered across the run. A
screenshot that cannot be written only warns (``ScreenshotNotSaved``): the tests' assertions decide.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import Client
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "screenshots"
WAIT_SECONDS = 10


class ScreenshotNotSaved(UserWarning):
    """A step's screenshot could not be written; the test goes on."""


@dataclass
class Screenshots:
    """Saves ``NN-step.png`` files into ``folder``, ``NN`` counting every step of the run."""

    folder: Path
    count: int = 0
    saved: list[Path] = field(default_factory=list)

    def clear(self) -> None:
        """Remove the previous run's step pictures (only ``NN-*.png``), so the folder shows this run."""
        for old in self.folder.glob("[0-9][0-9]-*.png"):
            with contextlib.suppress(OSError):
                old.unlink()

    def save(self, driver: WebDriver, step: str) -> Path | None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            written = driver.save_screenshot(str(path))  # False when the file cannot be written
        except (OSError, WebDriverException) as exc:
            written, reason = False, exc
        else:
            reason = "the file could not be written"
        if not written:
            warnings.warn(ScreenshotNotSaved(f"screenshot {path} not saved: {reason}"), stacklevel=2)
            return None
        self.saved.append(path)
        return path


@dataclass
class Browser:
    """The headless Chromium on the live server at ``base_url``."""

    driver: WebDriver
    base_url: str
    screenshots: Screenshots

    # ------------------------------------------------------------------ navigation

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def log_in_as(self, user) -> None:
        """Start a logged-in session (the session cookie of a test client), without the login form."""
        client = Client()
        client.force_login(user)
        self.open("/admin/login/")  # a cookie can only be set for the page's own host
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.driver.add_cookie({"name": cookie.key, "value": cookie.value, "path": "/"})

    def submit(self, element: WebElement) -> None:
        """Click a submit button or link and wait until the next page has replaced this one and is loaded.

        The page is marked with a window property before the click: a new document does not carry it.
        (Waiting for the old ``<html>`` element to go stale raced with the navigation: Chromium can
        answer "Node with given id does not belong to the document" while it swaps the documents,
        which is an error, not staleness.) Errors while the documents are being swapped are retried.
        """
        self.driver.execute_script("window.__pageBeforeSubmit = true;")
        element.click()
        WebDriverWait(self.driver, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(
            lambda driver: driver.execute_script(
                "return window.__pageBeforeSubmit !== true && document.readyState === 'complete';"
            )
        )

    def button(self, label: str) -> WebElement:
        """The submit button (``<input type=submit>`` or ``<button>``) showing ``label``."""
        found = [
            *self.driver.find_elements(By.CSS_SELECTOR, f"input[type=submit][value='{label}']"),
            *(b for b in self.driver.find_elements(By.TAG_NAME, "button") if b.text.strip() == label),
        ]
        assert found, f"no button {label!r} on {self.driver.current_url}"
        return found[0]

    def link(self, text: str) -> WebElement:
        return self.driver.find_element(By.LINK_TEXT, text)

    # ------------------------------------------------------------------ forms

    def fill(self, name: str, value: str, *, within: WebElement | None = None) -> None:
        element = (within or self.driver).find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)

    def choose(self, name: str, visible_text: str) -> None:
        Select(self.driver.find_element(By.NAME, name)).select_by_visible_text(visible_text)

    def value(self, name: str) -> str:
        return self.driver.find_element(By.NAME, name).get_attribute("value")

    def checked(self, name: str) -> bool:
        return self.driver.find_element(By.NAME, name).is_selected()

    def options(self, name: str) -> list[str]:
        return [option.text for option in Select(self.driver.find_element(By.NAME, name)).options]

    def run_action(self, action: str, *row_links: str) -> None:
        """On a change list: tick the rows whose link reads ``row_links``, choose ``action``, press Go."""
        for text in row_links:
            row = self.link(text).find_element(By.XPATH, "./ancestor::tr")
            row.find_element(By.CSS_SELECTOR, "input.action-select").click()
        self.choose("action", action)
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "#changelist-form button[name=index]"))

    # ------------------------------------------------------------------ what the page shows

    @property
    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base_url)

    def heading(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, "#content h1").text

    def text(self, css: str = "body") -> str:
        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def texts(self, css: str) -> list[str]:
        return [element.text for element in self.driver.find_elements(By.CSS_SELECTOR, css)]

    def messages(self) -> list[str]:
        return self.texts("ul.messagelist li")

    def errors(self) -> list[str]:
        """The form's error notes and every field's errors, as shown."""
        return self.texts("p.errornote, ul.errorlist li")

    def rows(self, css: str = "#result_list") -> list[list[str]]:
        """The body rows of a table, cell by cell (a change list's checkbox column reads as "")."""
        return [
            [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
            for row in self.driver.find_elements(By.CSS_SELECTOR, f"{css} tbody tr")
        ]

    def column(self, header: str, css: str = "#result_list") -> list[str]:
        """One column of a table, by the text of its header."""
        headers = [cell.text for cell in self.driver.find_elements(By.CSS_SELECTOR, f"{css} thead th")]
        index = [h.strip().lower() for h in headers].index(header.lower())
        return [row[index] for row in self.rows(css)]

    def shot(self, step: str, *, at: str | None = None) -> None:
        """Save the step's screenshot, scrolled to the element ``at`` (CSS) when given."""
        if at is not None:
            element = self.driver.find_element(By.CSS_SELECTOR, at)
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        self.screenshots.save(self.driver, step)

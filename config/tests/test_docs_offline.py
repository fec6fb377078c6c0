"""The interactive docs (/api/docs/) load nothing from outside: Swagger UI comes from our static files.

drf-spectacular-sidecar ships Swagger UI's and Redoc's files as a Django app; the page must reference
only ``/static/`` assets, each of which the staticfiles finders find (``collectstatic`` collects them
for WhiteNoise), and no address with a scheme (a CDN, the swagger.io validator) anywhere on the page.
"""

from __future__ import annotations

from html.parser import HTMLParser

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_URL = "/" + settings.STATIC_URL.lstrip("/")


class Assets(HTMLParser):
    """The URLs a page loads: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def docs_page(anon) -> str:
    response = anon.get("/api/docs/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_docs_page_loads_only_local_static_files(anon, db):
    html = docs_page(anon)
    page = Assets()
    page.feed(html)
    assert len(page.urls) >= 4, page.urls  # icon, stylesheet, Swagger UI's bundle and preset
    assert [url for url in page.urls if not url.startswith(STATIC_URL)] == []
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert '"validatorUrl": null' in html  # no badge asking validator.swagger.io about the schema


def test_the_static_files_of_the_docs_page_are_found(anon, db):
    page = Assets()
    page.feed(docs_page(anon))
    for url in page.urls:
        found = finders.find(url.removeprefix(STATIC_URL))
        assert found, f"{url}: no staticfiles finder finds it"


def test_the_docs_use_the_sidecar_distribution():
    assert "drf_spectacular_sidecar" in settings.INSTALLED_APPS
    for name in ("SWAGGER_UI_DIST", "SWAGGER_UI_FAVICON_HREF", "REDOC_DIST"):
        assert settings.SPECTACULAR_SETTINGS[name] == "SIDECAR"

"""Every link of the README and of ``docs/`` leads somewhere inside the repository: a file that exists and,
with ``#anchor``, a heading of that file (GitHub's anchors: lower case, punctuation dropped, spaces to
hyphens). The only links out are to the local server (the README's "open …" hints) and to the tools'
home pages named in ``ALLOWED_OUTSIDE``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>]+)>")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
ALLOWED_OUTSIDE = (
    "http://localhost:8000/",
    "https://schemathesis.readthedocs.io/",
    "https://github.com/openapi-generators/openapi-python-client",
)


def anchor(heading: str) -> str:
    text = re.sub(r"[`*_]", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(h) for h in HEADING.findall(FENCE.sub("", page.read_text()))}


def links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text())
    return [inside or bare for inside, bare in LINK.findall(text)]


def test_the_anchor_rule_is_githubs():
    assert anchor("What differs from pretix on purpose") == "what-differs-from-pretix-on-purpose"
    assert anchor("Public code lookup — `GET /api/v1/organizers/<o>/code-info/<code>/?event=<slug>`") == (
        "public-code-lookup--get-apiv1organizersocode-infocodeeventslug"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_leads_to_a_file_and_heading_of_the_repository(page):
    broken = []
    for target in links(page):
        if target.startswith(("http://", "https://")):
            if not target.startswith(ALLOWED_OUTSIDE):
                broken.append(f"{target}: outside the repository")
            continue
        path, _, fragment = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif fragment and linked.is_file() and fragment not in anchors(linked):
            broken.append(f"{target}: no such heading in {linked.relative_to(ROOT)}")
    assert broken == []


def test_the_pages_are_found():
    names = {str(p.relative_to(ROOT)) for p in PAGES}
    assert {"README.md", "docs/migrating.md", "docs/pricing.md", "docs/api/items.md"} <= names

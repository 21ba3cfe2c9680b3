"""Helpers for the web edition tests: a rendered show with pages, a server, headless Chromium."""

from __future__ import annotations

import base64
import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sawt.config import load_settings
from sawt.publishing.builtin import _page_episode, _page_show
from sawt.publishing.catalog import scan
from sawt.publishing.outputs import Show
from sawt.publishing.serve import make_server
from sawt.web import PageEpisode, PageShow
from tests.showkit import ROOT, SAMPLE, new_show, run_sawt

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = ROOT / "tests" / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts" / "web"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

HOSTILE_TITLE = "<script>alert('x')</script> عنوان \"مقتبس\" & 'مفرد' </title><b>"

SECTIONS_ARTICLE = """---
title: "كأس العالم FIFA 2030: المغرب يستعد"
author: كاتب الاختبار
date: 2020-01-15
source_url: https://example.org/news/fifa-2030
slug: sections
---

تستعد المملكة لاستضافة كأس العالم مع إسبانيا والبرتغال. وقد نشر الاتحاد الدولي FIFA [الملف المشترك](https://example.org/bid) في بيان رسمي.

![ملعب كبير في الدار البيضاء](https://example.org/stadium.jpg)

## الملاعب والبنية التحتية

تعمل شركة OCP على مشاريع جديدة في المدن الكبرى. وتشمل الأشغال ستة ملاعب كبرى.

## التمويل والشراكات

قالت السيدة Céline Berton إن التعاون مستمر بين البلدين. وستصل الاستثمارات إلى مليارات الدراهم.
"""


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci --prefix tests/web)"
    return None


@dataclass(frozen=True)
class Edition:
    """A rendered show with its web edition written into episodes/."""

    folder: Path
    episodes: Path
    show: PageShow
    pages: dict[str, PageEpisode]


def show_of(folder: Path) -> PageShow:
    """The PageShow of a show folder's podcast.yaml, as publish builds it."""
    settings = load_settings(folder / "podcast.yaml")
    return _page_show(Show(settings, [], "cover.png"))


def write_edition(folder: Path) -> Edition:
    """The web edition as `sawt render` published it (pages are registered outputs)."""
    settings = load_settings(folder / "podcast.yaml")
    episodes = settings.episodes_path()
    show = show_of(folder)
    pages = {r.slug: _page_episode(r) for r in scan(episodes).records}
    for ep in pages.values():
        assert (episodes / ep.files.page).is_file(), ep.files.page
    assert (episodes / "index.html").is_file()
    return Edition(folder, episodes, show, pages)


def rendered_edition(folder: Path) -> Edition:
    """A show with the sample, the sections article and the hostile title, rendered (espeak)."""
    new_show(folder)
    (folder / "sections.md").write_text(SECTIONS_ARTICLE, "utf-8")
    hostile = f"---\ntitle: {json.dumps(HOSTILE_TITLE, ensure_ascii=False)}\nslug: hostile\n---\n\nنص قصير. وجملة ثانية.\n"
    (folder / "hostile.md").write_text(hostile, "utf-8")
    proc = run_sawt("render", SAMPLE.name, "sections.md", "hostile.md", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return write_edition(folder)


_EDITION: list[Edition] = []


def shared_edition(factory: pytest.TempPathFactory) -> Edition:
    """One rendered edition per test session, for the tests that only read it."""
    if not _EDITION:
        _EDITION.append(rendered_edition(factory.mktemp("web")))
    return _EDITION[0]


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve ``folder`` with sawt's own server on 127.0.0.1; yield its base URL."""
    server = make_server(folder, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def make_driver(profile: Path, *, javascript: bool = True, width: int = 1280) -> Any:
    """Headless Debian Chromium through chromedriver, with a fresh profile and no network chatter."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--autoplay-policy=no-user-gesture-required",
        f"--user-data-dir={profile}",
        f"--window-size={width},900",
        "--lang=ar",
    ):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


def set_scheme(driver: Any, scheme: str, *, reduced_motion: bool = False) -> None:
    """Emulate prefers-color-scheme (light or dark), and optionally reduced motion."""
    features = [{"name": "prefers-color-scheme", "value": scheme}]
    if reduced_motion:
        features.append({"name": "prefers-reduced-motion", "value": "reduce"})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page for WCAG 2.0/2.1 A and AA; the violations it finds."""
    driver.execute_script(AXE.read_text("utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        WCAG_TAGS,
    )
    assert isinstance(result, list)
    return result


def full_screenshot(driver: Any, path: Path) -> Path:
    """A PNG of the whole page, not just the viewport."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser asked for since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(str(message["params"]["request"]["url"]))
    return urls


def copy_artifact(src: Path, name: str) -> Path:
    """Keep a file (a page, a screenshot) under tests/artifacts/web for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dest = ARTIFACTS / name
    shutil.copy(src, dest)
    return dest

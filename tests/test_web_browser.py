"""The web edition in a real browser: Debian's Chromium, headless, with axe-core inside.

Needs `apt-get install chromium chromium-driver` and `npm ci --prefix tests/web`;
skipped with the reason otherwise. Screenshots land in tests/artifacts/web/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.webedition import (
    ARTIFACTS,
    HOSTILE_TITLE,
    Edition,
    axe_violations,
    browser_missing,
    full_screenshot,
    make_driver,
    requested_urls,
    serving,
    set_scheme,
    shared_edition,
)

REASON = browser_missing()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(REASON is not None, reason=REASON or "")]

SAMPLE_PAGE = "000_f15fce85f70c3c01.html"
WAIT_S = 60  # an upper bound for the browser to get somewhere, never a measured time


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Edition:
    return shared_edition(tmp_path_factory)


@pytest.fixture(scope="module")
def site(edition: Edition) -> Iterator[str]:
    with serving(edition.episodes) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = make_driver(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """The browser, back to light colours and a desktop window after each test."""
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    set_scheme(browser, "light")


def wait(driver: Any, script: str, *args: object) -> Any:
    """Wait until ``script`` returns something truthy; return it."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S).until(lambda d: d.execute_script(script, *args))


def open_page(driver: Any, url: str) -> None:
    driver.get(url)
    wait(driver, "return document.readyState === 'complete'")


def active(driver: Any) -> dict[str, str]:
    """What has the keyboard focus: tag, id, class, href."""
    result: dict[str, str] = driver.execute_script(
        "const e = document.activeElement;"
        "return {tag: e.tagName.toLowerCase(), id: e.id || '', cls: e.className || '',"
        " href: e.getAttribute('href') || '', text: e.textContent.trim().slice(0, 40)};"
    )
    return result


@pytest.mark.parametrize("name", [SAMPLE_PAGE, "sections.html", "index.html"])
def test_axe_finds_no_wcag_violations_light_and_dark(page: Any, site: str, name: str) -> None:
    open_page(page, site + name)
    for scheme in ("light", "dark"):
        set_scheme(page, scheme)
        assert page.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches") == (
            scheme == "dark"
        )
        assert axe_violations(page) == [], f"{name} ({scheme})"
        stem = name.removesuffix(".html").replace("000_f15fce85f70c3c01", "sample")
        full_screenshot(page, ARTIFACTS / f"{stem}-{scheme}.png")


def test_no_request_leaves_the_server(page: Any, site: str) -> None:
    requested_urls(page)  # drop what came before
    for name in (SAMPLE_PAGE, "index.html", "sections.html"):
        open_page(page, site + name)
        wait(
            page,
            "return document.getElementById('audio') ? document.getElementById('audio').readyState >= 1 : true",
        )
    urls = [u for u in requested_urls(page) if not u.startswith(("data:", "blob:", "chrome"))]
    assert urls and all(u.startswith(site) for u in urls), urls
    assert any(u.endswith(".vtt") for u in urls) and any(u.endswith(".css") for u in urls)


def test_reflows_at_360_px_and_at_200_percent_zoom(page: Any, site: str) -> None:
    for width in (360, 640):  # 640 CSS px is a 1280-px window at 200 % zoom
        page.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 400},
        )
        for name in (SAMPLE_PAGE, "sections.html", "index.html"):
            open_page(page, site + name)
            overflow = page.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {width} px"
            if width == 360:
                stem = name.removesuffix(".html").replace("000_f15fce85f70c3c01", "sample")
                full_screenshot(page, ARTIFACTS / f"{stem}-360px.png")


def test_keyboard_journey(page: Any, site: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(page, site + "sections.html")
    page.execute_script("localStorage.clear()")
    open_page(page, site + "sections.html")
    chapters = page.execute_script(
        "return [...document.querySelectorAll('#chapters a')].map(a => [a.getAttribute('href'), Number(a.dataset.t) / 1000])"
    )
    keys = ActionChains(page)
    stops: list[dict[str, str]] = []
    for _ in range(40):
        keys.send_keys(Keys.TAB).perform()
        stops.append(active(page))
    ids = [s["id"] or s["href"] or s["tag"] for s in stops]
    assert stops[0]["cls"] == "skip"
    play, speed = ids.index("play"), ids.index("speed")
    chapter_stops = [ids.index(href) for href, _ in chapters]
    assert play < speed < chapter_stops[0]
    assert chapter_stops == sorted(chapter_stops)

    # Enter on a chapter link seeks the player to that chapter.
    open_page(page, site + "sections.html")
    for _ in range(chapter_stops[1] + 1):
        keys.send_keys(Keys.TAB).perform()
    assert active(page)["href"] == chapters[1][0]
    keys.send_keys(Keys.ENTER).perform()
    start, end = chapters[1][1], chapters[2][1]
    current = wait(
        page,
        "const t = document.getElementById('audio').currentTime; return t >= arguments[0] - 0.01 ? t : null",
        start,
    )
    assert start - 0.01 <= current < end, (current, start)
    assert page.current_url.startswith(site + "sections.html")  # the page stayed; the player moved
    page.execute_script("document.getElementById('audio').pause()")

    # The speed control, by arrow key, changes playbackRate, and is remembered.
    open_page(page, site + "sections.html")
    for _ in range(speed + 1):
        keys.send_keys(Keys.TAB).perform()
    assert active(page)["id"] == "speed"
    keys.send_keys(Keys.ARROW_DOWN).perform()
    assert wait(page, "return document.getElementById('audio').playbackRate === 1.25")
    open_page(page, site + "sections.html")
    assert page.execute_script(
        "return [document.getElementById('speed').value, document.getElementById('audio').playbackRate]"
    ) == ["1.25", 1.25]

    # The skip link moves focus to the transcript.
    open_page(page, site + "sections.html")
    keys.send_keys(Keys.TAB).perform()
    keys.send_keys(Keys.ENTER).perform()
    assert wait(page, "return document.activeElement.id === 'transcript'")
    page.execute_script("localStorage.clear()")


def test_player_shortcuts_act_only_on_player_controls(page: Any, site: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(page, site + SAMPLE_PAGE)
    wait(page, "return document.getElementById('audio').readyState >= 1")
    starts = page.execute_script(
        "return [...document.querySelectorAll('#chapters a')].map(a => Number(a.dataset.t) / 1000)"
    )
    now = "return document.getElementById('audio').currentTime"
    keys = ActionChains(page)
    # Outside the player the letters do nothing.
    page.execute_script("document.querySelector('#transcript').focus()")
    keys.send_keys("l").perform()
    assert page.execute_script(now) == 0
    page.execute_script("document.getElementById('play').focus()")
    keys.send_keys("l").perform()
    assert page.execute_script(now) == pytest.approx(30, abs=0.01)
    keys.send_keys("j").perform()
    assert page.execute_script(now) == pytest.approx(20, abs=0.01)
    keys.send_keys("n").perform()
    nxt = min(s for s in starts if s > 20)
    assert page.execute_script(now) == pytest.approx(nxt, abs=0.01)
    keys.send_keys("p").perform()  # within 3 s of a chapter's start: the one before
    assert page.execute_script(now) == pytest.approx(max(s for s in starts if s < nxt), abs=0.01)
    keys.send_keys(">").perform()
    assert page.execute_script("return document.getElementById('audio').playbackRate") == 1.25
    ActionChains(page).key_down(Keys.SHIFT).send_keys(".").key_up(Keys.SHIFT).perform()
    assert page.execute_script("return document.getElementById('audio').playbackRate") == 1.5
    ActionChains(page).key_down(Keys.SHIFT).send_keys(",").key_up(Keys.SHIFT).perform()
    keys.send_keys("<").perform()
    assert page.execute_script("return document.getElementById('audio').playbackRate") == 1
    keys.send_keys("k").perform()
    assert wait(page, "return !document.getElementById('audio').paused")
    # The label follows the audio's 'play' event, a moment after play() resolves.
    assert wait(page, "return document.getElementById('play').textContent === 'إيقاف مؤقت'")
    keys.send_keys("k").perform()
    assert wait(page, "return document.getElementById('audio').paused")
    page.execute_script("localStorage.clear()")


def test_chapters_track_matches_the_chapters(page: Any, site: str, edition: Edition) -> None:
    open_page(page, site + SAMPLE_PAGE)
    cues = wait(
        page,
        "const t = [...document.getElementById('audio').textTracks].find(t => t.kind === 'chapters');"
        "t.mode = 'hidden';"
        "return t.cues && t.cues.length ? [...t.cues].map(c => [c.startTime, c.text]) : null;",
    )
    chapters = edition.pages["000_f15fce85f70c3c01"].chapters
    assert [(round(s, 3), text) for s, text in cues] == [
        (c.start_ms / 1000, c.title) for c in chapters
    ]
    captions = page.execute_script(
        "const t = [...document.getElementById('audio').textTracks].find(t => t.kind === 'captions');"
        "return [t.language, t.mode]"
    )
    assert captions == ["ar", "showing"]  # the default track


def test_click_on_a_sentence_plays_from_it_and_follow_along_moves(page: Any, site: str) -> None:
    open_page(page, site + SAMPLE_PAGE)
    audio = "document.getElementById('audio')"
    page.execute_script(f"{audio}.muted = true")
    sentences = page.find_elements("css selector", "#transcript .s")
    target = sentences[3]
    start = int(target.get_attribute("data-t")) / 1000
    page.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", target
    )
    target.click()
    assert wait(
        page, f"return !{audio}.paused && {audio}.currentTime >= arguments[0]", start - 0.01
    )
    assert target.get_attribute("aria-current") == "true"
    page.execute_script(f"{audio}.pause()")

    # Follow-along: from the start, muted and fast, the mark moves to later sentences.
    scrolled = page.execute_script("return window.scrollY")
    page.execute_script(f"{audio}.currentTime = 0; {audio}.playbackRate = 16; {audio}.play()")
    later = wait(
        page,
        "const s = [...document.querySelectorAll('#transcript .s')];"
        "const i = s.findIndex(e => e.getAttribute('aria-current') === 'true');"
        "return i >= 4 ? i : null;",
    )
    assert later >= 4
    page.execute_script(f"{audio}.pause()")
    marked = page.execute_script(
        "return document.querySelectorAll('#transcript [aria-current]').length"
    )
    assert marked == 1
    assert (
        page.execute_script(
            "return document.querySelectorAll('[aria-live], [role=alert], [role=status]').length"
        )
        == 0
    )
    # The reader did not ask for scrolling: the page stayed where it was.
    assert page.execute_script("return document.getElementById('autoscroll').checked") is False
    assert page.execute_script("return window.scrollY") == scrolled

    # Opted in (with reduced motion: no smooth scrolling), the text follows the voice.
    set_scheme(page, "light", reduced_motion=True)
    page.execute_script("window.scrollTo(0, 0)")
    page.find_element("id", "autoscroll").click()
    page.execute_script(f"{audio}.currentTime = 0; {audio}.play()")
    assert wait(page, "return window.scrollY > 0")
    page.execute_script(f"{audio}.pause()")
    page.execute_script("localStorage.clear()")


def test_without_javascript_text_audio_and_chapter_links_remain(
    site: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    driver = make_driver(tmp_path_factory.mktemp("chromium-nojs"), javascript=False)
    try:
        driver.get(site + SAMPLE_PAGE)
        # Selenium's own scripts still run; the page's do not: no "js" class, controls hidden.
        assert (
            driver.execute_script("return document.documentElement.classList.contains('js')")
            is False
        )
        assert driver.find_element("id", "controls").is_displayed() is False
        text = driver.find_element("id", "transcript").text
        assert "سيلين بيرتون" in text
        audio = driver.find_element("tag name", "audio")
        assert audio.is_displayed() and audio.get_attribute("controls") is not None
        links = driver.find_elements("css selector", "#chapters a")
        assert links and all("#t=" in (a.get_attribute("href") or "") for a in links)
        assert all(a.is_displayed() for a in links)
        full_screenshot(driver, ARTIFACTS / "sample-nojs.png")
    finally:
        driver.quit()


def test_hostile_title_is_shown_as_text(page: Any, site: str) -> None:
    open_page(page, site + "hostile.html")
    assert page.execute_script("return document.querySelector('h1').textContent") == HOSTILE_TITLE
    assert page.title.startswith(HOSTILE_TITLE)
    assert page.execute_script("return [...document.scripts].map(s => s.getAttribute('src'))") == [
        "sawt-web.js"
    ]
    open_page(page, site + "index.html")
    titles = page.execute_script(
        "return [...document.querySelectorAll('.episodes h3')].map(h => h.textContent)"
    )
    assert HOSTILE_TITLE in titles

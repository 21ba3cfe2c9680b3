"""`sawt update` against a local news site that changes between passes (real processes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests.conftest import run_sawt, sawt_env
from tests.fakesite import ARTICLES, FakeSite

pytestmark = pytest.mark.slow

ALL = set(ARTICLES)


def configure(folder: Path, site: FakeSite, extra: str = "") -> None:
    (folder / "podcast.yaml").write_text(
        "engine: espeak\n"
        "allow_private_addresses: true\n"
        "fetch: {timeout: 1, backoff: 0.05, retries: 2, max_retry_after: 5}\n"
        f"sources:\n  - feed: {site.feed_url}\n" + extra,
        "utf-8",
    )


def update(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sawt("update", *args, cwd=folder)


def episodes(folder: Path) -> dict[str, dict[str, Any]]:
    """The records on disk, by slug."""
    found = {}
    for path in (folder / "episodes").glob("*.json"):
        if path.name.startswith("."):  # .sawt-outputs.json: the outputs' manifest
            continue
        if path.name != "sources.json" and not path.name.endswith(".chapters.json"):
            found[path.stem] = json.loads(path.read_text("utf-8"))
    return found


def mp3_times(folder: Path) -> dict[str, int]:
    return {p.stem: p.stat().st_mtime_ns for p in (folder / "episodes").glob("*.mp3")}


def feed_guids(folder: Path) -> dict[str, str]:
    """Episode title → GUID from the published feed, after checking that it parses cleanly."""
    feed = feedparser.parse((folder / "episodes" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return {e.title: e.id for e in feed.entries}


def litter(folder: Path) -> list[Path]:
    """Temporary files or page copies left in episodes/."""
    root = folder / "episodes"
    return [p for p in root.rglob("*") if p.name.endswith(".part") or ".sources" in p.parts]


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    with FakeSite() as fake:
        yield fake


@pytest.fixture(scope="module")
def show(site: FakeSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("show")
    configure(folder, site)
    return folder


def test_1_first_pass_renders_every_article(site: FakeSite, show: Path) -> None:
    proc = update(show)
    assert proc.returncode == 0, proc.stderr
    assert "5 new, 0 changed, 0 unchanged, 0 failed, 0 removed" in proc.stdout
    records = episodes(show)
    assert set(records) == ALL
    for slug, (title, paragraphs) in ARTICLES.items():
        assert records[slug]["title"] == title
        assert records[slug]["source_url"] == site.article_url(slug)  # canonical, no ?utm
        spoken = [e["original"] for e in records[slug]["timeline"]]
        assert paragraphs[-1] in spoken
    # Episodes are dated by the feed's pubDate, newest article first.
    assert feed_guids(show).keys() == {t for t, _ in ARTICLES.values()}
    dates = [records[s]["pub_date"] for s in ARTICLES]
    assert dates == sorted(dates, reverse=True)
    assert litter(show) == []


def test_2_idle_pass_sends_one_conditional_request_and_renders_nothing(
    site: FakeSite, show: Path
) -> None:
    before, guids = mp3_times(show), feed_guids(show)
    feed_before = (show / "episodes" / "feed.xml").stat().st_mtime_ns
    mark = site.mark()
    proc = update(show)
    assert proc.returncode == 0, proc.stderr
    assert "0 new, 0 changed, 5 unchanged, 0 failed, 0 removed; 1 request\n" in proc.stdout
    [request] = site.requests_since(mark)
    assert request.path == "/feed.xml" and request.conditional and request.status == 304
    assert mp3_times(show) == before and feed_guids(show) == guids
    assert (show / "episodes" / "feed.xml").stat().st_mtime_ns == feed_before


def test_3_dry_run_lists_and_changes_nothing(site: FakeSite, show: Path) -> None:
    site.add_article("new-report")
    site.edit("markets")
    state_before = (show / "episodes" / "sources.json").read_bytes()
    proc = update(show, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "would render (new) new-report" in proc.stdout
    assert "would render (changed) markets" in proc.stdout
    assert proc.stdout.count("would render") == 2
    assert (show / "episodes" / "sources.json").read_bytes() == state_before
    assert set(episodes(show)) == ALL


def test_4_new_edit_redate_and_404(site: FakeSite, show: Path) -> None:
    before, guids = mp3_times(show), feed_guids(show)
    records_before = episodes(show)
    site.redate("weather")
    site.set_status("sport", 404)
    mark = site.mark()
    proc = update(show)
    assert proc.returncode == 0, proc.stderr
    assert "1 new, 1 changed, 3 unchanged, 0 failed, 0 removed" in proc.stdout
    assert "--prune-missing" in proc.stderr and "sport" in proc.stderr
    after = mp3_times(show)
    assert set(after) == {*ALL, "new-report"}  # the 404 keeps its episode for now
    changed = {slug for slug in before if after[slug] != before[slug]}
    assert changed == {"markets"}  # only the edit re-rendered; the re-dated one did not
    records = episodes(show)
    spoken = [e["original"] for e in records["markets"]["timeline"]]
    assert "وأضاف المصدر أن تفاصيل جديدة ستعلن لاحقا." in spoken
    for slug in ALL:  # GUIDs and first pub dates are stable through edits and re-dating
        assert records[slug]["guid"] == records_before[slug]["guid"]
        assert records[slug]["pub_date"] == records_before[slug]["pub_date"]
    new_guids = feed_guids(show)
    assert {t: g for t, g in new_guids.items() if t in guids} == guids
    assert len(new_guids) == 6
    # Pages are fetched conditionally: the unchanged ones answer 304.
    pages = [r for r in site.requests_since(mark) if r.path.startswith("/news/")]
    assert all(r.conditional for r in pages if "new-report" not in r.path)
    assert {r.path for r in pages if r.status == 304} == {
        "/news/culture",
        "/news/health?utm_source=rss",
    }


def test_5_prune_missing_removes_the_404(site: FakeSite, show: Path) -> None:
    proc = update(show, "--prune-missing")
    assert proc.returncode == 0, proc.stderr
    assert "1 removed" in proc.stdout
    assert "sport" not in episodes(show) and not (show / "episodes" / "sport.mp3").exists()
    assert len(feed_guids(show)) == 5
    again = update(show)
    assert "0 new, 0 changed, 5 unchanged, 0 failed, 0 removed; 1 request\n" in again.stdout


def test_6_state_file_is_valid_json_with_each_article_once(show: Path) -> None:
    state = json.loads((show / "episodes" / "sources.json").read_text("utf-8"))
    slugs = [a["slug"] for a in state["articles"].values() if a["status"] == "done"]
    assert sorted(slugs) == sorted(episodes(show))
    assert all(a["fingerprint"] for a in state["articles"].values() if a["status"] == "done")


def test_faults_fail_alone_and_the_rest_renders(tmp_path: Path) -> None:
    with FakeSite() as site:
        configure(tmp_path, site)
        site.fail("/news/markets", 500, times=2)  # 500s, then success
        site.fail("/news/weather", 429, times=1, retry_after=1)  # honoured, then success
        site.fail("/news/culture", 503, times=1, retry_after=1)
        site.delay("/news/sport", 3)  # past the 1 s timeout
        site.extra_items += [
            ("ملف", site.url("/files/report.pdf")),
            ("سر", "file:///etc/passwd"),
            ("دوامة", site.url("/loop/a")),
            ("ضخم", site.url("/big")),
            ("خاص", site.url("/private/health")),
            ("فارغ", site.url("/empty")),
        ]
        proc = update(tmp_path)
        log = site.requests_since()
    assert proc.returncode == 1
    assert "4 new, 0 changed, 0 unchanged, 7 failed, 0 removed" in proc.stdout
    for words in (
        "not an HTML page but application/pdf",
        "not an http:// or https:// address",
        "redirect loop",
        "too large",
        "robots.txt disallows",
        "timed out",
        "no article to read",
    ):
        assert words in proc.stderr, words
    assert "Traceback" not in proc.stderr
    assert set(episodes(tmp_path)) == {"markets", "weather", "culture", "health"}
    assert len(feed_guids(tmp_path)) == 4
    assert not any(r.path.startswith("/private/") for r in log)
    assert [r.status for r in log if r.path == "/news/markets"] == [500, 500, 200]
    assert litter(tmp_path) == []


def test_a_failed_article_is_retried_by_the_next_pass(tmp_path: Path) -> None:
    with FakeSite() as site:
        configure(tmp_path, site, "expire_days: 365\n")
        site.fail("/news/sport", 500, times=3)  # more than the retries
        first = update(tmp_path)
        assert first.returncode == 1 and "4 new" in first.stdout and "1 failed" in first.stdout
        mark = site.mark()
        second = update(tmp_path)
        assert second.returncode == 0, second.stderr
        assert "1 new, 0 changed, 4 unchanged, 0 failed" in second.stdout
        paths = [r.path for r in site.requests_since(mark)]
    assert paths == ["/feed.xml", "/news/sport"]  # the feed answered 304; only the failure
    assert set(episodes(tmp_path)) == ALL


def test_limit_and_max_age(tmp_path: Path) -> None:
    with FakeSite() as site:
        configure(tmp_path, site)
        text = (tmp_path / "podcast.yaml").read_text("utf-8")
        (tmp_path / "podcast.yaml").write_text(
            text + "    limit: 2\n    max_age_days: 0.19\n    exclude: ['*/news/markets']\n"
        )
        # Articles are 1..5 hours old: 0.19 days (4.6 h) keeps weather, sport, health;
        # markets is excluded; the limit takes the newest two per pass.
        first = update(tmp_path)
        assert "2 new" in first.stdout, first.stdout + first.stderr
        assert set(episodes(tmp_path)) == {"weather", "sport"}
        second = update(tmp_path)
        assert "1 new" in second.stdout
        assert set(episodes(tmp_path)) == {"weather", "sport", "health"}


def test_expire_days_removes_aged_out_episodes(tmp_path: Path) -> None:
    with FakeSite() as site:
        configure(tmp_path, site)
        assert update(tmp_path).returncode == 0
        text = (tmp_path / "podcast.yaml").read_text("utf-8")
        (tmp_path / "podcast.yaml").write_text("expire_days: 0.1\n" + text)  # 2.4 hours
        proc = update(tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "3 removed" in proc.stdout  # sport, health, culture: 3 to 5 hours old
        assert set(episodes(tmp_path)) == {"markets", "weather"}
        assert len(feed_guids(tmp_path)) == 2
        site.edit("culture")  # an expired article is not brought back by the feed
        again = update(tmp_path)
        assert "0 new, 0 changed" in again.stdout
        assert set(episodes(tmp_path)) == {"markets", "weather"}


def _start(folder: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sawt", "update", *args],
        cwd=folder,
        env=sawt_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: kill it with its workers
    )


def _wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[str], limit: float = 120
) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.02)


def _no_duplicates(folder: Path, count: int) -> None:
    records = episodes(folder)
    assert len(records) == count
    assert len({r["guid"] for r in records.values()}) == count
    assert len({r["source_url"] for r in records.values()}) == count
    assert len(feed_guids(folder)) == count


def test_sigkill_while_fetching_then_a_pass_completes(tmp_path: Path) -> None:
    with FakeSite(articles=6) as site:
        configure(tmp_path, site)
        held = site.hold("/news/report-3")
        proc = _start(tmp_path)
        _wait_for(lambda: "/news/report-3" in site.arrived, proc)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        held.set()
        state = json.loads((tmp_path / "episodes" / "sources.json").read_text("utf-8"))
        assert len(state["articles"]) == 6  # the feed's items were saved as pending
        assert state["feeds"][site.feed_url]["etag"]  # so the next pass may get a 304…
        again = update(tmp_path)
        assert again.returncode == 0, again.stderr
        assert "6 new" in again.stdout  # …and still does all the work
    _no_duplicates(tmp_path, 6)


def test_sigkill_while_rendering_then_a_pass_completes_without_duplicates(tmp_path: Path) -> None:
    with FakeSite(articles=8) as site:
        configure(tmp_path, site)
        proc = _start(tmp_path, "--jobs", "1")

        def mp3s() -> list[Path]:
            return list((tmp_path / "episodes").glob("*.mp3"))

        _wait_for(lambda: len(mp3s()) >= 2, proc)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        done_before = {p.stem: p.stat().st_mtime_ns for p in mp3s()}
        assert 2 <= len(done_before) < 8, "the kill must land mid-pass"
        again = update(tmp_path)
        assert again.returncode == 0, again.stderr
    _no_duplicates(tmp_path, 8)
    after = mp3_times(tmp_path)
    # What was finished before the kill is not rendered again (at most the one in flight).
    redone = [s for s, t in done_before.items() if after[s] != t]
    assert redone == []


def test_watch_runs_passes_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with FakeSite() as site:
        configure(tmp_path, site)
        proc = _start(tmp_path, "--watch", "--every", "10s")
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the first pass's summary
        assert "5 new" in line
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert litter(tmp_path) == []
    assert len(feed_guids(tmp_path)) == 5


def test_sigterm_mid_render_finishes_the_article_and_leaves_no_litter(tmp_path: Path) -> None:
    with FakeSite(articles=8) as site:
        configure(tmp_path, site)
        proc = _start(tmp_path, "--jobs", "2")
        _wait_for(lambda: any((tmp_path / "episodes").glob("*.mp3")), proc)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "stopped early" in out
        assert litter(tmp_path) == []
        done = set(episodes(tmp_path))
        assert 1 <= len(done) < 8
        again = update(tmp_path)
        assert f"{8 - len(done)} new" in again.stdout
    _no_duplicates(tmp_path, 8)


def test_every_must_be_a_duration(tmp_path: Path) -> None:
    proc = run_sawt("update", "--watch", "--every", "soon", cwd=tmp_path)
    assert proc.returncode == 2 and "--every 'soon'" in proc.stderr

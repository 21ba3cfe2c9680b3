"""Issue 13's classes: nothing lost, no tracebacks, no litter, whatever users throw at sawt."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from mutagen.id3 import ID3

from sawt.files import sweep_parts, sweep_temp_dirs
from sawt.publishing.catalog import read_record
from tests.conftest import sawt_env
from tests.showkit import copy_show, new_show, run_sawt, show_yaml

SHORT = "---\ntitle: {title}\n{extra}---\n\nجملة قصيرة للاختبار. وجملة ثانية.\n"


def short(title: str = "مقال", extra: str = "") -> str:
    return SHORT.format(title=json.dumps(title, ensure_ascii=False), extra=extra)


def one_line_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc.stderr


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ── 1. cache --clear deletes only sawt's clips ───────────────────────────────


def test_cache_clear_refuses_a_folder_that_is_not_a_cache(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show", cache_dir='"."')
    (show / "notes.txt").write_text("mine", "utf-8")
    env = {k: v for k, v in sawt_env().items() if k != "SAWT_CACHE_DIR"}
    proc = subprocess.run(
        [sys.executable, "-m", "sawt", "cache", "--clear"],
        cwd=show,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "not a sawt clip cache" in one_line_error(proc)
    assert (show / "notes.txt").read_text("utf-8") == "mine" and (show / "podcast.yaml").exists()
    home_cache = tmp_path / "dot-cache"
    (home_cache / "other-app").mkdir(parents=True)
    (home_cache / "other-app" / "data.bin").write_bytes(b"x")
    env = {**env, "SAWT_CACHE_DIR": str(home_cache)}
    proc = subprocess.run(
        [sys.executable, "-m", "sawt", "cache", "--clear"],
        cwd=show,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and (home_cache / "other-app" / "data.bin").exists()


def test_cache_clear_removes_only_clip_files(tmp_path: Path) -> None:
    from sawt.speech.cache import ClipCache

    cache = ClipCache(tmp_path / "clips")
    key = cache.key("engine", "نص")
    cache.put(key, b"payload")
    (tmp_path / "clips" / key[:2] / "keep.txt").write_text("not sawt's", "utf-8")
    (tmp_path / "clips" / "mine.txt").write_text("not sawt's", "utf-8")
    stats = cache.clear()
    assert stats.entries == 1 and cache.get(key) is None
    assert (tmp_path / "clips" / key[:2] / "keep.txt").exists()
    assert (tmp_path / "clips" / "mine.txt").exists()


# ── 3. foreign files in episodes/ are never deleted ──────────────────────────

FOREIGN = {
    "talk.srt": "1\n00:00:00,000 --> 00:00:01,000\nمحاضرة\n",
    "lecture.vtt": "WEBVTT\n",
    "book.chapters.json": '{"version": "1.2.0", "chapters": []}\n',
    "cover.jpg": "not really a jpeg",
    "notes.json": '{"todo": []}\n',
    "talk.html": "<p>mine</p>",
    "readme.txt": "mine",
}


def test_feed_and_remove_never_delete_foreign_files(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    episodes = show / "episodes"
    for name, text in FOREIGN.items():
        (episodes / name).write_text(text, "utf-8")
    assert run_sawt("feed", cwd=show).returncode == 0
    assert run_sawt("remove", "nasty", cwd=show).returncode == 0
    assert run_sawt("feed", cwd=show).returncode == 0
    for name, text in FOREIGN.items():
        assert (episodes / name).read_text("utf-8") == text, name
    refused = run_sawt("remove", "notes", cwd=show)  # not an episode: refused, nothing deleted
    assert "notes.json" in one_line_error(refused)  # the file, and why it is no record
    assert (episodes / "notes.json").exists()


# ── 4. encodings: damaged UTF-8, NULs, control characters ────────────────────


def test_one_bad_byte_in_utf8_is_an_error_not_gibberish(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    raw = short("عنوان سليم").encode() + ("فقرة طويلة بالعربية. " * 40).encode()
    damaged = raw[:200] + b"\xff" + raw[200:]
    (show / "bad.md").write_bytes(damaged)
    err = one_line_error(run_sawt("render", "bad.md", cwd=show))
    assert "damaged UTF-8" in err and "at offset 199" in err and "bad.md:6:" in err
    assert not (show / "episodes" / "bad.mp3").exists()


def test_a_nul_late_in_the_file_is_an_error(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    raw = short().encode() + ("نص. " * 5000).encode() + b"\x00" + "نهاية.".encode()
    (show / "nul.md").write_bytes(raw)
    err = one_line_error(run_sawt("render", "nul.md", cwd=show))
    assert "NUL byte at offset" in err


def test_control_characters_reach_no_output(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    title = "عنوان \x1b[31mأحمر\x1b[0m\x07 و\x1b]0;owned\x07نهاية"
    (show / "ctl.md").write_text(short(title), "utf-8")
    proc = run_sawt("render", "ctl.md", cwd=show)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr
    episodes = show / "episodes"
    for name in ("ctl.json", "ctl.vtt", "ctl.srt", "feed.xml", "ctl.html", "ctl.txt"):
        text = (episodes / name).read_text("utf-8")
        assert "\x1b" not in text and "\x07" not in text, name
    tags = ID3(episodes / "ctl.mp3")  # type: ignore[no-untyped-call]
    assert "\x1b" not in str(tags["TIT2"]) and "أحمر" in str(tags["TIT2"])


# ── crashes: IRIs, validation gaps ───────────────────────────────────────────


def test_an_arabic_source_url_is_encoded_everywhere(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    url = "https://www.aljazeera.net/news/اقتصاد"
    (show / "iri.md").write_text(short(extra=f"source_url: {url}\n"), "utf-8")
    proc = run_sawt("render", "iri.md", cwd=show)
    assert proc.returncode == 0, proc.stderr
    encoded = "https://www.aljazeera.net/news/%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF"
    tags = ID3(show / "episodes" / "iri.mp3")  # type: ignore[no-untyped-call]
    assert tags.getall("WOAS")[0].url == encoded  # type: ignore[no-untyped-call]
    entry = feedparser.parse(str(show / "episodes" / "feed.xml")).entries[0]
    assert entry.link == encoded
    assert f'href="{encoded}"' in (show / "episodes" / "iri.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("extra", "words", "line"),
    [
        ("source_url: javascript:alert(1)\n", "source_url", 3),
        ("source_url: file:///etc/passwd\n", "source_url", 3),
        ("date: 2026-13-45\n", "not a date", 3),
        ("title: مكرر\n", "given twice", 3),
        ('author: "\\ud800"\n', "surrogate", 3),
    ],
)
def test_front_matter_gaps_are_one_line_errors(
    tmp_path: Path, extra: str, words: str, line: int
) -> None:
    show = new_show(tmp_path / "show")
    (show / "a.md").write_text(short(extra=extra), "utf-8")
    err = one_line_error(run_sawt("render", "a.md", cwd=show))
    assert words in err and f"a.md:{line}:" in err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"base_url": '"https://example.org:99999/"'}, "base_url"),
        ({"engine": "nope"}, "unknown engine 'nope'"),
        ({"espeak": "\n  voice: zz"}, "espeak.voice"),
        ({"title": '"مرة"\ntitle: "مرتين"'}, "given twice"),
        ({"description": '"\\udc80"'}, "surrogate"),
    ],
)
def test_podcast_yaml_gaps_are_one_line_errors(
    tmp_path: Path, extra: dict[str, str], words: str
) -> None:
    show = new_show(tmp_path / "show")
    (show / "podcast.yaml").write_text(show_yaml(**extra), "utf-8")
    (show / "a.md").write_text(short(), "utf-8")
    for command in (("render", "a.md", "--engine", "espeak"), ("feed",)):
        if "espeak" in words and command[0] == "feed":
            continue
        err = one_line_error(run_sawt(*command, cwd=show))
        assert words in err and "podcast.yaml:" in err
    assert not (show / "episodes" / "a.mp3").exists()


def test_a_damaged_record_never_stops_the_others(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    record = show / "episodes" / "nasty.json"
    data = json.loads(record.read_text("utf-8"))
    for damage in ({"timeline": None}, {"duration_ms": "12s"}):
        record.write_text(json.dumps(data | damage), "utf-8")
        for command in (("feed",), ("episodes",), ("render", "-n", "nasty.md")):
            proc = run_sawt(*command, cwd=show)
            assert "Traceback" not in proc.stderr + proc.stdout, command
        feed = (show / "episodes" / "feed.xml").read_text("utf-8")
        assert "000_f15fce85f70c3c01.mp3" in feed


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_non_regular_files_are_refused(tmp_path: Path, kind: str) -> None:
    show = new_show(tmp_path / "show")
    target = show / "x.md"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    err = one_line_error(run_sawt("render", "x.md", cwd=show, timeout=60))
    assert "not a regular file" in err


def test_a_backtracking_lexicon_regex_stops_with_an_error(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    body = "---\ntitle: ت\nlexicon:\n  - {match: '(a|aa)+$', say: x, regex: true}\n---\n\n"
    (show / "re.md").write_text(body + "a" * 40 + "!\n", "utf-8")
    err = one_line_error(run_sawt("render", "re.md", "--engine", "espeak", cwd=show, timeout=120))
    assert "lexicon regex" in err


# ── kills and litter ─────────────────────────────────────────────────────────


def test_stale_parts_and_temp_dirs_of_dead_processes_go_and_live_ones_stay(
    tmp_path: Path,
) -> None:
    host = socket.gethostname().replace(".", "-")
    dead, live = dead_pid(), os.getpid()
    folder = tmp_path / "episodes"
    folder.mkdir()
    stale = folder / f".a.mp3.{host}-{dead}.abcd1234.part"
    mine = folder / f".a.mp3.{host}-{live}.abcd1234.part"
    other_host = folder / f".a.mp3.elsewhere-{dead}.abcd1234.part"
    foreign = folder / ".hidden.part"
    for path in (stale, mine, other_host, foreign):
        path.write_bytes(b"x")
    assert sweep_parts(folder) == [stale]
    assert mine.exists() and other_host.exists() and foreign.exists()
    tmp = tmp_path / "tmp"
    (tmp / f"sawt-{dead}-xyz").mkdir(parents=True)
    (tmp / f"sawt-{dead}-xyz" / "episode.pcm").write_bytes(b"\0" * 100)
    (tmp / f"sawt-{live}-xyz").mkdir()
    (tmp / "sawt-notmine").mkdir()
    assert sweep_temp_dirs(tmp) == [tmp / f"sawt-{dead}-xyz"]
    assert (tmp / f"sawt-{live}-xyz").exists() and (tmp / "sawt-notmine").exists()


def test_a_render_killed_mid_way_leaves_nothing_after_the_next_run(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    (show / "long.md").write_text(short(extra="") + ("جملة أخرى طويلة. " * 400), "utf-8")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**sawt_env(), "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sawt", "render", "long.md", "--engine", "espeak"],
        cwd=show,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp.glob("sawt-*/episode.pcm")):
        time.sleep(0.05)
    time.sleep(0.5)
    proc.kill()
    proc.wait()
    again = subprocess.run(
        [sys.executable, "-m", "sawt", "render", "long.md", "--engine", "espeak"],
        cwd=show,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    assert not list((show / "episodes").glob(".*.part"))
    assert not [p for p in tmp.iterdir() if p.name.startswith("sawt-")]


def test_the_same_file_twice_is_rendered_once(tmp_path: Path) -> None:
    show = new_show(tmp_path / "show")
    (show / "a.md").write_text(short(), "utf-8")
    proc = run_sawt("render", "a.md", str(show / "a.md"), cwd=show)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (show / "episodes").glob("*.mp3")] == ["a.mp3"]


def test_after_a_crash_between_record_and_audio_the_feed_is_repaired(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    show = copy_show(tmp_path_factory, tmp_path / "show")
    mp3 = show / "episodes" / "nasty.mp3"
    with open(mp3, "ab") as fh:  # the audio is not the one the record describes
        fh.write(b"\0" * 417)
    check = run_sawt("check", cwd=show)
    assert check.returncode == 1 and "a render was interrupted" in check.stdout
    assert run_sawt("feed", cwd=show).returncode == 0
    feed = feedparser.parse(str(show / "episodes" / "feed.xml"))
    lengths = {
        e.enclosures[0].href.rsplit("/", 1)[-1]: int(e.enclosures[0].length) for e in feed.entries
    }
    assert lengths["nasty.mp3"] == mp3.stat().st_size
    record = read_record(show / "episodes" / "nasty.json")
    assert record.audio.bytes != mp3.stat().st_size  # the next render of nasty.md fixes it
    assert run_sawt("render", "nasty.md", cwd=show).returncode == 0
    assert read_record(show / "episodes" / "nasty.json").audio.bytes == mp3.stat().st_size

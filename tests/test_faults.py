"""Issue 13's fault-injection suite: kills, read-only folders and full disks lose nothing.

After every fault, in a show that already has episodes:

- the next render succeeds, and leaves no ``.part`` file in episodes/ and no
  temp folder of a dead sawt process in the temp dir;
- the feed matches the files (every enclosure exists with its exact length,
  and ``sawt check`` finds no record that disagrees with its audio);
- every earlier episode is intact: same GUID, same MP3 bytes.

A fault that stops the render (a read-only folder, a full disk) must end it
with a non-zero exit and one clear line, never a traceback, with nothing
half-written.

Mounting needs privileges (root, or CAP_SYS_ADMIN in a container); where the
test cannot mount a tmpfs it is skipped with the reason shown.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest

from sawt.files import alive
from tests.conftest import sawt_env
from tests.showkit import copy_show

SEED = 13
# A few paragraphs of varied sentences: long enough that a kill lands in any stage
# (reading, speaking, encoding, tagging, the record, the feed), short enough to repeat.
WORDS = [
    "جملة",
    "أخرى",
    "عن",
    "الاقتصاد",
    "والسياسة",
    "في",
    "المغرب",
    "والعالم",
    "العربي",
    "اليوم",
    "وغدا",
]


def article(n: int, paragraphs: int = 8) -> str:
    """Markdown with its own title and slug; different text for each ``n``."""
    rnd = random.Random(SEED * 1000 + n)
    body = "\n\n".join(
        " ".join(" ".join(rnd.choice(WORDS) for _ in range(10)) + "." for _ in range(5))
        for _ in range(paragraphs)
    )
    return f"---\ntitle: مقال الاختبار {n}\nslug: fault-{n}\n---\n\n{body}\n"


@dataclass(frozen=True)
class Saved:
    """What an earlier episode must keep: its GUID and its audio."""

    guid: str
    mp3_sha256: str


class Show:
    """A rendered show with a private TMPDIR, and the real command run in it."""

    def __init__(self, folder: Path, tmp: Path) -> None:
        self.folder = folder
        self.episodes = folder / "episodes"
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        return {**sawt_env(), "TMPDIR": str(self.tmp), **extra}

    def start(self, *args: str, tmpdir: Path | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "sawt", *args],
            cwd=self.folder,
            env=self.env(TMPDIR=str(tmpdir or self.tmp)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, tmpdir: Path | None = None) -> subprocess.CompletedProcess[str]:
        proc = self.start(*args, tmpdir=tmpdir)
        out, err = proc.communicate(timeout=600)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def saved(self) -> dict[str, Saved]:
        """Every episode on disk now, by slug."""
        found: dict[str, Saved] = {}
        for path in sorted(self.episodes.glob("*.json")):
            data = json.loads(path.read_text("utf-8"))
            if not isinstance(data, dict) or "guid" not in data:
                continue  # chapters, the outputs manifest
            mp3 = self.episodes / data["audio"]["file"]
            digest = hashlib.sha256(mp3.read_bytes()).hexdigest()
            found[data["slug"]] = Saved(data["guid"], digest)
        return found


@pytest.fixture()
def show(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Show:
    return Show(copy_show(tmp_path_factory, tmp_path / "show"), tmp_path / "tmp")


def sawt_temp_dirs(tmp: Path) -> list[Path]:
    return [p for p in tmp.iterdir() if re.match(r"^sawt-\d+-", p.name)]


def dead_temp_dirs(tmp: Path) -> list[Path]:
    """Temp folders of sawt processes that no longer run."""
    return [p for p in sawt_temp_dirs(tmp) if not alive(int(p.name.split("-")[1]))]


def parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part"))


def one_line(proc: subprocess.CompletedProcess[str]) -> None:
    """A failure the user can act on: ``error: …`` (and maybe a hint), no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip("\n").split("\n")
    assert lines[0].startswith("error: "), proc.stderr
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("  hint: ")), proc.stderr


def assert_consistent(show: Show, earlier: dict[str, Saved]) -> None:
    """No litter, the feed matches the files, and every earlier episode is intact."""
    assert parts(show.episodes) == []
    assert dead_temp_dirs(show.tmp) == []
    feed = feedparser.parse(str(show.episodes / "feed.xml"))
    assert not feed.bozo, feed.bozo_exception
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        mp3 = show.episodes / enclosure.href.rsplit("/", 1)[-1]
        assert mp3.is_file(), enclosure.href
        assert int(enclosure.length) == mp3.stat().st_size, mp3.name
    check = show.run("check")
    assert check.returncode == 0, check.stdout + check.stderr
    now = show.saved()
    for slug, saved in earlier.items():
        assert now.get(slug) == saved, f"{slug} changed: {saved} → {now.get(slug)}"
    guids = {e.id for e in feed.entries}
    assert {s.guid for s in now.values()} == guids


def wait_for(proc: subprocess.Popen[str], ready: Callable[[], bool], limit: float = 120) -> bool:
    """Poll until ``ready()`` or the process ends; True if ready while it still ran."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            return True
        time.sleep(0.002)
    return False


def kill(proc: subprocess.Popen[str], signum: int) -> str:
    """Send ``signum`` (if it still runs), wait for the end; its stderr."""
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signum)
    return proc.communicate(timeout=120)[1]


# ── kills ────────────────────────────────────────────────────────────────────

SIGNALS = [pytest.param(signal.SIGKILL, id="SIGKILL"), pytest.param(signal.SIGTERM, id="SIGTERM")]


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS)
def test_kills_at_random_points_lose_nothing(show: Show, signum: int) -> None:
    # How long a whole render takes here, so the seeded kill times cover all of it.
    (show.folder / "warm.md").write_text(article(99), "utf-8")
    began = time.monotonic()
    assert show.run("render", "warm.md").returncode == 0
    whole = time.monotonic() - began
    rnd = random.Random(SEED + signum)
    for n, fraction in enumerate(sorted(rnd.uniform(0.02, 1.05) for _ in range(6))):
        name = f"k{n}.md"
        (show.folder / name).write_text(article(n), "utf-8")
        if n % 2:  # half the kills hit a re-render of an episode that exists
            assert show.run("render", name).returncode == 0
        earlier = show.saved()
        proc = show.start("render", name, "--force")
        time.sleep(whole * fraction)
        assert "Traceback" not in kill(proc, signum)
        again = show.run("render", name)
        assert again.returncode == 0, f"after a kill at {whole * fraction:.2f} s: {again.stderr}"
        assert_consistent(show, {k: v for k, v in earlier.items() if k != f"fault-{n}"})
        if n % 2:  # a re-rendered episode keeps its GUID
            assert show.saved()[f"fault-{n}"].guid == earlier[f"fault-{n}"].guid


def _temp_pcm(show: Show) -> Callable[[], bool]:
    return lambda: any(d.glob("episode.pcm") for d in sawt_temp_dirs(show.tmp))


def _mp3_part(show: Show) -> Callable[[], bool]:
    return lambda: any(p.name.startswith(".fault-0.mp3.") for p in parts(show.episodes))


def _record_or_feed_part(show: Show) -> Callable[[], bool]:
    """The record, the feed or a side file is being written (after the audio)."""
    return lambda: any(not p.name.startswith(".fault-0.mp3.") for p in parts(show.episodes))


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS)
@pytest.mark.parametrize(
    "stage",
    [
        pytest.param(_temp_pcm, id="speaking"),
        pytest.param(_mp3_part, id="encoding"),
        pytest.param(_record_or_feed_part, id="publishing"),
    ],
)
def test_a_kill_in_each_stage_loses_nothing(
    show: Show, signum: int, stage: Callable[[Show], Callable[[], bool]]
) -> None:
    (show.folder / "k.md").write_text(article(0), "utf-8")
    earlier = show.saved()
    proc = show.start("render", "k.md")
    reached = wait_for(proc, stage(show))
    kill(proc, signum)
    if not reached:
        pytest.skip("the render finished before the stage could be caught")
    again = show.run("render", "k.md")
    assert again.returncode == 0, again.stderr
    assert_consistent(show, earlier)


@pytest.mark.slow
def test_a_terminated_render_cleans_up_after_itself(show: Show) -> None:
    """SIGTERM is handled like Ctrl-C: the render unwinds and leaves no litter itself."""
    (show.folder / "k.md").write_text(article(0), "utf-8")
    earlier = show.saved()
    proc = show.start("render", "k.md")
    assert wait_for(proc, _temp_pcm(show)), "the render never started speaking"
    assert "Traceback" not in kill(proc, signal.SIGTERM)
    assert proc.returncode not in (0, -signal.SIGTERM)
    assert parts(show.episodes) == [] and sawt_temp_dirs(show.tmp) == []
    assert show.saved() == earlier


# ── a batch's parent killed outright ─────────────────────────────────────────


def children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for a reaper."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_killing_a_batch_parent_stops_its_workers(show: Show) -> None:
    names = []
    for n in range(4):
        (show.folder / f"b{n}.md").write_text(article(10 + n, paragraphs=20), "utf-8")
        names.append(f"b{n}.md")
    earlier = show.saved()
    proc = show.start("render", *names, "-j", "2")
    workers: set[int] = set()

    def two_workers() -> bool:
        workers.update(children(proc.pid))
        return len([p for p in workers if running(p)]) >= 2 and bool(sawt_temp_dirs(show.tmp))

    assert wait_for(proc, two_workers), "the batch never had two workers rendering"
    proc.kill()
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(running(p) for p in workers):
        time.sleep(0.05)
    assert not [p for p in workers if running(p)], "workers outlived their parent"
    again = show.run("render", *names)
    assert again.returncode == 0, again.stderr
    assert_consistent(show, earlier)


# ── full disks and read-only folders (tmpfs mounts) ──────────────────────────


def _mount(*args: str) -> str | None:
    """Run mount; None on success, else why not."""
    try:
        proc = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return None if proc.returncode == 0 else (proc.stderr.strip() or f"exit {proc.returncode}")


@contextlib.contextmanager
def mounted(target: Path, *args: str) -> Iterator[None]:
    """``mount ARGS target`` for the block, unmounted in any case; skip if not allowed."""
    target.mkdir(parents=True, exist_ok=True)
    why = _mount(*args, str(target))
    if why is not None:
        pytest.skip(f"cannot mount here ({' '.join(args)}): {why}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=30)


def disk_use(folder: Path) -> int:
    """Bytes ``folder``'s files take on a tmpfs (whole pages)."""
    page = os.sysconf("SC_PAGE_SIZE")
    return sum(-(-p.stat().st_size // page) * page for p in folder.rglob("*") if p.is_file())


@dataclass(frozen=True)
class Fault:
    """One render under a fault, and what the show looked like before it."""

    proc: subprocess.CompletedProcess[str]
    show: Show
    before: dict[str, bytes]
    earlier: dict[str, Saved]


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def assert_nothing_half_written(fault: Fault) -> None:
    assert fault.proc.returncode != 0, fault.proc.stdout
    assert "Traceback" not in fault.proc.stdout
    assert parts(fault.show.episodes) == []
    assert sawt_temp_dirs(fault.show.tmp) == []
    after = files(fault.show.episodes)
    for name, data in fault.before.items():  # nothing already there was changed
        if name != ".lock":
            assert after.get(name) == data, name
    now = fault.show.saved()
    for slug, saved in fault.earlier.items():
        assert now.get(slug) == saved, slug
    for slug in now.keys() - fault.earlier.keys():  # a new episode is whole, or absent
        record = json.loads((fault.show.episodes / f"{slug}.json").read_text("utf-8"))
        mp3 = fault.show.episodes / record["audio"]["file"]
        assert mp3.stat().st_size == record["audio"]["bytes"], slug


@contextlib.contextmanager
def read_only_episodes(show: Show) -> Iterator[None]:
    """episodes/ bind-mounted onto itself, read-only (root ignores chmod)."""
    target = show.episodes
    with mounted(target, "--bind", str(target)):
        why = _mount("-o", "remount,bind,ro", str(target))
        if why is not None:
            pytest.skip(f"cannot remount read-only: {why}")
        yield


@contextlib.contextmanager
def full_episodes(show: Show, room: int) -> Iterator[None]:
    """episodes/ on a tmpfs holding the earlier episodes plus ``room`` bytes.

    Afterwards episodes/ is a plain folder again, with what the tmpfs held.
    """
    saved = show.folder / "episodes-before"
    show.episodes.rename(saved)
    size = disk_use(saved) + room
    try:
        with mounted(show.episodes, "-t", "tmpfs", "-o", f"size={size}", "tmpfs"):
            shutil.copytree(saved, show.episodes, dirs_exist_ok=True)
            try:
                yield
            finally:
                shutil.rmtree(saved)
                shutil.copytree(show.episodes, saved)
    finally:
        if show.episodes.exists() and not show.episodes.is_mount():
            show.episodes.rmdir()
        saved.rename(show.episodes)


def render_under(show: Show, fault: contextlib.AbstractContextManager[None]) -> Fault:
    """Render a new article under ``fault``; check it; then render again without it."""
    (show.folder / "new.md").write_text(article(50), "utf-8")
    earlier = show.saved()
    with fault:
        before = files(show.episodes)
        proc = show.run("render", "new.md")
        result = Fault(proc, show, before, earlier)
        assert_nothing_half_written(result)
    again = show.run("render", "new.md")
    assert again.returncode == 0, again.stderr
    assert_consistent(show, earlier)
    return result


@pytest.fixture(scope="module")
def sizes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """How big the new episode's MP3 and record are (rendered once elsewhere)."""
    where = tmp_path_factory.mktemp("probe")
    probe = Show(copy_show(tmp_path_factory, where / "show"), where / "tmp")
    (probe.folder / "new.md").write_text(article(50), "utf-8")
    assert probe.run("render", "new.md", "--no-feed").returncode == 0
    return {
        "mp3": (probe.episodes / "fault-50.mp3").stat().st_size,
        "record": (probe.episodes / "fault-50.json").stat().st_size,
    }


@pytest.mark.slow
def test_a_read_only_episodes_folder_changes_nothing(show: Show) -> None:
    render_under(show, read_only_episodes(show))


@pytest.mark.slow
def test_a_read_only_episodes_folder_is_one_line(show: Show) -> None:
    one_line(render_under(show, read_only_episodes(show)).proc)


FULL = [
    pytest.param(lambda s: 16 * 1024, id="mp3"),
    pytest.param(lambda s: s["mp3"] + 4096 + s["record"] // 2, id="record"),
    pytest.param(lambda s: s["mp3"] + s["record"] + 2 * 4096, id="feed"),
]


@pytest.mark.slow
@pytest.mark.parametrize("room", FULL)
def test_a_full_episodes_disk_changes_nothing(
    show: Show, sizes: dict[str, int], room: Callable[[dict[str, int]], int]
) -> None:
    render_under(show, full_episodes(show, room(sizes)))


@pytest.mark.slow
@pytest.mark.parametrize(
    "room",
    [
        FULL[0],  # ffmpeg cannot write the MP3: an AudioError
        pytest.param(*FULL[1].values, id="record"),
        pytest.param(*FULL[2].values, id="feed"),
    ],
)
def test_a_full_episodes_disk_is_one_line(
    show: Show, sizes: dict[str, int], room: Callable[[dict[str, int]], int]
) -> None:
    one_line(render_under(show, full_episodes(show, room(sizes))).proc)


@pytest.mark.slow
def test_a_full_temp_dir_changes_nothing(show: Show) -> None:
    render_under(show, mounted(show.tmp, "-t", "tmpfs", "-o", "size=64k", "tmpfs"))


@pytest.mark.slow
def test_a_full_temp_dir_is_one_line(show: Show) -> None:
    one_line(render_under(show, mounted(show.tmp, "-t", "tmpfs", "-o", "size=64k", "tmpfs")).proc)

"""Issue 13, the CLI's classes: user text is never markup, file system errors are one
line, bad option values are one line, Ctrl-C and SIGTERM end a render quietly (130).

Everything runs the real command in a fresh process. Read-only folders and full
disks are real tmpfs mounts (tests run as root; chmod would not stop root): a
case that cannot mount is skipped, saying why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sawt.console import FSI, PDI, describe_os_error, strip_controls, terminal_text
from tests.conftest import SAMPLE, run_sawt, sawt_env
from tests.longtext import write_long_article

SHORT = "# عنوان قصير\n\nهذه فقرة أولى قصيرة. وهذه جملة ثانية فيها.\n"
MARKUP_TITLE = "x [/b] [bold]y[/bold] :smile: [link=https://e.org]z"
ARTICLE = f'---\ntitle: "{MARKUP_TITLE}"\nslug: markup\n---\n\nفقرة قصيرة هنا. وجملة ثانية.\n'


def sawt(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    if env is None:
        return run_sawt(*args, cwd=cwd)
    return subprocess.run(
        [sys.executable, "-m", "sawt", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single line a failure prints (no traceback, nothing else)."""
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# --- user text is never console markup; control characters never reach the terminal --


def test_markup_in_a_title_prints_as_written_everywhere(tmp_path: Path) -> None:
    (tmp_path / "podcast.yaml").write_text("engine: espeak\n", "utf-8")
    (tmp_path / "markup.md").write_text(ARTICLE, "utf-8")
    wide = sawt_env() | {"COLUMNS": "200"}
    dry = sawt(tmp_path, "render", "-n", "markup.md", env=wide)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(MARKUP_TITLE)
    rendered = sawt(tmp_path, "render", "markup.md", env=wide)
    assert rendered.returncode == 0, rendered.stderr
    listed = sawt(tmp_path, "episodes", env=wide)
    assert listed.returncode == 0, listed.stderr
    assert MARKUP_TITLE in listed.stdout
    again = sawt(tmp_path, "render", "markup.md", "--force", env=wide)
    assert again.returncode == 0, again.stderr
    removed = sawt(tmp_path, "remove", "markup", env=wide)
    assert removed.returncode == 0, removed.stderr
    everything = dry.stdout + rendered.stdout + listed.stdout + removed.stdout
    assert "😄" not in everything  # :smile: stays text
    assert "Traceback" not in dry.stderr + rendered.stderr + listed.stderr + removed.stderr


def test_control_characters_and_escapes_never_reach_the_terminal(tmp_path: Path) -> None:
    name = "a\x1b[31mred\x1b]0;title\x07\x08b\u202e.md"
    proc = sawt(tmp_path, "render", name)
    assert proc.returncode == 2
    assert one_line(proc) == "error: aredb.md: file not found"
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in proc.stderr.strip())


def test_strip_controls() -> None:
    assert strip_controls("\x1b[1;31mred\x1b[0m") == "red"
    assert strip_controls("\x1b]8;;https://e.org\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert strip_controls("a\x00b\x07c\x7fd\x85e\x9b2Jf") == "abcdef"
    assert strip_controls("keep\ttabs\nand lines") == "keep\ttabs\nand lines"
    assert strip_controls("\u202eevil\u202c \u2066x\u2069") == "evil x"
    assert terminal_text("\u202eمقال") == f"{FSI}مقال{PDI}"


def test_describe_os_error_names_path_and_cause() -> None:
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/srv/show/episodes/a.mp3")
    assert describe_os_error(full) == "/srv/show/episodes/a.mp3: no space left on the disk"
    assert describe_os_error(OSError(errno.EROFS, "x")) == "the file system is read-only"


# --- file system errors: one line, exit 1 (or 2 for a bad config), nothing half-written --


@contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted at ``where`` (skip the test if this machine will not mount one)."""
    where.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command: cannot make a read-only or full file system")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({made.stderr.strip() or 'not root'})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount_ro(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def show(tmp_path: Path, episodes: Path | str) -> Path:
    (tmp_path / "podcast.yaml").write_text(f"engine: espeak\nepisodes_dir: {episodes}\n", "utf-8")
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    return tmp_path


def test_read_only_episodes_folder(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "size=16m") as mnt:
        folder = show(tmp_path, mnt)
        (folder / "short.md").write_text(SHORT, "utf-8")
        first = sawt(folder, "render", "short.md")
        assert first.returncode == 0, first.stderr
        before = {p.name: p.read_bytes() for p in mnt.iterdir() if p.is_file()}
        remount_ro(mnt)
        for args in (["render", "short.md", "--force"], ["feed"], ["remove", "short"]):
            proc = sawt(folder, *args)
            assert proc.returncode == 1, (args, proc.stderr)
            line = one_line(proc)
            assert line.startswith(f"error: {mnt}/") and "the file system is read-only" in line
        assert {p.name: p.read_bytes() for p in mnt.iterdir() if p.is_file()} == before


def test_init_in_a_read_only_folder(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "ro") as mnt:
        proc = sawt(tmp_path, "init", str(mnt / "show"))
        assert proc.returncode == 1
        assert one_line(proc) == f"error: {mnt}/show: the file system is read-only"


def test_a_full_episodes_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "size=200k") as mnt:
        proc = sawt(show(tmp_path, mnt), "render", SAMPLE.name)
        assert proc.returncode == 1
        assert one_line(proc) == f"error: {mnt}/{SAMPLE.stem}.mp3: no space left on the disk"
        assert [p.name for p in mnt.iterdir() if not p.name.startswith(".lock")] == []


def test_a_full_temp_disk(tmp_path: Path) -> None:
    write_long_article(tmp_path, 10_000)
    with tmpfs(tmp_path / "tmp", "size=300k") as tmp:
        folder = show(tmp_path, "episodes")
        proc = sawt(folder, "render", "long.md", env=sawt_env() | {"TMPDIR": str(tmp)})
        assert proc.returncode == 1
        line = one_line(proc)
        assert line.startswith(f"error: {tmp}/sawt-") and "no space left on the disk" in line
        assert not [p for p in tmp.iterdir() if p.name.startswith("sawt-")]
        assert not (folder / "episodes" / "long.mp3").exists()


def test_episodes_dir_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file", "utf-8")
    for args in (["render", SAMPLE.name], ["feed"], ["episodes"], ["remove", "x"], ["check"]):
        proc = sawt(show(tmp_path, "taken"), *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "podcast.yaml:2: invalid field 'episodes_dir'" in one_line(proc)


def test_episodes_dir_under_proc(tmp_path: Path) -> None:
    for args in (["render", SAMPLE.name], ["feed"]):
        proc = sawt(show(tmp_path, "/proc/self/episodes"), *args)
        assert proc.returncode == 1, (args, proc.stderr)
        assert one_line(proc).startswith("error: /proc/")


# --- bad option values: one line, exit 2 --------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["serve", "-p", "99999"], "'--port' / '-p'"),
        (["serve", "-p", "-1"], "'--port' / '-p'"),
        (["render", "x.md", "-j", "0"], "'--jobs' / '-j'"),
        (["render", "x.md", "--jobs", "many"], "'--jobs' / '-j'"),
        (["rendr", "x.md"], "No such command 'rendr'"),
    ],
)
def test_bad_option_values_are_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    proc = sawt(tmp_path, *args)
    assert proc.returncode == 2
    line = one_line(proc)
    assert line.startswith("error: ") and says in line and "--help" in line


# --- Ctrl-C and SIGTERM: exit 130, one line, no ctypes noise, nothing left behind -----


def _start(folder: Path, tmp: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sawt", "render", *args, "--engine", "espeak", "--no-feed"],
        cwd=folder,
        env=sawt_env() | {"TMPDIR": str(tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_at_a_terminal,
    )


def _ctrl_c_as_at_a_terminal() -> None:
    """Ctrl-C reaches sawt as it does at a terminal.

    A shell starts background jobs with SIGINT ignored, and Python keeps an
    ignored SIGINT ignored (so does sawt: `nohup sawt render … &` must not stop
    on Ctrl-C). Tests run from such a job would see the render finish instead.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _speaking(tmp: Path, proc: subprocess.Popen[str], count: int = 1) -> None:
    """Wait until ``count`` renders are in the middle of speaking (audio on disk)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        sizes = [p.stat().st_size for p in tmp.glob("sawt-*/episode.pcm") if p.exists()]
        if len([s for s in sizes if s > 1_000_000]) >= count:
            return
        time.sleep(0.02)
    pytest.fail("the render never got to speaking")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_render_exits_130_quietly(tmp_path: Path, signum: int) -> None:
    folder, tmp = tmp_path / "show", tmp_path / "tmp"
    folder.mkdir()
    tmp.mkdir()
    write_long_article(folder, 15_000)  # half an hour of speech: time enough for a signal
    proc = _start(folder, tmp, "long.md")
    try:
        _speaking(tmp, proc)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted"  # no traceback, no "Exception ignored … ctypes"
    assert out == ""
    assert not list(tmp.glob("sawt-*"))
    assert not (folder / "episodes" / "long.mp3").exists()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_a_batch_stops_its_workers(tmp_path: Path, signum: int) -> None:
    folder, tmp = tmp_path / "show", tmp_path / "tmp"
    articles = folder / "articles"
    articles.mkdir(parents=True)
    tmp.mkdir()
    for n in range(4):
        write_long_article(articles, 15_000, name=f"long{n}.md")
    proc = _start(folder, tmp, "articles", "-j", "2")
    workers: list[int] = []
    try:
        _speaking(tmp, proc, count=2)
        workers = _children(proc.pid)
        assert len(workers) >= 2
        proc.send_signal(signum)
        gone = _gone(workers)
        if not gone:  # a regression: do not leave them rendering
            for pid in workers:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        assert gone, "the batch's workers went on without it"
        _out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert not list(tmp.glob("sawt-*"))  # the workers cleaned up on their way out
    assert not list(folder.rglob("*.mp3"))
    if signum == signal.SIGTERM:
        assert proc.returncode == 130
        assert err.strip() == "interrupted"

"""`sawt check`: a good show passes; each kind of breakage is named and fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sawt.config.artwork import artwork_problems, read_image_info
from tests.showkit import SAMPLE, copy_show, run_sawt, show_yaml, write_jpeg_header, write_png


@pytest.fixture()
def show(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return copy_show(tmp_path_factory, tmp_path / "show")


def test_good_show_passes(show: Path) -> None:
    proc = run_sawt("check", cwd=show)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok" in proc.stdout


def test_wrong_enclosure_length(show: Path) -> None:
    mp3 = show / "episodes" / "nasty.mp3"
    with open(mp3, "ab") as fh:
        fh.write(b"\0" * 10)
    proc = run_sawt("check", cwd=show)
    assert proc.returncode == 1
    assert "nasty.mp3" in proc.stdout and "enclosure length" in proc.stdout
    assert str(mp3.stat().st_size) in proc.stdout


def test_missing_files(show: Path) -> None:
    (show / "episodes" / f"{SAMPLE.stem}.mp3").unlink()
    (show / "episodes" / "nasty.vtt").unlink()
    proc = run_sawt("check", cwd=show)
    assert proc.returncode == 1
    assert "audio file is missing" in proc.stdout
    assert "nasty.vtt is missing" in proc.stdout


def test_stale_feed_and_stray_audio(show: Path) -> None:
    episodes = show / "episodes"
    record = json.loads((episodes / "nasty.json").read_text("utf-8"))
    record["slug"], record["guid"] = "copy", "urn:uuid:00000000-0000-0000-0000-000000000000"
    (episodes / "copy.json").write_text(json.dumps(record), "utf-8")
    (episodes / "stray.mp3").write_bytes(b"\xff\xfb")
    proc = run_sawt("check", cwd=show)
    assert proc.returncode == 1
    assert "feed lacks copy" in proc.stdout
    assert "stray.mp3: audio with no episode record" in proc.stdout


def test_bad_published_artwork(show: Path) -> None:
    write_png(show / "episodes" / "cover.png", 1400, 1000, color_type=0)
    proc = run_sawt("check", cwd=show)
    assert proc.returncode == 1
    assert "must be RGB" in proc.stdout and "must be square" in proc.stdout


def test_local_base_url_and_missing_owner(show: Path) -> None:
    yaml = show_yaml(base_url='"http://127.0.0.1:8000/"', owner="\n  name: x")
    (show / "podcast.yaml").write_text(yaml, "utf-8")
    assert run_sawt("feed", cwd=show).returncode == 0
    proc = run_sawt("check", cwd=show)
    assert proc.returncode == 1
    assert "local address" in proc.stdout
    assert "itunes:owner e-mail" in proc.stdout


def test_broken_xml(show: Path) -> None:
    feed = show / "episodes" / "feed.xml"
    feed.write_bytes(feed.read_bytes()[:-50])
    proc = run_sawt("check", cwd=show)
    assert proc.returncode == 1 and "not well-formed XML" in proc.stdout


def test_no_feed_yet(tmp_path: Path) -> None:
    proc = run_sawt("check", cwd=tmp_path)
    assert proc.returncode == 1 and "no feed" in proc.stdout


@pytest.mark.parametrize(
    ("make", "problems"),
    [
        (lambda p: write_png(p, 1400, 1400), []),
        (lambda p: write_png(p, 3000, 3000, color_type=6), []),
        (lambda p: write_png(p, 1399, 1399), ["1400–3000 px"]),
        (lambda p: write_png(p, 1400, 1401), ["square"]),
        (lambda p: write_png(p, 1400, 1400, color_type=4), ["RGB"]),
        (lambda p: write_jpeg_header(p, 2000, 2000), []),
        (lambda p: write_jpeg_header(p, 3001, 3001), ["1400–3000 px"]),
        (lambda p: write_jpeg_header(p, 1500, 1500, components=4), ["RGB, not CMYK"]),
        (lambda p: p.write_bytes(b"GIF89a" + b"\0" * 20), ["neither PNG nor JPEG"]),
    ],
)
def test_artwork_rules(tmp_path: Path, make: object, problems: list[str]) -> None:
    path = tmp_path / "img"
    make(path)  # type: ignore[operator]
    found = artwork_problems(path)
    assert len(found) == len(problems)
    for want, got in zip(problems, found, strict=True):
        assert want in got


def test_jpeg_frame_after_large_segments(tmp_path: Path) -> None:
    path = write_jpeg_header(tmp_path / "a.jpg", 1600, 1600)
    raw = path.read_bytes()
    exif = b"\xff\xe1" + (65000).to_bytes(2, "big") + b"\0" * 64998
    path.write_bytes(raw[:2] + exif * 2 + raw[2:])
    info = read_image_info(path)
    assert info is not None and (info.width, info.height, info.rgb) == (1600, 1600, True)


@pytest.mark.parametrize("bad", ['{"version": "1.2.0", "chapters": 5}', "[]", '{"chapters": []}'])
def test_check_is_the_same_under_python_O(show: Path, bad: str) -> None:
    # No assert is used for control flow: optimised Python reports the same problems.
    import subprocess
    import sys

    from tests.conftest import sawt_env

    (show / "episodes" / "nasty.chapters.json").write_text(bad, "utf-8")
    outputs = []
    for flags in ([], ["-O"]):
        proc = subprocess.run(
            [sys.executable, *flags, "-m", "sawt", "check"],
            cwd=show,
            env=sawt_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs.append((proc.returncode, proc.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == 1 and "not a valid JSON chapters file" in outputs[0][1]


def test_no_assert_statements_in_the_product() -> None:
    import ast

    from tests.conftest import ROOT

    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in (ROOT / "src" / "sawt").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []

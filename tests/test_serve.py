"""`sawt serve`: byte ranges, content types, CORS, and nothing outside episodes/."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sawt.publishing.serve import RangeVerdict, content_type, make_server, parse_range
from tests.showkit import sawt_env

PAYLOAD = bytes(range(256)) * 40  # 10,240 bytes, every offset distinguishable


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    tmp_path = tmp_path_factory.mktemp("serve")
    (tmp_path / "secret.txt").write_text("outside", "utf-8")
    (tmp_path / "podcast.yaml").write_text("title: x\n", "utf-8")
    root = tmp_path / "episodes"
    root.mkdir()
    (root / "ep.mp3").write_bytes(PAYLOAD)
    (root / "ep.vtt").write_text("WEBVTT\n", "utf-8")
    (root / "ep.srt").write_text("1\n", "utf-8")
    (root / "ep.chapters.json").write_text("{}", "utf-8")
    (root / "ep.json").write_text("{}", "utf-8")
    (root / "feed.xml").write_text("<rss/>", "utf-8")
    (root / ".lock").write_text("", "utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "x.mp3").write_bytes(b"x")  # outputs may sit in subfolders
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.mp3").write_bytes(b"x")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    server = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield root, server.server_port
    finally:
        server.shutdown()
        server.server_close()


def get(
    port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        # skip_host keeps http.client from touching the path; it is sent as is.
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_whole_file(served: tuple[Path, int]) -> None:
    _, port = served
    status, headers, body = get(port, "/ep.mp3")
    assert status == 200 and body == PAYLOAD
    assert headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-length"] == str(len(PAYLOAD))


@pytest.mark.parametrize(
    ("spec", "first", "last"),
    [
        ("bytes=100-299", 100, 299),
        ("bytes=10000-", 10000, 10239),
        ("bytes=-40", 10200, 10239),
        ("bytes=10200-99999", 10200, 10239),
        ("bytes=0-0", 0, 0),
    ],
)
def test_range_gives_206_and_exact_bytes(
    served: tuple[Path, int], spec: str, first: int, last: int
) -> None:
    _, port = served
    status, headers, body = get(port, "/ep.mp3", {"Range": spec})
    assert status == 206
    assert body == PAYLOAD[first : last + 1]
    assert headers["content-range"] == f"bytes {first}-{last}/{len(PAYLOAD)}"
    assert headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("spec", ["bytes=20000-", "bytes=10240-10240", "bytes=-0"])
def test_unsatisfiable_range_is_416(served: tuple[Path, int], spec: str) -> None:
    _, port = served
    status, headers, _ = get(port, "/ep.mp3", {"Range": spec})
    assert status == 416
    assert headers["content-range"] == f"bytes */{len(PAYLOAD)}"


def test_head_sends_no_body(served: tuple[Path, int]) -> None:
    _, port = served
    status, headers, body = get(port, "/ep.mp3", {"Range": "bytes=0-9"}, method="HEAD")
    assert status == 206 and body == b"" and headers["content-length"] == "10"


@pytest.mark.parametrize(
    ("name", "ctype", "cors"),
    [
        ("ep.vtt", "text/vtt; charset=utf-8", True),
        ("ep.srt", "application/x-subrip; charset=utf-8", True),
        ("ep.chapters.json", "application/json+chapters; charset=utf-8", True),
        ("feed.xml", "application/rss+xml; charset=utf-8", True),
        ("ep.json", "application/json; charset=utf-8", False),
        ("ep.mp3", "audio/mpeg", False),
    ],
)
def test_content_types_and_cors(
    served: tuple[Path, int], name: str, ctype: str, cors: bool
) -> None:
    _, port = served
    status, headers, _ = get(port, f"/{name}")
    assert status == 200
    assert headers["content-type"] == ctype
    assert (headers.get("access-control-allow-origin") == "*") is cors


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/../podcast.yaml",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/sub/../../secret.txt",
        "/.hidden/x.mp3",
        "/sub/.x.mp3",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/link.txt",
        "/.lock",
        "/",
        "/missing.mp3",
        "/ep.mp3%00.txt",
    ],
)
def test_nothing_outside_episodes(served: tuple[Path, int], path: str) -> None:
    _, port = served
    status, _, body = get(port, path)
    assert status == 404
    assert b"outside" not in body and b"root:" not in body


def test_the_index_is_served_at_the_root(served: tuple[Path, int]) -> None:
    root, port = served
    assert get(port, "/")[0] == 404  # no web edition yet
    (root / "index.html").write_text("<!doctype html><title>i</title>", "utf-8")
    try:
        status, headers, body = get(port, "/")
    finally:
        (root / "index.html").unlink()
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert body.startswith(b"<!doctype html>")


def test_subfolders_are_served(served: tuple[Path, int]) -> None:
    _, port = served
    status, _, body = get(port, "/sub/x.mp3")
    assert (status, body) == (200, b"x")


def test_pure_helpers() -> None:
    assert parse_range("bytes=0-", 0) is RangeVerdict.UNSATISFIABLE
    assert parse_range("bytes=-5", 0) is RangeVerdict.IGNORE  # an empty file is sent whole
    assert parse_range("bytes=-5", 3) == (0, 2)
    assert parse_range("Bytes=1-1", 3) == (1, 1)
    assert parse_range("bytes=٠-٥", 9) is RangeVerdict.IGNORE  # DIGIT is ASCII only
    assert content_type("a.chapters.json").startswith("application/json+chapters")
    assert content_type("a.bin") == "application/octet-stream"


def test_cli_serves_on_loopback(tmp_path: Path) -> None:
    (tmp_path / "episodes").mkdir()
    (tmp_path / "episodes" / "ep.mp3").write_bytes(PAYLOAD)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sawt", "serve", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sawt_env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, proc.stderr.read() if proc.stderr else line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        status, _, body = get(port, "/ep.mp3", {"Range": "bytes=5-9"})
        assert status == 206 and body == PAYLOAD[5:10]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_cli_refuses_a_missing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from sawt.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 2 and "no episodes folder" in result.output

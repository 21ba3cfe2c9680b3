"""`sawt serve` against clients that misbehave: real sockets on 127.0.0.1.

Players seek (and drop the request they no longer need), clients connect and
say nothing, files vanish while they are asked for, Range headers come in
forms the spec says to ignore. The server answers what it can, stays quiet
on stderr, and frees every connection's thread.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import sawt.publishing.serve as serve_module
from sawt.publishing.serve import make_server
from tests.conftest import sawt_env

SMALL = bytes(range(256)) * 40  # 10,240 bytes
# Bigger than every socket buffer between the two ends (the client's receive
# buffer is pinned small), so the server is still sending when a client leaves.
BIG = bytes(range(256)) * 64 * 1024  # 16 MiB
IDLE = 1.0  # the tests' idle timeout, in seconds


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    (episodes / "small.mp3").write_bytes(SMALL)
    (episodes / "big.mp3").write_bytes(BIG)
    (episodes / "empty.mp3").write_bytes(b"")
    (tmp_path / "secret.txt").write_text("outside", "utf-8")
    return episodes


def handler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


@contextmanager
def running(root: Path, idle_timeout: float = IDLE) -> Iterator[int]:
    """A server on a free loopback port; on exit, waits for every connection's thread."""
    server = make_server(root, "127.0.0.1", 0, idle_timeout=idle_timeout)
    server.block_on_close = True  # server_close joins the handler threads
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def small_window_socket(port: int) -> socket.socket:
    """A client whose tiny receive buffer keeps the server blocked sending."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: sets the window
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    return sock


def read_head(sock: socket.socket) -> tuple[str, dict[str, str], bytes]:
    """Status line, headers, and whatever body bytes came with them."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError(f"connection closed before the headers: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status, headers, rest


def read_exactly(sock: socket.socket, have: bytes, count: int) -> bytes:
    while len(have) < count:
        chunk = sock.recv(min(1 << 20, count - len(have)))
        if not chunk:
            break
        have += chunk
    return have


def abort(sock: socket.socket) -> None:
    """Close with a reset, as a player does when it seeks away mid-download."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def aborted_download(port: int, path: str, first: int) -> None:
    sock = small_window_socket(port)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nRange: bytes={first}-\r\n\r\n".encode())
    status, headers, body = read_head(sock)
    assert status.split()[1] == "206", status
    assert headers["content-range"] == f"bytes {first}-{len(BIG) - 1}/{len(BIG)}"
    body = read_exactly(sock, body, 100)
    assert body[:100] == BIG[first : first + 100]
    abort(sock)


def test_a_client_leaving_mid_download_prints_no_traceback(
    root: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with running(root) as port:
        for first in (0, 1000, 5_000_000):
            aborted_download(port, "/big.mp3", first)
        # The server is still there and whole.
        status, _, body = get(port, "/small.mp3")
        assert (status, body) == (200, SMALL)
    # server_close joined every handler thread: all they were going to print is out.
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err


def test_a_seeking_player_gets_exact_bytes_and_drops_quietly(
    root: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(13)
    with running(root) as port:
        for i in range(30):
            first = rng.randrange(len(BIG) - 70_000)
            if i % 3 == 0:
                aborted_download(port, "/big.mp3", first)
                continue
            last = first + rng.randrange(1, 65_536)
            status, headers, body = get(port, "/big.mp3", {"Range": f"bytes={first}-{last}"})
            assert status == 206
            assert body == BIG[first : last + 1]
            assert headers["content-range"] == f"bytes {first}-{last}/{len(BIG)}"
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err


def test_idle_clients_are_disconnected_and_do_not_block_others(root: Path) -> None:
    before = len(handler_threads())
    with running(root, idle_timeout=IDLE) as port:
        idle: list[socket.socket] = []
        try:
            for i in range(200):
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                if i % 2:
                    sock.sendall(b"GET /small.mp3 HTT")  # a request that never ends
                idle.append(sock)
            # 200 silent connections, and a real request is still answered.
            status, _, body = get(port, "/small.mp3")
            assert (status, body) == (200, SMALL)
            # Each idle connection is closed by the server (EOF), well before
            # the client's own 30 s guard.
            for sock in idle:
                assert sock.recv(4096) == b""
        finally:
            for sock in idle:
                sock.close()
        # Every connection's thread ends: none is pinned by a silent client.
        deadline = time.monotonic() + 30
        while len(handler_threads()) > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(handler_threads()) == before


def test_a_file_removed_before_it_is_opened_gets_404(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = serve_module.resolve_request

    def resolve_then_remove(base: Path, raw_path: str) -> Path | None:
        found = real(base, raw_path)
        if found is not None:
            found.unlink()  # gone between the check and the open
        return found

    monkeypatch.setattr(serve_module, "resolve_request", resolve_then_remove)
    with running(root) as port:
        status, headers, _ = get(port, "/small.mp3")
    assert status == 404 and headers["content-length"]


def test_a_symlink_swapped_in_after_the_check_is_not_followed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = serve_module.resolve_request

    def resolve_then_swap(base: Path, raw_path: str) -> Path | None:
        found = real(base, raw_path)
        if found is not None:
            found.unlink()
            os.symlink(base.parent / "secret.txt", found)
        return found

    monkeypatch.setattr(serve_module, "resolve_request", resolve_then_swap)
    with running(root) as port:
        status, _, body = get(port, "/small.mp3")
    assert status == 404 and b"outside" not in body


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: p.unlink(), id="removed"),
        pytest.param(lambda p: p.write_bytes(b"new"), id="rewritten"),
        pytest.param(lambda p: os.replace(p.with_name("small.mp3"), p), id="replaced"),
    ],
)
def test_a_file_changed_mid_download_is_answered_consistently(
    root: Path, change: Callable[[Path], object]
) -> None:
    """Removed or replaced: the open file is sent whole. Rewritten in place: a short body, then EOF."""
    with running(root) as port:
        sock = small_window_socket(port)
        sock.sendall(b"GET /big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = read_head(sock)
        assert status.split()[1] == "200" and headers["content-length"] == str(len(BIG))
        body = read_exactly(sock, body, 1000)
        change(root / "big.mp3")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)  # now read the rest fast
        body = read_exactly(sock, body, len(BIG))  # stops at EOF if the server closes
        assert sock.recv(1) == b""  # the server closed: the client never waits for more
        sock.close()
    if (root / "big.mp3").exists() and (root / "big.mp3").read_bytes() == b"new":
        # Truncated in place under the server: fewer bytes than promised, then EOF.
        assert len(body) < len(BIG) and body == BIG[: len(body)]
    else:
        assert body == BIG


@pytest.mark.parametrize(
    "spec",
    [
        "items=0-5",
        "bytes=abc",
        "bytes=5-2",
        "bytes=0-5,10-20",
        "bytes=-",
        "bytes 0-5",
        "bytes=--5",
        "bytes=0x10-",
        "",
    ],
)
def test_a_range_off_the_spec_is_ignored(root: Path, spec: str) -> None:
    with running(root) as port:
        status, headers, body = get(port, "/small.mp3", {"Range": spec})
    assert status == 200 and body == SMALL
    assert headers["content-length"] == str(len(SMALL)) and "content-range" not in headers


@pytest.mark.parametrize(
    ("path", "spec", "status", "body"),
    [
        ("/small.mp3", "bytes=10240-", 416, b""),
        ("/small.mp3", "bytes=99999-99999", 416, b""),
        ("/small.mp3", "bytes=-0", 416, b""),
        ("/small.mp3", "Bytes=0-3", 206, SMALL[:4]),
        ("/small.mp3", " bytes=10236- ", 206, SMALL[10236:]),
        ("/empty.mp3", "bytes=0-", 416, b""),
        ("/empty.mp3", "bytes=-5", 200, b""),
    ],
)
def test_valid_ranges(root: Path, path: str, spec: str, status: int, body: bytes) -> None:
    with running(root) as port:
        got_status, headers, got_body = get(port, path, {"Range": spec})
    assert (got_status, got_body) == (status, body)
    if status == 416:
        assert headers["content-range"].startswith("bytes */")


def test_a_handler_failure_is_one_line_not_a_traceback(
    root: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def broken(name: str) -> str:
        raise RuntimeError("content type table broken")

    monkeypatch.setattr(serve_module, "content_type", broken)
    with running(root) as port:
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            get(port, "/small.mp3")
        status, _, _ = get(port, "/missing.mp3")  # still serving
        assert status == 404
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "sawt serve: 127.0.0.1: RuntimeError: content type table broken"
    ]


def test_the_command_stays_quiet_when_players_drop_downloads(root: Path) -> None:
    """The real `sawt serve`, its stderr read after seeks and drops."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sawt", "serve", "--port", "0"],
        cwd=root.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sawt_env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        for first in (0, 4096, 8_000_000):
            aborted_download(port, "/big.mp3", first)
        status, _, body = get(port, "/small.mp3", {"Range": "bytes=5-9"})
        assert (status, body) == (206, SMALL[5:10])
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err and "Error" not in err, err

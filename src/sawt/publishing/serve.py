"""`sawt serve`: episodes/ over HTTP for preview and subscription (ranges, CORS, no escapes).

Clients come and go as they like: a player seeking drops the request it no
longer needs, a file is replaced or removed while it is being asked for, a
client connects and says nothing. None of that prints a traceback or pins a
thread for ever: a dropped connection is not an error, a file is opened once
and measured through its handle, and every connection has an idle timeout.
"""

from __future__ import annotations

import enum
import io
import os
import re
import stat
import sys
from collections.abc import Mapping
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from sawt.publishing.outputs import for_path
from sawt.text.web import encode_url

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Seconds a connection may stay silent (no request, or no progress reading the
# answer) before it is closed and its thread freed.
DEFAULT_IDLE_TIMEOUT = 15.0

CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    # The web edition: pages, their shared stylesheet and script, transcripts.
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
# One byte range (RFC 9110 14.1.2); the unit is case-insensitive.
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.IGNORECASE)
# Open without following a symlink swapped in after the path was checked, and
# without blocking on a FIFO; fstat then tells what was opened.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_CHUNK = 64 * 1024
# Files whose URLs a preview rewrites (the feed, pages, JSON chapters): small text.
REWRITTEN = (".xml", ".html", ".json")


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD = frozenset({"0.0.0.0", "::", ""})


def preview_url(host: str, port: int) -> str | None:
    """The address a preview on ``host:port`` answers at; None for every address at once."""
    if host in WILDCARD:
        return None
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def preview_rewrite(base_url: str, host: str, port: int) -> dict[str, str]:
    """URL prefixes to rewrite so that a preview serves a feed pointing at itself.

    Empty when ``base_url`` already is the preview's address (``localhost`` and
    ``127.0.0.1`` count as the same), or when the server listens on every
    address (no one address to point at).
    """
    preview = preview_url(host, port)
    if preview is None:
        return {}
    parts = urlsplit(base_url)
    try:
        base_port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        base_port = None
    same_host = parts.hostname == host or (parts.hostname in LOOPBACK and host in LOOPBACK)
    if parts.scheme == "http" and same_host and base_port == port and parts.path in ("", "/"):
        return {}
    return dict.fromkeys({base_url, encode_url(base_url)}, preview)


def content_type(name: str) -> str:
    """The Content-Type for a file in episodes/: its output's, else by suffix."""
    output = for_path(name)
    if output is not None:
        return output.media_type
    for suffix in sorted(CONTENT_TYPES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return CONTENT_TYPES[suffix]
    return "application/octet-stream"


def _cors(root: Path, target: Path) -> bool:
    # Web players fetch the feed, captions and chapters from other origins.
    output = for_path(target.relative_to(root.resolve()).as_posix())
    return output is not None and output.cors


def resolve_request(root: Path, raw_path: str) -> Path | None:
    """The file a request path names inside ``root``; None for anything else."""
    path = unquote(urlsplit(raw_path).path)
    name = path.lstrip("/") or "index.html"  # the web edition's index at /
    parts = name.split("/")
    # Plain names only (outputs may sit in subfolders): no dot files or folders
    # (the lock, temp files), and nothing that decodes to a parent reference.
    if not name or "\\" in name or "\x00" in name or any(not p or p.startswith(".") for p in parts):
        return None
    base = root.resolve()
    target = (base / name).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


class RangeVerdict(enum.Enum):
    """What to do with a Range header that names no bytes to send."""

    IGNORE = "ignore"  # not a single valid byte range: send the whole file (200)
    UNSATISFIABLE = "unsatisfiable"  # a valid range past the end: 416


def parse_range(header: str, size: int) -> tuple[int, int] | RangeVerdict:
    """(first, last) byte of a single ``bytes=`` range, or what to do instead.

    Per RFC 9110, a Range the server does not understand (another unit, bad
    syntax, ``last < first``, several ranges, which sawt does not serve) is
    ignored; only a valid range that starts past the end (or a zero-length
    suffix) is unsatisfiable.
    """
    m = _RANGE.fullmatch(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return RangeVerdict.IGNORE
    if not m.group(1):  # suffix range: the last N bytes
        count = int(m.group(2))
        if not count:
            return RangeVerdict.UNSATISFIABLE
        if not size:
            return RangeVerdict.IGNORE  # satisfiable, but the whole file is no bytes
        return max(0, size - count), size - 1
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else None
    if last is not None and last < first:
        return RangeVerdict.IGNORE
    if first >= size:
        return RangeVerdict.UNSATISFIABLE
    return first, size - 1 if last is None else min(last, size - 1)


class EpisodeHandler(BaseHTTPRequestHandler):
    """GET/HEAD of files in one folder, with single byte ranges."""

    server_version = "sawt"

    def __init__(
        self,
        *args: object,
        root: Path,
        idle_timeout: float,
        rewrite: Mapping[str, str] | None = None,
        **kwargs: object,
    ) -> None:
        self.root = root
        self.idle_timeout = idle_timeout
        self.rewrite = rewrite or {}  # read per request: a caller may fill it after binding
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def setup(self) -> None:
        """Give the connection its idle timeout (every read and write obeys it)."""
        super().setup()
        self.connection.settimeout(self.idle_timeout)

    def handle(self) -> None:
        """Answer requests until the client closes, stalls or goes away."""
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            # A player seeking drops the request it no longer needs; a client
            # that stops reading times out. Neither is the server's error.
            self.close_connection = True

    def do_GET(self) -> None:
        """Serve a file (or part of it)."""
        self._serve(body=True)

    def do_HEAD(self) -> None:
        """Serve headers only."""
        self._serve(body=False)

    def do_OPTIONS(self) -> None:
        """Answer CORS preflight requests."""
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep quiet: the CLI says where it serves; per-request lines are noise."""

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Content-Length, Content-Range")

    def _serve(self, body: bool) -> None:
        target = resolve_request(self.root, self.path)
        fd = -1
        if target is not None:
            try:
                fd = os.open(target, _OPEN_FLAGS)
            except OSError:  # removed (or replaced by a symlink) since it was found
                fd = -1
        if fd < 0:
            self.send_error(HTTPStatus.NOT_FOUND, "not found")
            return
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())  # the file as opened, whatever happens to the path
            if target is None or not stat.S_ISREG(info.st_mode):
                self.send_error(HTTPStatus.NOT_FOUND, "not found")
                return
            if self.rewrite and target.suffix.lower() in REWRITTEN:
                data = rewrite_urls(fh.read(), self.rewrite)
                self._send_file(io.BytesIO(data), target, len(data), body)
                return
            self._send_file(fh, target, info.st_size, body)

    def _send_file(self, fh: IO[bytes], target: Path, size: int, body: bool) -> None:
        first, last, status = 0, size - 1, HTTPStatus.OK
        header = self.headers.get("Range")
        span = parse_range(header, size) if header else RangeVerdict.IGNORE
        if span is RangeVerdict.UNSATISFIABLE:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if isinstance(span, tuple):
            first, last, status = span[0], span[1], HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self.send_header(
            "Content-Type", content_type(target.relative_to(self.root.resolve()).as_posix())
        )
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(max(0, last - first + 1)))
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        if _cors(self.root, target):
            self._cors()
        self.end_headers()
        if body and _copy(fh, self.wfile, first, last - first + 1) < last - first + 1:
            # The file shrank while being sent: the client must see a short
            # body, not wait for the rest on a kept-alive connection.
            self.close_connection = True


def rewrite_urls(data: bytes, rewrite: Mapping[str, str]) -> bytes:
    """``data`` with every URL prefix of ``rewrite`` replaced by its value."""
    for old, new in sorted(rewrite.items(), key=lambda kv: len(kv[0]), reverse=True):
        data = data.replace(old.encode(), new.encode())
    return data


def _copy(src: IO[bytes], dst: io.BufferedIOBase, offset: int, count: int) -> int:
    """Send ``count`` bytes from ``offset``; how many were there to send."""
    src.seek(offset)
    sent = 0
    while sent < count:
        chunk = src.read(min(_CHUNK, count - sent))
        if not chunk:
            break
        dst.write(chunk)
        sent += len(chunk)
    return sent


class EpisodeServer(ThreadingHTTPServer):
    """One thread per connection; clients that vanish are not errors."""

    daemon_threads = True
    # Stopping does not wait for open connections (they end with the process).
    block_on_close = False
    request_queue_size = 128  # a burst of players connecting at once is not refused

    def handle_error(self, request: object, client_address: object) -> None:
        """One short line on stderr for a real failure; nothing for a client gone away."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        host = client_address[0] if isinstance(client_address, tuple) else client_address
        print(f"sawt serve: {host}: {type(exc).__name__}: {exc}", file=sys.stderr)


def make_server(
    root: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    rewrite: Mapping[str, str] | None = None,
) -> ThreadingHTTPServer:
    """A threaded HTTP server for ``root`` (call ``serve_forever`` on it).

    A connection's thread ends at the latest ``idle_timeout`` seconds after
    its client goes quiet (sends nothing, or stops reading the answer).
    ``rewrite`` maps URL prefixes to others in the feed, pages and JSON files
    as they are sent (a preview serves them for its own address).
    """
    handler = partial(
        EpisodeHandler, root=root.resolve(), idle_timeout=idle_timeout, rewrite=rewrite
    )
    return EpisodeServer((host, port), handler)

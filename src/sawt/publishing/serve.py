"""`sawt serve`: episodes/ over HTTP for preview and subscription (ranges, CORS, no escapes)."""

from __future__ import annotations

import io
import re
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from sawt.publishing.outputs import for_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

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
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


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


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``bytes=`` range; None if unsatisfiable or malformed."""
    m = _RANGE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None
    if not m.group(1):  # suffix range: the last N bytes
        count = int(m.group(2))
        return (max(0, size - count), size - 1) if count and size else None
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else size - 1
    if first >= size or last < first:
        return None
    return first, min(last, size - 1)


class EpisodeHandler(BaseHTTPRequestHandler):
    """GET/HEAD of files in one folder, with single byte ranges."""

    server_version = "sawt"

    def __init__(self, *args: object, root: Path, **kwargs: object) -> None:
        self.root = root
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

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
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND, "not found")
            return
        with open(target, "rb") as fh:
            size = target.stat().st_size
            first, last, status = 0, size - 1, HTTPStatus.OK
            header = self.headers.get("Range")
            if header:
                span = parse_range(header, size)
                if span is None:
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
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
            if body:
                _copy(fh, self.wfile, first, last - first + 1)


def _copy(src: IO[bytes], dst: io.BufferedIOBase, offset: int, count: int) -> None:
    src.seek(offset)
    while count > 0:
        chunk = src.read(min(_CHUNK, count))
        if not chunk:
            break
        dst.write(chunk)
        count -= len(chunk)


def make_server(
    root: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> ThreadingHTTPServer:
    """A threaded HTTP server for ``root`` (call ``serve_forever`` on it)."""
    handler = partial(EpisodeHandler, root=root.resolve())
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server

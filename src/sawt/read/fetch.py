"""Polite, safe HTTP GETs of feeds and pages (httpx).

Every request: http/https only, to public addresses unless allowed, allowed by
the site's robots.txt, at most ``per_host`` at once per host, a timeout per read
and a deadline per response, a size cap enforced while streaming, redirects
followed (and checked) one hop at a time, ``Retry-After`` honoured on 429/503
up to a bound, and conditional GET when the caller has validators.
"""

from __future__ import annotations

import email.utils
import re
import socket
import ssl
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from sawt.config.sources import FetchSettings
from sawt.errors import InputError
from sawt.read.encoding import ARABIC_SHARE, arabic_share, decode_text
from sawt.read.guard import PrivateAddress, guarded_client
from sawt.read.guard import is_public as _public
from sawt.version import __version__

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+xml",
        "text/html",  # misconfigured servers; feedparser decides
        "text/plain",
    }
)
ROBOTS_MAX_BYTES = 500_000  # RFC 9309: crawlers must read at least 500 KiB
ROBOTS_TTL_S = 24 * 3600  # RFC 9309: a cached robots.txt is good for at most 24 hours
AGENT_TOKEN = "sawt"


class FetchError(InputError):
    """A feed or page could not be fetched (exit code 2, like any bad input).

    ``transient`` failures (timeouts, 5xx, 429, network errors) are worth trying
    again on a later pass; ``status`` is the HTTP status when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        transient: bool = False,
        hint: str | None = None,
        retry_after: float | None = None,
        final: bool = False,
    ) -> None:
        super().__init__(f"{url}: {message}", hint=hint)
        self.url = url
        self.status = status
        self.transient = transient
        self.retry_after = retry_after  # seconds the server asked us to wait
        self.final = final  # not worth retrying within this run

    @property
    def gone(self) -> bool:
        """The server says the page does not exist (404) or no longer exists (410)."""
        return self.status in (404, 410)


@dataclass(frozen=True)
class Response:
    """A fetched body (or a 304), with what is needed to ask again conditionally."""

    url: str  # after redirects
    status: int
    media_type: str  # "text/html", lower case, without parameters
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    location: str | None = None  # of a redirect

    @property
    def not_modified(self) -> bool:
        """The server answered 304 to a conditional request."""
        return self.status == 304


def user_agent(link: str | None) -> str:
    """``sawt/<version> (+<show link>)``: who is asking, and where to find them."""
    return f"sawt/{__version__} (+{link})" if link else f"sawt/{__version__}"


def is_url(text: str) -> bool:
    """Whether a command-line argument is a web address rather than a file."""
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text))


def check_scheme(url: str) -> None:
    """Refuse anything but absolute http(s) URLs (file://, ftp:, javascript:, …)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError("not an http:// or https:// address; refused", url=url)


class AddressRefused(FetchError):
    """The host is (or, at connect time, turned into) a private or loopback address."""


def _refused(url: str, host: str, private: list[str], verb: str = "is") -> AddressRefused:
    return AddressRefused(
        f"{host} {verb} a private or loopback address ({', '.join(private)}); refused",
        url=url,
        hint="set `allow_private_addresses: true` in podcast.yaml to fetch from it",
        final=True,
    )


def check_address(url: str) -> None:
    """Refuse hosts that resolve to loopback, private, link-local or reserved addresses.

    This is the early, friendly check; without ``allow_private`` the Fetcher's
    connections are checked again when made (``sawt.read.guard``), so a DNS
    answer that changes between the two lookups cannot slip through.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}", url=url, transient=True) from exc
    private = sorted({str(i[4][0]) for i in infos if not _public(str(i[4][0]))})
    if private:
        raise _refused(url, host, private)


def retry_after_s(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _media_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser
    fetched_at: float


@dataclass
class RobotsMemo:
    """robots.txt bodies kept between runs (origin → (status, text, unix time fetched))."""

    entries: dict[str, tuple[int, str, float]] = field(default_factory=dict)


def _crawl_delay(parser: urllib.robotparser.RobotFileParser) -> float | None:
    """The Crawl-delay robots.txt asks of sawt (or of every robot), in seconds."""
    delay = parser.crawl_delay(AGENT_TOKEN)
    return float(delay) if delay else None


def _robots_parser(status: int, text: str) -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    if status in (401, 403) or status >= 500 or status == 0:
        parser.parse(["User-agent: *", "Disallow: /"])  # RFC 9309: unreachable → disallowed
    elif status >= 400:
        parser.parse([])  # no robots.txt: everything is allowed
    else:
        parser.parse(text.splitlines())
    return parser


class Fetcher:
    """One run's HTTP client: connection pool, per-host limits, robots.txt cache."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        agent: str,
        allow_private: bool = False,
        robots: RobotsMemo | None = None,
        sleep: Callable[[float], None] = time.sleep,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.settings = settings
        self.agent = agent
        self.allow_private = allow_private
        self.memo = robots if robots is not None else RobotsMemo()
        self._sleep = sleep
        if allow_private:
            self._client = httpx.Client(
                follow_redirects=False,
                timeout=httpx.Timeout(settings.timeout),
                headers={"User-Agent": agent},
                verify=verify,
            )
        else:  # the address checked is the address connected to (no DNS rebinding)
            self._client = guarded_client(
                verify=verify, timeout=settings.timeout, headers={"User-Agent": agent}
            )
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._not_before: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}  # host → robots.txt Crawl-delay, seconds
        self._next_slot: dict[str, float] = {}  # host → earliest start of its next request
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self.requests = 0

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    # ------------------------------------------------------------ public

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: Collection[str] | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """GET ``url`` following redirects; raise FetchError saying why not."""
        seen: list[str] = []
        current = url
        while True:
            check_scheme(current)
            if not self.allow_private:
                check_address(current)
            if current in seen:
                raise FetchError(f"redirect loop ({' → '.join([*seen, current])})", url=url)
            seen.append(current)
            if not self.allowed(current):
                raise FetchError("the site's robots.txt disallows fetching this page", url=current)
            response = self._with_retries(current, etag, last_modified, max_bytes)
            if response.status in (301, 302, 303, 307, 308):
                if len(seen) > self.settings.max_redirects:
                    raise FetchError(f"more than {self.settings.max_redirects} redirects", url=url)
                target = response.location
                if not target:
                    raise FetchError(f"redirect ({response.status}) without a Location", url=url)
                current = urljoin(current, target)
                continue
            break
        if response.not_modified:
            return response
        if accept is not None and response.media_type and response.media_type not in accept:
            page = set(accept) == HTML_TYPES
            raise FetchError(
                f"not {'an HTML page' if page else 'a feed'} but {response.media_type}",
                url=response.url,
                hint="sawt reads HTML articles" if page else None,
            )
        return response

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets sawt fetch ``url`` (read once per origin and run)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.path == "/robots.txt":
            return True
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            robots = self._robots.get(origin)
            if robots is None:
                robots = self._load_robots(origin)
                self._robots[origin] = robots
                delay = _crawl_delay(robots.parser)
                if delay:
                    with self._lock:
                        self._crawl_delay[parts.netloc.lower()] = min(
                            delay, self.settings.max_crawl_delay
                        )
        return robots.parser.can_fetch(AGENT_TOKEN, url)

    # ------------------------------------------------------------ internals

    def _load_robots(self, origin: str) -> _Robots:
        kept = self.memo.entries.get(origin)
        if kept is not None and time.time() - kept[2] < ROBOTS_TTL_S:
            return _Robots(_robots_parser(kept[0], kept[1]), kept[2])
        url = origin + "/robots.txt"
        status, text = 0, ""
        try:
            response = self.get(url, max_bytes=ROBOTS_MAX_BYTES)
            status = response.status
            text = response.body.decode("utf-8", "replace")
        except AddressRefused:
            raise  # about the host, not its robots.txt: say so
        except FetchError as exc:
            status = exc.status or 0
        now = time.time()
        if status != 0:  # a network failure is not remembered beyond this run
            self.memo.entries[origin] = (status, text, now)
        return _Robots(_robots_parser(status, text), now)

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._hosts.get(host)
            if slot is None:
                slot = self._hosts[host] = threading.BoundedSemaphore(self.settings.per_host)
            return slot

    def _wait_for_host(self, host: str) -> None:
        """Wait out a Retry-After, and keep a robots.txt Crawl-delay between requests.

        Each request reserves its start time under the lock, so requests in
        flight at once to a host with a Crawl-delay are spaced, not bunched.
        """
        with self._lock:
            now = time.monotonic()
            start = max(now, self._not_before.get(host, 0.0))
            spacing = self._crawl_delay.get(host)
            if spacing:
                start = max(start, self._next_slot.get(host, 0.0))
                self._next_slot[host] = start + spacing
        if start > now:
            self._sleep(start - now)

    def _with_retries(
        self, url: str, etag: str | None, last_modified: str | None, max_bytes: int | None
    ) -> Response:
        host = urlsplit(url).netloc.lower()
        attempt = 0
        while True:
            try:
                return self._once(url, host, etag, last_modified, max_bytes)
            except FetchError as exc:
                if not exc.transient or exc.final or attempt >= self.settings.retries:
                    raise
                wait = exc.retry_after
                if wait is None:
                    wait = self.settings.backoff * 2**attempt
                attempt += 1
                self._sleep(wait)

    def _once(
        self, url: str, host: str, etag: str | None, last_modified: str | None, cap: int | None
    ) -> Response:
        self._wait_for_host(host)
        headers = {"Accept-Language": "ar,*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = cap if cap is not None else self.settings.max_bytes
        with self._host_slot(host):
            with self._lock:
                self.requests += 1
            try:
                with self._client.stream("GET", url, headers=headers) as raw:
                    return self._read(url, host, raw, limit)
            except PrivateAddress as exc:
                raise _refused(
                    url, exc.host, exc.addresses, "resolved, when connecting, to"
                ) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(
                    f"timed out (no answer within {self.settings.timeout:g} s)",
                    url=url,
                    transient=True,
                ) from exc
            except httpx.TransportError as exc:
                if _tls_failure(exc):
                    raise FetchError(
                        f"TLS error: {exc}",
                        url=url,
                        hint="the site's certificate could not be verified",
                    ) from exc
                raise FetchError(f"network error: {exc}", url=url, transient=True) from exc

    def _read(self, url: str, host: str, raw: httpx.Response, limit: int) -> Response:
        status = raw.status_code
        media, charset = _media_type(raw.headers.get("content-type"))
        if status in (301, 302, 303, 307, 308):
            # get() resolves the Location and checks it like any other URL.
            location = raw.headers.get("location")
            return Response(url, status, media, None, b"", None, None, location)
        if status == 304:
            return Response(
                url,
                304,
                media,
                charset,
                b"",
                raw.headers.get("etag"),
                raw.headers.get("last-modified"),
            )
        if status in (429, 503) or status >= 500:
            wait = retry_after_s(raw.headers.get("retry-after"))
            if wait is not None:
                with self._lock:  # every request to this host waits, not just this one
                    self._not_before[host] = time.monotonic() + min(
                        wait, self.settings.max_retry_after
                    )
            if wait is not None and wait > self.settings.max_retry_after:
                raise FetchError(
                    f"server answered {status} and asks to wait {wait:.0f} s "
                    "(more than fetch.max_retry_after); try again later",
                    url=url,
                    status=status,
                    transient=True,
                    final=True,
                )
            raise FetchError(
                f"server answered {status}",
                url=url,
                status=status,
                transient=True,
                retry_after=wait,
            )
        if status in (404, 410):
            what = "page not found" if status == 404 else "page is gone"
            raise FetchError(f"{what} ({status})", url=url, status=status)
        if status >= 400:
            raise FetchError(f"server refused the request ({status})", url=url, status=status)
        declared = raw.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"too large ({int(declared)} bytes; the cap is {limit})", url=url)
        body = bytearray()
        started = time.monotonic()
        for chunk in raw.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise FetchError(f"too large (more than {limit} bytes; refused)", url=url)
            if time.monotonic() - started > self.settings.deadline:
                raise FetchError(
                    f"took longer than {self.settings.deadline:g} s", url=url, transient=True
                )
        return Response(
            str(raw.url),
            status,
            media,
            charset,
            bytes(body),
            raw.headers.get("etag"),
            raw.headers.get("last-modified"),
        )


_TAG = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)


def _known(label: str | None) -> str | None:
    if not label:
        return None
    import codecs

    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # WHATWG: the Latin-1 labels mean windows-1252.
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def decode_page(body: bytes, header_charset: str | None, url: str) -> str:
    """Text of a page: a BOM, then the header's charset, then <meta>, then detection.

    Detection: valid UTF-8, else an Arabic code page whose text (outside the
    tags) is mostly Arabic letters.
    """
    import codecs

    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(body, Path("page.html"))
    meta = _META_CHARSET.search(body[:4096])
    for label in (header_charset, meta.group(1).decode("ascii") if meta else None):
        encoding = _known(label)
        if encoding is None:
            continue
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue  # a wrong label: fall through to detection
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1256", "iso8859_6"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if arabic_share(_TAG.sub(" ", text)) >= ARABIC_SHARE:
            return text
    raise FetchError(
        "cannot tell the page's character encoding (not UTF-8, no charset declared)", url=url
    )

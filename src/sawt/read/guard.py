"""Connect only to public addresses, checked at connect time (no DNS rebinding).

``check_address`` in ``sawt.read.fetch`` resolves a host before the request,
but httpx would resolve it again to connect, and a hostile DNS server can
answer the second lookup with 127.0.0.1 or 169.254.169.254. Here the name is
resolved once, every address is checked, and the socket is opened to a checked
IP address itself. TLS still verifies the certificate against the host name:
httpcore passes the origin's host (not the address) to ``start_tls``.

``guarded_client`` plugs this in through public httpx/httpcore API only: a
``BaseTransport`` around ``httpcore.ConnectionPool(network_backend=...)``, and
the environment's proxies mounted as httpx itself would mount them.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import urllib.request
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TypeAlias

import httpcore
import httpx

SocketOption: TypeAlias = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


def is_public(address: str) -> bool:
    """A global unicast address (IPv4-mapped IPv6 judged as its IPv4 address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class PrivateAddress(Exception):
    """The host resolved, at connect time, to addresses that are not public."""

    def __init__(self, host: str, addresses: list[str]) -> None:
        super().__init__(f"{host} resolved to {', '.join(addresses)}")
        self.host = host
        self.addresses = addresses


class GuardedBackend(httpcore.NetworkBackend):
    """A ``SyncBackend`` that resolves once, refuses non-public answers, dials an IP."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        private = sorted(a for a in addresses if not is_public(a))
        if private:
            raise PrivateAddress(host, private)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        options = list(socket_options or [])
        for address in addresses:  # like socket.create_connection: each in turn
            try:
                return self._backend.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"cannot resolve {host}: no address")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for fetching")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


# httpcore's errors as httpx's, most specific first (what httpx.HTTPTransport does).
_ERRORS: list[tuple[type[Exception], type[httpx.TransportError]]] = [
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
]


def _as_httpx(exc: Exception) -> httpx.TransportError | None:
    for theirs, ours in _ERRORS:
        if isinstance(exc, theirs):
            return ours(str(exc))
    return None  # not httpcore's (PrivateAddress): raised as it is


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except Exception as exc:
            mapped = _as_httpx(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """Direct connections through a ``GuardedBackend`` (httpx's default limits)."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.SyncByteStream):
            raise TypeError("an async request body reached the sync transport")
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = self._pool.handle_request(core)
        except Exception as exc:
            mapped = _as_httpx(exc)
            if mapped is None:
                raise
            raise mapped from exc
        if not isinstance(response.stream, Iterable):
            raise TypeError("httpcore returned an async body to the sync transport")
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._pool.close()


def _proxy_mounts() -> dict[str, str | None]:
    """HTTP(S)_PROXY, ALL_PROXY and NO_PROXY read as httpx reads them (a mount each).

    httpx skips the environment when the client is given a transport, so this
    reads it the same way: proxy URL per scheme, and ``None`` (connect directly)
    for each NO_PROXY entry.
    """
    found = urllib.request.getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if found.get(scheme):
            url = found[scheme]
            mounts[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for entry in (part.strip() for part in found.get("no", "").split(",")):
        if entry == "*":
            return {}
        if not entry:
            continue
        if "://" in entry:
            mounts[entry] = None
            continue
        try:
            ip = ipaddress.ip_address(entry.split("/", 1)[0])
        except ValueError:
            ip = None
        if ip is not None and ip.version == 6:
            mounts[f"all://[{entry}]"] = None
        elif ip is not None or entry.lower() == "localhost":
            mounts[f"all://{entry}"] = None
        else:
            mounts[f"all://*{entry}"] = None
    return mounts


def guarded_client(
    *, verify: ssl.SSLContext | bool, timeout: float, headers: dict[str, str]
) -> httpx.Client:
    """An ``httpx.Client`` whose direct connections go only to public addresses.

    With a proxy from the environment the connection goes to the proxy, which may
    rightly sit on a private network, and the proxy resolves the target: only the
    early ``check_address`` on the target name applies there.
    """
    context = httpx.create_ssl_context(verify=verify)
    # Proxied: the socket goes to the proxy (private is fine); the target had the early check.
    mounts: dict[str, httpx.BaseTransport | None] = {
        key: None if url is None else httpx.HTTPTransport(verify=context, proxy=url)
        for key, url in _proxy_mounts().items()
    }
    return httpx.Client(
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
        headers=headers,
        transport=GuardedTransport(context),
        mounts=mounts,
    )

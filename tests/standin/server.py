"""Serving a stand-in on 127.0.0.1 from background threads.

:class:`StandIn` owns what every stand-in does the same way: the lifecycle
(bind a loopback port, 0 for any free one; serve from a thread; stop: end
hangs, close connections, join every thread), the bookkeeping (request
count, log, per-text counts, arrival times, in-flight tracking, pause and
resume) and the proxy tunnel (``CONNECT``, then TLS with the stand-in's
certificate, in :class:`StandInHandler`). A stand-in subclasses both with its
protocol. Nothing is ever forwarded.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar

from .faults import FaultPlan

LOOPBACK = "127.0.0.1"

Owner = TypeVar("Owner", bound="StandIn[Any]")
Record = TypeVar("Record")
Decision = TypeVar("Decision")
Self_ = TypeVar("Self_", bound="StandIn[Any]")


class Abort(Exception):
    """Stop handling this connection without writing anything more."""


class LoopbackServer(ThreadingHTTPServer, Generic[Owner]):
    """Threaded server on 127.0.0.1 whose connection threads its owner can find and join."""

    daemon_threads = True  # never keep the interpreter alive...
    block_on_close = False  # ...and StandIn.stop() joins them itself.
    request_queue_size = 128  # bursts of parallel clients (benchmarks) must not see SYN drops

    def __init__(self, owner: Owner, port: int) -> None:
        self.owner = owner
        super().__init__((LOOPBACK, port), owner.handler_class)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"{self.owner.name}-conn-{client_address[1]}",
            daemon=True,
        )
        self.owner._threads_started(thread)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-answer is normal under fault injection.
        logging.getLogger(type(self.owner).__module__).debug(
            "connection error from %s", client_address, exc_info=True
        )


class StandInHandler(BaseHTTPRequestHandler):
    """One connection: plain HTTP, or a CONNECT tunnel then TLS (see :meth:`open_tunnel`)."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the real services
    sys_version = ""
    timeout = 30  # bounds idle keep-alive connections and TLS handshakes
    #: Content-Type of :meth:`send_plain` answers unless told otherwise.
    plain_type: ClassVar[str] = "text/plain; charset=utf-8"
    #: Headers every :meth:`send_plain` answer carries after Content-Length.
    plain_headers: ClassVar[tuple[tuple[str, str], ...]] = ()
    server: LoopbackServer[Any]

    def setup(self) -> None:
        super().setup()
        self.tunneled = False
        self.server.owner._register(self)

    def handle(self) -> None:
        try:
            super().handle()
        except (Abort, OSError, ValueError):
            # ssl errors are OSErrors; ValueError comes from I/O on a socket
            # that stop() or a reset fault already closed.
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        finally:
            if self.tunneled:
                with contextlib.suppress(OSError):
                    self.connection.close()
            self.server.owner._unregister(self)

    def log_message(self, format: str, *args: Any) -> None:
        logging.getLogger(type(self).__module__).debug(
            "%s %s", self.address_string(), format % args
        )

    def abort_io(self) -> None:
        """Wake this handler's thread from any blocking read (used by stop())."""
        with contextlib.suppress(OSError):
            # The plain-socket method: SSLSocket.shutdown would also drop its
            # SSL object under the feet of the thread reading from it.
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)

    def open_tunnel(self) -> None:
        """Accept a CONNECT, then speak TLS with the owner's certificate on this socket."""
        self.server.owner._count_connect()
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        # The client sends its ClientHello only after reading our 200, so
        # nothing is buffered in rfile that TLS would need.
        self.rfile.close()
        self.wfile.close()
        tls = self.server.owner.ssl_context.wrap_socket(self.connection, server_side=True)
        self.connection = self.request = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.tunneled = True
        self.close_connection = False  # the request follows inside the tunnel

    def send_plain(
        self,
        status: int,
        reason: str,
        body: bytes | str,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Write a complete answer with a Content-Length (keep-alive safe; with a Date)."""
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type or self.plain_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (*self.plain_headers, *(headers or {}).items()):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def reset(self) -> None:
        """Drop the connection with a TCP RST (SO_LINGER 0) and stop handling it."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The socket's fd closes only once its makefile() readers are closed.
        for stream in (self.rfile, self.wfile):
            with contextlib.suppress(OSError, ValueError):
                stream.close()
        with contextlib.suppress(OSError):
            self.connection.close()
        raise Abort


class StandIn(Generic[Record]):
    """A stand-in on ``127.0.0.1``, served from background threads; ``Record`` is its log entry.

    Args:
        port: Port to bind on 127.0.0.1; 0 picks a free one.
        latency_ms: Delay before every answer, in milliseconds (settable at runtime).
        ssl_context: What the proxy tunnel serves TLS with.
    """

    #: Prefix of thread names (``<name>-serve``, ``<name>-conn-<port>``).
    name: ClassVar[str]
    handler_class: ClassVar[type[StandInHandler]]
    faults: FaultPlan[Any]

    def __init__(self, port: int, latency_ms: float, ssl_context: ssl.SSLContext) -> None:
        self.latency_ms = latency_ms
        self.ssl_context = ssl_context
        self._requested_port = port
        self._httpd: LoopbackServer[Any] | None = None
        self._serve_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._gate = threading.Event()
        self._gate.set()
        # One (reentrant) lock for counters, the log and connection tracking;
        # fault draws happen under it too so the log order is the draw order.
        self._lock = threading.Condition()
        self._handlers: set[StandInHandler] = set()
        self._threads: list[threading.Thread] = []
        self._total = 0
        self._connects = 0
        self._texts: collections.Counter[str] = collections.Counter()
        self._log: list[Record] = []
        self._times: list[float] = []
        self._in_flight = 0
        self._peak_in_flight = 0

    # -- lifecycle -----------------------------------------------------------

    def start(self: Self_) -> Self_:
        """Bind and serve in a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("already started")
        self._stop.clear()
        self._httpd = LoopbackServer(self, self._requested_port)
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick shutdown() response
            name=f"{self.name}-serve",
            daemon=True,
        )
        self._serve_thread.start()
        return self

    def stop(self, join_timeout: float = 5.0) -> None:
        """Stop serving: end hangs and delays, close connections, join threads."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stop.set()  # wakes latency, slow and hang waits
        self._gate.set()  # releases paused requests
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            handlers = list(self._handlers)
            threads = list(self._threads)
        for handler in handlers:
            handler.abort_io()  # wakes idle keep-alive reads
        for thread in threads:
            thread.join(join_timeout)
        if self._serve_thread is not None:
            self._serve_thread.join(join_timeout)
        self._httpd = None
        self._serve_thread = None
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]

    def close(self) -> None:
        """Stop, and release whatever else the stand-in holds (what ``with`` ends with)."""
        self.stop()

    def __enter__(self: Self_) -> Self_:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- addresses -----------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (the server must be started)."""
        if self._httpd is None:
            raise RuntimeError("not started")
        return int(self._httpd.server_address[1])

    @property
    def proxy_url(self) -> str:
        """``http://127.0.0.1:PORT``, for a client's HTTPS proxy setting."""
        return f"http://{LOOPBACK}:{self.port}"

    # -- counters --------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """Requests received (any outcome, including faults and bad requests)."""
        with self._lock:
            return self._total

    @property
    def connect_count(self) -> int:
        """Proxy tunnels (CONNECT) accepted."""
        with self._lock:
            return self._connects

    @property
    def text_counts(self) -> collections.Counter[str]:
        """Copy of the per-text request counter."""
        with self._lock:
            return collections.Counter(self._texts)

    @property
    def requests_log(self) -> list[Record]:
        """Copy of the request log, in arrival order."""
        with self._lock:
            return list(self._log)

    @property
    def request_times(self) -> list[float]:
        """Arrival time (time.monotonic) of each admitted request, in arrival order."""
        with self._lock:
            return list(self._times)

    @property
    def in_flight(self) -> int:
        """Requests being answered now."""
        with self._lock:
            return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """Most requests answered at once since the last reset."""
        with self._lock:
            return self._peak_in_flight

    def reset_counts(self) -> None:
        """Zero every counter and empty the log (faults are not touched)."""
        with self._lock:
            self._total = 0
            self._connects = 0
            self._texts.clear()
            self._log.clear()
            self._times.clear()
            self._peak_in_flight = self._in_flight

    # -- flow control ------------------------------------------------------------

    def pause(self) -> None:
        """Hold every request (after it is counted) until :meth:`resume`."""
        self._gate.clear()

    def resume(self) -> None:
        """Release held requests."""
        self._gate.set()

    def wait_in_flight(self, n: int, timeout: float = 10.0) -> bool:
        """Block until at least ``n`` requests are in flight; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._in_flight >= n, timeout)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no request is in flight; False on timeout.

        A client may read its answer a moment before the server's handler
        finishes, so check :attr:`in_flight` through this, not directly.
        """
        with self._lock:
            return self._lock.wait_for(lambda: self._in_flight == 0, timeout)

    # -- for the protocol code ------------------------------------------------------

    def _threads_started(self, thread: threading.Thread) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)

    def _register(self, handler: StandInHandler) -> None:
        with self._lock:
            self._handlers.add(handler)

    def _unregister(self, handler: StandInHandler) -> None:
        with self._lock:
            self._handlers.discard(handler)

    def _count_connect(self) -> None:
        with self._lock:
            self._connects += 1

    def _wait(self, seconds: float) -> None:
        """Sleep, but give up the request at once when the server stops."""
        if seconds > 0 and self._stop.wait(seconds):
            raise Abort

    def _record(self, record: Record, text: str | None = None) -> None:
        """Log ``record``; count ``text`` unless None."""
        with self._lock:
            self._log.append(record)
            if text is not None:
                self._texts[text] += 1

    def _refused(self, record: Record) -> None:
        """Count and log a request turned away before it was admitted (a bad request)."""
        with self._lock:
            self._total += 1
            self._record(record)

    @contextlib.contextmanager
    def _admitted(self, decide: Callable[[], Decision]) -> Iterator[Decision]:
        """Count a request and keep it in flight for the ``with`` block; yields ``decide()``.

        ``decide`` runs under the bookkeeping lock (draw the fault, log it
        there, and the log is in draw order). Then the request is held while
        the stand-in is paused, and delayed by :attr:`latency_ms`; Abort if
        the stand-in stops meanwhile.
        """
        with self._lock:
            decision = decide()
            self._total += 1
            self._times.append(time.monotonic())
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
            self._lock.notify_all()
        try:
            self._gate.wait()
            if self._stop.is_set():
                raise Abort
            self._wait(self.latency_ms / 1000)
            yield decision
        finally:
            with self._lock:
                self._in_flight -= 1
                self._lock.notify_all()

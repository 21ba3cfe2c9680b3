"""DNS rebinding: the private-address refusal holds for the address actually connected to.

A hostile DNS server (TTL 0) can answer a name with a public address when sawt
checks it and with 127.0.0.1 when httpx connects. ``Rebinder`` plays that
server: it stands in for ``socket.getaddrinfo`` (which both the early check and
every connection go through) and answers its one name with a public address
for the first ``public_answers`` lookups, then with 127.0.0.1, where a FakeSite
listens. Other names (the numeric 127.0.0.1 included) resolve as usual, so no
test reaches anything beyond 127.0.0.1: the public address is never dialled.
"""

from __future__ import annotations

import functools
import http.server
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from sawt.config.sources import FetchSettings
from sawt.read import fetch, guard
from sawt.read.fetch import AddressRefused, Fetcher, FetchError, RobotsMemo, check_address
from tests.conftest import PROXY_VARS, sawt_env
from tests.fakeedge.tls import client_context, server_context
from tests.fakesite import ARTICLES, FakeSite

FAST = FetchSettings(timeout=1.0, backoff=0.01, retries=2, max_retry_after=5)
PUBLIC = "93.184.215.14"  # a global address; resolved to, never connected to
REAL_GETADDRINFO = socket.getaddrinfo

AddrInfo = Sequence[tuple[object, ...]]  # what getaddrinfo returns, loosely


class Rebinder:
    """Answers ``name`` with PUBLIC ``public_answers`` times (None: always), then 127.0.0.1."""

    def __init__(self, name: str, public_answers: int | None) -> None:
        self.name = name
        self.public_answers = public_answers
        self.lookups = 0
        self._lock = threading.Lock()

    def __call__(
        self,
        host: bytes | str | None,
        port: bytes | str | int | None,
        family: int = 0,
        type: int = 0,
        proto: int = 0,
        flags: int = 0,
    ) -> AddrInfo:
        if host != self.name:
            return REAL_GETADDRINFO(host, port, family, type, proto, flags)
        with self._lock:
            self.lookups += 1
            public = self.public_answers is None or self.lookups <= self.public_answers
        return REAL_GETADDRINFO(PUBLIC if public else "127.0.0.1", port, family, type, proto, flags)


@pytest.fixture()
def site() -> Iterator[FakeSite]:
    with FakeSite() as fake:
        yield fake


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _rebind(monkeypatch: pytest.MonkeyPatch, public_answers: int | None) -> Rebinder:
    rebinder = Rebinder("rebind.test", public_answers)
    monkeypatch.setattr(socket, "getaddrinfo", rebinder)
    return rebinder


def _port(site: FakeSite) -> int:
    return int(site.url("/").rsplit(":", 1)[1].split("/", 1)[0])


def _robots_allow(origin: str) -> RobotsMemo:
    """A remembered robots.txt (404: all allowed), so a page is the only request."""
    return RobotsMemo({origin: (404, "", time.time())})


def test_check_then_plain_httpx_is_fooled(site: FakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old path (``check_address``, then httpx resolving the name again) reaches 127.0.0.1.

    This is what Fetcher did before the guard: the early check sees the public
    answer, httpx's own lookup gets 127.0.0.1, and the stand-in serves the page.
    """
    rebinder = _rebind(monkeypatch, public_answers=1)
    url = f"http://rebind.test:{_port(site)}/news/markets"
    check_address(url)
    with httpx.Client(trust_env=False) as client:
        response = client.get(url)
    assert response.status_code == 200 and ARTICLES["markets"][0] in response.text
    assert [r.path for r in site.requests_since()] == ["/news/markets"]
    assert rebinder.lookups == 2


def test_rebinding_is_refused_at_connect_time(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebinder = _rebind(monkeypatch, public_answers=1)
    origin = f"http://rebind.test:{_port(site)}"
    with (
        Fetcher(FAST, agent="t", robots=_robots_allow(origin)) as client,
        pytest.raises(FetchError) as caught,
    ):
        client.get(origin + "/news/markets")
    error = caught.value
    assert isinstance(error, AddressRefused) and not error.transient
    assert "rebind.test resolved, when connecting, to a private or loopback address" in str(error)
    assert "(127.0.0.1)" in str(error) and "allow_private_addresses" in str(error)
    assert site.requests_since() == []
    assert rebinder.lookups == 2  # the early check, then the connection: no retries


def test_rebinding_during_the_robots_txt_fetch_names_the_host(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal is not mistaken for an unreachable robots.txt ("disallows")."""
    _rebind(monkeypatch, public_answers=2)  # page and robots.txt checks; then connect
    with (
        Fetcher(FAST, agent="t") as client,
        pytest.raises(AddressRefused, match="resolved, when connecting, to"),
    ):
        client.get(f"http://rebind.test:{_port(site)}/news/markets")
    assert site.requests_since() == []


def test_name_that_resolves_to_loopback_is_refused_early(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebinder = _rebind(monkeypatch, public_answers=0)
    with Fetcher(FAST, agent="t") as client, pytest.raises(AddressRefused) as caught:
        client.get(f"http://rebind.test:{_port(site)}/news/markets")
    assert "rebind.test is a private or loopback address (127.0.0.1); refused" in str(caught.value)
    assert site.requests_since() == [] and rebinder.lookups == 1


def test_allow_private_keeps_the_stand_in_working(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rebind(monkeypatch, public_answers=1)
    with Fetcher(FAST, agent="t", allow_private=True) as client:
        page = client.get(site.article_url("markets"))
        renamed = client.get(f"http://rebind.test:{_port(site)}/news/sport")
    assert ARTICLES["markets"][0] in page.body.decode()
    assert ARTICLES["sport"][0] in renamed.body.decode()


@pytest.fixture()
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> Rebinder:
    """rebind.test → 127.0.0.1 always, and 127.0.0.1 counted as public: the guarded path runs."""
    monkeypatch.setattr(guard, "is_public", lambda address: True)
    monkeypatch.setattr(fetch, "_public", lambda address: True)
    return _rebind(monkeypatch, public_answers=0)


def test_guarded_connections_fetch_and_fail_like_httpx(
    site: FakeSite, loopback_is_public: Rebinder
) -> None:
    origin = f"http://rebind.test:{_port(site)}"
    settings = FetchSettings(timeout=0.3, backoff=0, retries=1)
    with Fetcher(settings, agent="t") as client:
        page = client.get(origin + "/news/markets")
        assert ARTICLES["markets"][0] in page.body.decode()
        with pytest.raises(FetchError, match=r"robots\.txt disallows"):
            client.get(origin + "/private/markets")
        with pytest.raises(FetchError, match=r"page not found \(404\)"):
            client.get(origin + "/news/nothing-here")
        site.delay("/news/weather", 2.0)
        with pytest.raises(FetchError, match="timed out") as caught:
            client.get(origin + "/news/weather")
        assert caught.value.transient
    paths = [r.path for r in site.requests_since()]
    assert paths[:2] == ["/robots.txt", "/news/markets"]
    assert "/private/markets" not in paths


@pytest.fixture()
def tls_port(tmp_path: Path) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 whose certificate names speech.platform.bing.com."""
    (tmp_path / "robots.txt").write_text("User-agent: *\n", "utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = server_context().wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_tls_verifies_the_host_name_not_the_address(
    tls_port: int, loopback_is_public: Rebinder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The socket goes to 127.0.0.1 (in the certificate too); the name is what is verified."""
    named = Rebinder("speech.platform.bing.com", public_answers=0)
    unnamed = loopback_is_public

    def both(host: str, port: int, family: int = 0, type: int = 0) -> AddrInfo:
        return (named if host == named.name else unnamed)(host, port, family, type)

    monkeypatch.setattr(socket, "getaddrinfo", both)
    with Fetcher(FAST, agent="t", verify=client_context()) as client:
        ok = client.get(f"https://speech.platform.bing.com:{tls_port}/robots.txt")
        assert ok.body.startswith(b"User-agent")
        with pytest.raises(FetchError, match="TLS error") as caught:
            client.get(f"https://rebind.test:{tls_port}/robots.txt")
    assert not caught.value.transient
    assert named.lookups == 2 and unnamed.lookups == 2


def test_a_proxy_on_a_private_network_is_used(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTP_PROXY the proxy resolves the target; only the early check applies.

    The FakeSite serves absolute-URI requests as well, so it stands in for the proxy.
    """
    rebinder = _rebind(monkeypatch, public_answers=None)
    monkeypatch.setenv("HTTP_PROXY", site.url("/").rstrip("/"))
    with Fetcher(FAST, agent="t", robots=_robots_allow("http://rebind.test")) as client:
        page = client.get("http://rebind.test/news/markets")
    assert ARTICLES["markets"][0] in page.body.decode()
    assert [r.path for r in site.requests_since()] == ["http://rebind.test/news/markets"]
    assert rebinder.lookups == 1  # the early check; the proxy resolved the name itself


def test_no_proxy_hosts_are_connected_to_directly_and_guarded(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rebind(monkeypatch, public_answers=1)
    monkeypatch.setenv("HTTP_PROXY", site.url("/").rstrip("/"))
    monkeypatch.setenv("NO_PROXY", "example.org,rebind.test")
    origin = f"http://rebind.test:{_port(site)}"
    with (
        Fetcher(FAST, agent="t", robots=_robots_allow(origin)) as client,
        pytest.raises(AddressRefused, match="resolved, when connecting, to"),
    ):
        client.get(origin + "/news/markets")
    assert site.requests_since() == []


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"HTTP_PROXY": "proxy.lan:3128"},
        {"https_proxy": "http://10.0.0.1:8080", "ALL_PROXY": "http://p:1", "NO_PROXY": "*"},
        {
            "HTTPS_PROXY": "http://10.0.0.1:8080",
            "no_proxy": "localhost, .example.org,intra.lan,10.1.2.3,::1,192.168.0.0/16,http://x",
        },
    ],
)
def test_proxies_are_read_from_the_environment_as_httpx_reads_them(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx ignores the environment once given a transport; guard reads it the same way."""
    from httpx._utils import get_environment_proxies  # httpx's own reading, to compare with

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert guard._proxy_mounts() == get_environment_proxies()


LAUNCHER = """\
import runpy, socket, sys
real = socket.getaddrinfo
lookups = 0
def rebind(host, port, *rest, **named):
    global lookups
    if host != "rebind.test":
        return real(host, port, *rest, **named)
    lookups += 1
    return real("{public}" if lookups <= 2 else "127.0.0.1", port, *rest, **named)
socket.getaddrinfo = rebind
sys.argv[0] = "sawt"
runpy.run_module("sawt", run_name="__main__")
"""


def test_cli_refuses_a_rebinding_host_in_one_line(site: FakeSite, tmp_path: Path) -> None:
    """`sawt render URL`: the page's and robots.txt's early checks see the public answer."""
    import subprocess

    (tmp_path / "podcast.yaml").write_text("engine: espeak\n", "utf-8")
    launcher = tmp_path / "rebinding_sawt.py"
    launcher.write_text(LAUNCHER.format(public=PUBLIC), "utf-8")
    url = f"http://rebind.test:{_port(site)}/news/markets"
    proc = subprocess.run(
        [sys.executable, str(launcher), "render", url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=sawt_env(),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if not line.lstrip().startswith("hint:")]
    assert len(errors) == 1, proc.stderr
    assert "rebind.test resolved, when connecting, to a private or loopback address" in errors[0]
    assert any("allow_private_addresses" in line for line in lines)
    assert site.requests_since() == []
    assert not (tmp_path / "episodes").exists() or not list((tmp_path / "episodes").iterdir())

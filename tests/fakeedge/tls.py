"""A throw-away certificate authority and a certificate for Edge's speech host.

edge-tts verifies TLS (against certifi's bundle, through module-level
contexts), so unlike the Google stand-in this one needs a chain the client
can be told to trust: a CA certificate, and a leaf for
``speech.platform.bing.com`` signed by it (made by :mod:`tests.standin.tls`).
"""

from __future__ import annotations

import functools
import ssl

from tests.standin import tls
from tests.standin.tls import Pems as Pems  # re-exported

NAMES = ("speech.platform.bing.com", "localhost")


@functools.cache
def make_pems() -> Pems:
    """A fresh CA and server certificate (once per process; EC keys are instant)."""
    return tls.ca_signed(NAMES, "fakeedge test CA")


def server_context() -> ssl.SSLContext:
    """TLS server context presenting the speech host's certificate (and the CA)."""
    return tls.server_context(make_pems())


def client_context() -> ssl.SSLContext:
    """What edge-tts's ``_SSL_CTX`` becomes in tests: certifi's roots plus our CA."""
    return tls.client_context(make_pems())

"""Throw-away TLS certificates and contexts for stand-ins on 127.0.0.1.

Two shapes: a self-signed certificate (for clients that do not verify,
made with the ``cryptography`` package or, failing that, the ``openssl``
command), and a CA plus a leaf signed by it (for clients that verify and can
be told to trust the CA). Keys are EC P-256, instant to make; certificates
are valid from a day ago for 30 days and name ``names`` and 127.0.0.1.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

CertBackend = Literal["auto", "cryptography", "openssl"]
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Pems:
    """PEM text of a CA certificate, and of the server's certificate chain and key."""

    ca_cert: bytes
    cert: bytes
    key: bytes


def self_signed(names: tuple[str, ...], backend: CertBackend = "auto") -> tuple[Pems, str]:
    """A self-signed certificate for ``names`` (its own CA), and the backend that made it.

    ``auto`` uses the ``cryptography`` package when importable (in-process,
    fast) and otherwise the ``openssl`` command line tool, so neither is a
    hard dependency.
    """
    if backend in ("auto", "cryptography"):
        try:
            cert, key = _self_signed_with_cryptography(names)
            return Pems(cert, cert, key), "cryptography"
        except ImportError:
            if backend == "cryptography":
                raise
    cert, key = _self_signed_with_openssl(names)
    return Pems(cert, cert, key), "openssl"


def _validity() -> tuple[datetime.datetime, datetime.datetime]:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)


def _alt_names(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    from cryptography import x509

    return x509.SubjectAlternativeName(
        [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(LOOPBACK))]
    )


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: ec.EllipticCurvePublicKey,
    validity: tuple[datetime.datetime, datetime.datetime],
) -> x509.CertificateBuilder:
    """A certificate builder with names, key, a random serial and the validity set."""
    from cryptography import x509

    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _self_signed_with_cryptography(names: tuple[str, ...]) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (
        _builder(name, name, key.public_key(), _validity())
        .add_extension(_alt_names(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)


def _self_signed_with_openssl(names: tuple[str, ...]) -> tuple[bytes, bytes]:
    with tempfile.TemporaryDirectory(prefix="standin-") as tmp:
        cert, key = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        san = ",".join([*(f"DNS:{n}" for n in names), f"IP:{LOOPBACK}"])
        proc = subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", str(key), "-out", str(cert), "-days", "30",
                "-subj", f"/CN={names[0]}", "-addext", f"subjectAltName={san}",
            ],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"openssl req failed: {proc.stderr.decode(errors='replace')}")
        return cert.read_bytes(), key.read_bytes()


def ca_signed(names: tuple[str, ...], ca_common_name: str) -> Pems:
    """A fresh CA called ``ca_common_name`` and a server certificate for ``names`` signed by it.

    The server's chain is the leaf then the CA. Needs the ``cryptography`` package.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    validity = _validity()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_common_name)])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(ca_usage, critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    leaf = (
        _builder(name, ca_name, key.public_key(), validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_alt_names(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_pem = ca.public_bytes(pem)
    return Pems(ca_pem, leaf.public_bytes(pem) + ca_pem, _key_pem(key))


def server_context(pems: Pems) -> ssl.SSLContext:
    """A TLS server context presenting ``pems``'s certificate chain."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain only reads files; they live just long enough to be read.
    with tempfile.TemporaryDirectory(prefix="standin-") as tmp:
        cert, key = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        cert.write_bytes(pems.cert)
        key.write_bytes(pems.key)
        ctx.load_cert_chain(cert, key)
    return ctx


def client_context(pems: Pems) -> ssl.SSLContext:
    """A verifying client context: certifi's roots plus ``pems``'s CA."""
    import certifi

    ctx = ssl.create_default_context(cafile=certifi.where())
    ctx.load_verify_locations(cadata=pems.ca_cert.decode("ascii"))
    return ctx

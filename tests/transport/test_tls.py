"""The sync deadline transport over TLS: the handshake is bounded and a TLS answer is read.

A self-signed certificate for 127.0.0.1 is made per session with ``cryptography``; the client
trusts exactly it. Real sockets and a real TLS server (``ssl`` in a thread) on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import datetime
import gc
import ipaddress
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from venuekit import errors
from venuekit._http import Answer, default_timeout, send, send_async
from venuekit._http_deadline import DeadlineTransport
from venuekit._http_deadline_async import AsyncDeadlineTransport

MODES = ["sync", "async"]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def tls_answering(certificate: tuple[Path, Path], answer: bytes):
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(*certificate)

    def handler(conn: Any) -> None:
        tls = server_context.wrap_socket(conn.sock, server_side=True)
        conn.sock = tls
        conn.read_request()
        conn.send(answer)

    return handler


def call(mode: str, url: str, certificate: tuple[Path, Path]) -> tuple[object, float]:
    client_context = ssl.create_default_context(cafile=str(certificate[0]))
    options: dict[str, Any] = {"timeout": default_timeout(), "max_body": 1000}
    started = time.monotonic()
    try:
        if mode == "sync":
            transport = DeadlineTransport(ssl_context=client_context)
            with httpx.Client(base_url=url, transport=transport) as http:
                request = http.build_request("GET", "/cancel")
                return send(http, request, deadline=started + 1.0, **options), 0.0

        async def main() -> Answer:
            transport = AsyncDeadlineTransport(ssl_context=client_context)
            async with httpx.AsyncClient(base_url=url, transport=transport) as http:
                request = http.build_request("GET", "/cancel")
                return await send_async(http, request, deadline=started + 1.0, **options)

        return asyncio.run(main()), 0.0
    except errors.TransportError as exc:
        return exc, time.monotonic() - started


@pytest.mark.parametrize("mode", MODES)
def test_tls_answer_is_read(serve, certificate, mode):
    server = serve(tls_answering(certificate, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
    outcome, _ = call(mode, f"https://127.0.0.1:{server.port}", certificate)
    assert isinstance(outcome, Answer), outcome
    assert outcome.content == b"{}"
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_tls_handshake_that_never_completes_is_bounded_and_closed(serve, certificate, mode):
    """The client closes its socket itself (not the garbage collector, which is off here)."""
    closed = threading.Event()

    def mute(conn: Any) -> None:  # accepts TCP, reads the ClientHello, never answers it
        while conn.sock.recv(65536):
            pass
        closed.set()

    server = serve(mute)
    gc.disable()
    try:
        outcome, elapsed = call(mode, f"https://127.0.0.1:{server.port}", certificate)
        assert closed.wait(5), "the client left its connection open"
    finally:
        gc.enable()
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is False
    assert "deadline reached while connecting" in str(outcome)
    assert elapsed < 1.0 + 2.0


@pytest.mark.parametrize("mode", MODES)
def test_tls_body_drip_is_bounded(serve, certificate, mode):
    def drip_over_tls(conn: Any) -> None:
        tls_answering(certificate, b"HTTP/1.1 200 OK\r\nContent-Length: 150\r\n\r\n")(conn)
        conn.drip(b"x" * 150, every=0.2)

    server = serve(drip_over_tls)
    outcome, elapsed = call(mode, f"https://127.0.0.1:{server.port}", certificate)
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is True
    assert elapsed < 1.0 + 2.0

"""The default HTTP server (httptools, header case kept) against h11 over raw sockets: the same
header names, byte for byte and in the same order, on every answer of a keep-alive connection."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from _sim_server_kit import PRICE_PATH, make_app

from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.server import HttpImpl, running_server

QUERY = "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930"


def _token(base: str) -> str:
    r = httpx.post(f"{base}/oauth2/tokenP", json={"grant_type": "client_credentials",
                                                   "appkey": SIM_APP_KEY,
                                                   "appsecret": SIM_APP_SECRET})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _request(base: str, method: str, path: str, token: str, tr_id: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {urlsplit(base).netloc}",
             "content-type: application/json; charset=utf-8", f"authorization: Bearer {token}",
             f"appkey: {SIM_APP_KEY}", f"appsecret: {SIM_APP_SECRET}", f"tr_id: {tr_id}",
             "custtype: P"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_response(sock: socket.socket, buf: bytearray) -> bytes:
    """One whole response (head and Content-Length body) from a keep-alive socket."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        buf += chunk
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                  if line.lower().startswith(b"content-length:"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        rest += chunk
    del buf[:]
    buf += rest[length:]
    return head


def _heads(http: HttpImpl) -> list[bytes]:
    """Heads of a keep-alive session: quote, quote again, unknown path, wrong method, and a
    HEAD request (a head with no body)."""
    app = make_app(limits="auto")  # a limited key also gets X-RateLimit-* headers
    with running_server(app=app, http=http) as (base, _ws):
        token = _token(base)
        u = urlsplit(base)
        heads = []
        with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
            buf = bytearray()
            for method, path in (("GET", PRICE_PATH + QUERY), ("GET", PRICE_PATH + QUERY),
                                 ("GET", "/uapi/domestic-stock/v1/quotations/nothing-here"),
                                 ("POST", PRICE_PATH + QUERY)):
                sock.sendall(_request(base, method, path, token, "FHKST01010100"))
                heads.append(_read_response(sock, buf))
            sock.sendall(_request(base, "HEAD", PRICE_PATH + QUERY, token, "FHKST01010100"))
            while b"\r\n\r\n" not in buf:
                chunk = sock.recv(65536)
                assert chunk, "the server closed the connection"
                buf += chunk
            head, _, rest = bytes(buf).partition(b"\r\n\r\n")
            assert rest == b""  # a HEAD answer carries no body
            heads.append(head)
    return heads


def _names(head: bytes) -> list[bytes]:
    return [line.split(b":", 1)[0] for line in head.split(b"\r\n")[1:]]


@pytest.fixture(scope="module")
def heads() -> Iterator[dict[str, list[bytes]]]:
    yield {http: _heads(http) for http in ("httptools-cased", "h11", "httptools")}


def test_default_server_writes_kis_header_case(heads: dict[str, list[bytes]]) -> None:
    quote = heads["httptools-cased"][0].split(b"\r\n")
    assert quote[0] == b"HTTP/1.1 200 OK"
    assert b"Content-Type: application/json; charset=UTF-8" in quote
    assert any(line.startswith(b"Content-Length: ") for line in quote)
    assert any(line.startswith(b"Date: ") for line in quote)
    assert b"tr_id: FHKST01010100" in quote
    assert any(line.startswith(b"gt_uid: ") for line in quote)
    assert any(line.startswith(b"X-RateLimit-") for line in quote)


def test_default_server_names_match_h11_byte_for_byte(heads: dict[str, list[bytes]]) -> None:
    cased, h11 = heads["httptools-cased"], heads["h11"]
    assert [h.split(b"\r\n")[0] for h in cased] == [h.split(b"\r\n")[0] for h in h11]
    assert [h.split(b"\r\n")[0][9:12] for h in cased] == [b"200", b"200", b"404", b"405",
                                                          b"405"]
    for mine, theirs in zip(cased, h11, strict=True):
        assert _names(mine) == _names(theirs)
    assert b"Allow" in _names(cased[3])


def test_plain_httptools_would_lose_the_case(heads: dict[str, list[bytes]]) -> None:
    """Why the default is not uvicorn's plain httptools server."""
    plain = _names(heads["httptools"][0])
    assert b"content-type" in plain and b"Content-Type" not in plain

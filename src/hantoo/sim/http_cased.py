"""uvicorn's httptools server, writing response header names exactly as the app gives them.

Why a protocol of our own: KIS sends ``Content-Type`` capitalised and ``tr_id``/``tr_cont``/
``gt_uid`` in lower case, and the simulator promises those bytes (clients that match header
names case-sensitively exist). uvicorn's two HTTP/1.1 servers force a choice:

* ``h11`` keeps names as given but parses and frames every request in Python — about 0.5 ms
  of server CPU per request, which alone caps the simulator near 2,000 answers/s;
* ``httptools`` parses in C (several times cheaper) but lower-cases every response header name.

:class:`CasedHttpToolsProtocol` is uvicorn's httptools protocol with two differences. While a
response head is written, the request cycle's transport is a thin stand-in that puts each name
back in the case the app sent. Header values cannot contain CR or LF (uvicorn refuses them), so
``"\\r\\n" + lower-case name + ": "`` marks exactly the start of that header's line and the
substitution cannot touch anything else. Everything else — keep-alive, flow control, pipelining,
WebSocket upgrades, timeouts — is uvicorn's own code, unchanged.

And the head is held until the body comes, so both go out in one write: a second system call
per answer was a tenth of the server's time on a small JSON answer.

The hook is small but reaches into uvicorn's request-cycle class; a test reads the head bytes
over a raw socket (``tests/sim_server/test_http_cased.py``), so a uvicorn release that changes
those internals fails loudly rather than silently losing the case.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

__all__ = ["CasedHttpToolsProtocol"]


class _Head:
    """Stands in for the transport while uvicorn writes a response head: keeps the head, with
    the names back in the app's case, to go out with the first body bytes."""

    __slots__ = ("_names", "_transport", "data")

    def __init__(self, transport: asyncio.Transport, names: dict[bytes, bytes]) -> None:
        self._transport = transport
        self._names = names
        self.data = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        head = bytes(data)
        for lower, given in self._names.items():
            head = head.replace(b"\r\n" + lower + b": ", b"\r\n" + given + b": ")
        self.data += head

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _WithHead:
    """Stands in for the transport while uvicorn writes a body: the held head and the first body
    bytes go out in one write (one system call and one TCP segment instead of two)."""

    __slots__ = ("_transport", "head")

    def __init__(self, transport: asyncio.Transport, head: bytes) -> None:
        self._transport = transport
        self.head = head

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.head:
            data, self.head = self.head + data, b""
        self._transport.write(data)

    def flush(self) -> None:
        if self.head:
            self._transport.write(self.head)
            self.head = b""

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _CasedCycle(RequestResponseCycle):
    """uvicorn's request cycle; the response head keeps the app's header-name case and is
    written together with the body."""

    _held = b""

    async def send(self, message: Any) -> None:
        transport = self.transport
        if message["type"] == "http.response.start" and not self.response_started:
            names: dict[bytes, bytes] = {}
            for name, _value in message.get("headers", ()):
                lower = bytes(name).lower()
                if lower != name:
                    names.setdefault(lower, bytes(name))
            head = _Head(transport, names)
            self.transport = cast(asyncio.Transport, head)
            try:
                await super().send(message)
            finally:
                self.transport = transport
            self._held = head.data
            return
        if not self._held:
            await super().send(message)
            return
        body = _WithHead(transport, self._held)
        self._held = b""
        self.transport = cast(asyncio.Transport, body)
        try:
            await super().send(message)
        finally:
            self.transport = transport
            if not self.disconnected:
                body.flush()  # a HEAD answer: no body was written


class CasedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools HTTP/1.1 protocol whose responses keep the app's header-name case.

    Pass the class as ``uvicorn.Config(http=...)``."""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        # The cycle was just created and its task scheduled but not yet run: its ``send`` is
        # looked up when the app first calls it, so changing the class here is enough.
        if type(cycle) is RequestResponseCycle:
            cycle.__class__ = _CasedCycle

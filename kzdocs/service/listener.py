"""The listening socket `kzdocs serve` hands to uvicorn."""

from __future__ import annotations

import socket


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A TCP socket bound to `host`:`port` (0: any free port) and listening.

    Made with the protocol number getaddrinfo gives (IPPROTO_TCP), not 0 as `socket.create_server`
    makes it: asyncio sets TCP_NODELAY only on connections whose socket says it is TCP. Without
    it, the second write of an answer (headers, then body) on a kept-alive connection waits for
    the client's delayed ACK: 40 ms more for every request but a connection's first.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(backlog)
    except BaseException:
        listener.close()
        raise
    return listener

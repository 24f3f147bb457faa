"""`kzdocs serve`: the HTTP service on uvicorn, bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import argparse
import logging
import math
import signal
from pathlib import Path

from kzdocs.cli.common import EXIT_OK, command, config_of
from kzdocs.cli.signing import add_signer_options, signer_spec


def serve_parser(commands) -> None:
    sub = command(commands, "serve", _serve, "run the HTTP service (API v1) with a worker pool")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sub.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any free one)")
    sub.add_argument("--workers", type=int, help="render worker processes (default: one per core)")
    sub.add_argument("--queue", type=int, default=16, help="requests that may wait (default 16)")
    sub.add_argument("--timeout", type=float, default=30.0, help="seconds per render (default 30)")
    sub.add_argument(
        "--max-renders",
        type=int,
        metavar="N",
        help="replace a worker after N tasks (default: never; a safety net against growth)",
    )
    sub.add_argument(
        "--max-body", type=int, default=1024 * 1024, metavar="BYTES", help="default 1 MiB"
    )
    sub.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, help="configuration file (JSON)"
    )
    sub.add_argument(
        "--token-file", type=Path, metavar="FILE", help="bearer token every route but probes needs"
    )
    sub.add_argument(
        "--require-signature", action="store_true", help="refuse to issue unsigned drafts"
    )
    add_signer_options(sub)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kzdocs.service import ServiceSettings, create_app
    from kzdocs.service.listener import listen
    from kzdocs.service.logs import json_event, to_stderr
    from kzdocs.service.settings import read_token

    settings = ServiceSettings(
        **({"workers": args.workers} if args.workers else {}),
        queue=args.queue,
        timeout=args.timeout,
        max_body=args.max_body,
        max_renders=args.max_renders,
        config=config_of(args),
        signer=signer_spec(args),
        require_signature=args.require_signature,
        token=read_token(args.token_file) if args.token_file else None,
    )
    listener = listen(args.host, args.port)
    host, port = listener.getsockname()[:2]
    to_stderr()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            log_config=None,
            access_log=False,
            lifespan="on",
            # SIGTERM: stop taking requests, finish those in flight within one render's time.
            timeout_graceful_shutdown=math.ceil(settings.timeout) + 1,
        )
    )
    logging.getLogger("kzdocs.service").info(
        json_event(
            "listening",
            url=f"http://{host}:{port}",
            workers=settings.workers,
            signer=settings.signer.name if settings.signer else None,
        )
    )
    # uvicorn re-raises the signal it stopped for once it is done; that stop was the clean
    # exit asked for, so it must find a handler that lets the process end with 0.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopped)
    server.run(sockets=[listener])
    return EXIT_OK


def _stopped(signum: int, frame: object) -> None:
    """Nothing to do: the server has already stopped gracefully."""

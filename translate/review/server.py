"""Run the review app: bind a port, print the address, serve with uvicorn until stopped.

The socket is bound before uvicorn starts, so the printed port is the real one even when the
system chose it (``port=0``). The address is given to ``ready`` once the app has started (the
CLI prints it and flushes, so scripts can read it). Ctrl-C or SIGTERM stop the server cleanly:
requests in flight finish, the edition index is written again when anything was saved.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError, WorkspaceError
from .app import ReviewContext, build_app, load_context
from .security import Secrets, allowed_hosts

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(slots=True)
class ReviewOptions:
    """What ``tarjama review`` needs.

    Args:
        workspace: the folder ``tarjama run`` wrote.
        reviewer: the name edits are logged under.
        host: the address to listen on; anything but loopback exposes the workspace to the
            network (the CLI warns).
        port: 0 for any free port.
        glossary: glossary files for the re-checks (``None``: the bundled glossary).
        references: reference files shown beside each segment (``None``: the bundled ones when
            the documents come from the bundled corpus).
        token: the URL token (``None``: a random one).
        glossary_out: the glossary file names accepted in the app are appended to (``None``:
            names are listed, not accepted).
    """

    workspace: Path
    reviewer: str
    host: str = "127.0.0.1"
    port: int = 0
    glossary: list[Path] | None = None
    references: list[Path] | None = None
    token: str | None = None
    glossary_out: Path | None = None
    warn: Callable[[str], None] | None = field(default=None, repr=False)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port`` 0: one the system picks).

    Raises:
        UsageError: the address cannot be used (taken, not this machine's, not an address).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: not an address of this machine ({exc.strerror})") from exc
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"--host {host} --port {port}: cannot listen there ({exc.strerror}); choose another "
            "--port, or leave it out for a free one"
        ) from exc
    sock.set_inheritable(True)
    return sock


def serve(options: ReviewOptions, ready: Callable[[str], None]) -> ReviewContext:
    """Serve the review app until Ctrl-C or SIGTERM; returns the context (edits saved…).

    Raises:
        WorkspaceError: the workspace is missing or holds no documents.
        UsageError: the address cannot be used.
    """
    import uvicorn

    context = load_context(
        options.workspace,
        options.reviewer,
        options.glossary,
        options.references,
        options.warn,
        options.glossary_out,
    )
    context.secrets = Secrets(options.token)
    sock = bind(options.host, options.port)
    port = sock.getsockname()[1]
    host_label = f"[{options.host}]" if ":" in options.host else options.host
    url_host = "127.0.0.1" if options.host in ("127.0.0.1", "0.0.0.0") else host_label
    url = f"http://{url_host}:{port}/?token={context.secrets.token}"
    hosts = allowed_hosts(host_label if ":" in options.host else options.host, port)
    if options.host == "0.0.0.0":  # every interface: its own name and loopback's
        hosts |= allowed_hosts("127.0.0.1", port) | {f"{socket.gethostname()}:{port}"}

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        ready(url)
        yield

    guard = build_app(context, hosts, cookie=f"tarjama_review_{port}", lifespan=lifespan)
    config = uvicorn.Config(
        guard,
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    previous = None
    if threading.current_thread() is threading.main_thread():
        # uvicorn stops on SIGTERM, then raises it again for the handler that was there before:
        # make that one a clean exit too.
        previous = signal.signal(signal.SIGTERM, _stop)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has shut down cleanly, then re-raised Ctrl-C
    finally:
        sock.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        _finish(context)
    return context


class _Stopped(KeyboardInterrupt):
    """SIGTERM, after uvicorn's clean shutdown."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped


def _finish(context: ReviewContext) -> None:
    """After the last request: the edition index lists every document's progress anew."""
    context.close()
    if not context.saves:
        return
    from .refresh import refresh_index

    try:
        context.store.scan()
        refresh_index(context.workspace, context.store.documents())
    except (WorkspaceError, OSError):
        pass  # the index is a rendering; the next run or import writes it again


def check_host(host: str) -> bool:
    """Whether ``host`` is loopback (only this machine can connect)."""
    return host in LOOPBACK or host.startswith("127.")

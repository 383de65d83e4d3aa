"""The review app's guard: it is a web server, even on loopback.

One ASGI middleware in front of every route, in the order a request meets the checks:

1. **Host** must be the address the server is bound to (``127.0.0.1:PORT`` / ``localhost:PORT``
   on loopback): anything else is answered 400, token or not, which defeats DNS rebinding (a
   hostile page's name made to point at 127.0.0.1 still sends its own name as Host).
2. **Token → cookie.** The printed URL carries a random token; a request bearing it gets an
   HttpOnly, SameSite=Strict session cookie and is redirected to the same page without the
   token (so it leaves no trace in the address bar or history). A request with neither a valid
   cookie nor the token gets 401; a wrong token or cookie 403.
3. **State changes** are POSTs (other methods: 405) that must carry the page's CSRF token in
   ``X-CSRF-Token`` and must not come from another origin: an ``Origin`` other than ours or a
   ``Sec-Fetch-Site`` other than ``same-origin`` is refused (403). Their body is read here up to
   :data:`MAX_BODY` bytes; a larger one is refused (413) before any route sees it.
4. Every answer carries a Content-Security-Policy that allows scripts, styles and requests
   from this server only (no inline script: the app's JS is a static file), and headers that
   forbid framing, sniffing, referrers and caching.

Tokens are compared in constant time (:func:`secrets.compare_digest`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Largest request body accepted: one segment's edit is a sentence and a note; 64 KiB is
#: generous for that and small enough that nobody can fill the memory.
MAX_BODY = 64 * 1024

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


def allowed_hosts(host: str, port: int) -> set[str]:
    """``Host`` header values a browser sends for this server (loopback names included when
    bound to loopback)."""
    names = {host}
    if host in ("127.0.0.1", "localhost"):
        names |= {"127.0.0.1", "localhost"}
    if host in ("::1", "[::1]"):
        names = {"[::1]", "localhost"}
    out = {f"{n}:{port}" for n in names}
    if port == 80:
        out |= names
    return out


class Secrets:
    """The server's secrets: the URL token, the session cookie's value, the CSRF token."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or secrets.token_urlsafe(32)
        self.session = secrets.token_urlsafe(32)
        self.csrf = secrets.token_urlsafe(32)


class Guard:
    """ASGI middleware applying the checks of the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secrets_: Secrets,
        hosts: Iterable[str],
        cookie: str,
        max_body: int = MAX_BODY,
    ) -> None:
        self.app = app
        self.secrets = secrets_
        self.hosts = {h.lower() for h in hosts}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.cookie = cookie
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # websockets: the app has none
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        headers = _headers(scope)
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            await _plain(send, 400, "Bad Host header: this server answers to its own address only.")
            return
        method = scope["method"]
        if method not in ("GET", "HEAD", "POST"):
            await _plain(send, 405, "Method not allowed.", [(b"allow", b"GET, HEAD, POST")])
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query and method in ("GET", "HEAD"):
            if not secrets.compare_digest(query["token"], self.secrets.token):
                await _plain(send, 403, "Wrong token: open the address tarjama review printed.")
                return
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            cookie = (
                f"{self.cookie}={self.secrets.session}; HttpOnly; SameSite=Strict; Path=/"
            ).encode()
            await _plain(
                send, 303, "Signed in.", [(b"location", location.encode()), (b"set-cookie", cookie)]
            )
            return
        session = _cookies(headers.get("cookie", "")).get(self.cookie)
        if session is None:
            await _plain(
                send,
                401,
                "Not signed in: open the address that `tarjama review` printed (it ends with "
                "?token=…).",
            )
            return
        if not secrets.compare_digest(session, self.secrets.session):
            await _plain(send, 403, "Stale session: open the address tarjama review printed.")
            return
        if method == "POST":
            problem = self._cross_site(headers)
            if problem:
                await _plain(send, 403, problem)
                return
            length = headers.get("content-length", "")
            if length and (not length.isdigit() or int(length) > self.max_body):
                await _plain(send, 413, f"Request body over {self.max_body} bytes.")
                return
            body = bytearray()
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                if len(body) > self.max_body:
                    await _plain(send, 413, f"Request body over {self.max_body} bytes.")
                    return
                if not message.get("more_body", False):
                    break
            receive = _replay(bytes(body), receive)
        await self.app(scope, receive, _with_headers(send))

    def _cross_site(self, headers: dict[str, str]) -> str:
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return "Cross-origin request refused."
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return "Cross-site request refused."
        token = headers.get("x-csrf-token", "")
        if not token or not secrets.compare_digest(token, self.secrets.csrf):
            return "Missing or wrong CSRF token: reload the page."
        return ""


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        name = key.decode("latin-1").lower()
        # A repeated Host or Origin is an attack or a broken proxy: never pick a favourable one.
        repeated = name in out and name in ("host", "origin")
        out[name] = "\x00" if repeated else value.decode("latin-1")
    return out


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}


def _replay(body: bytes, original: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then waits on the client as usual."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in HEADERS if k not in present]
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return wrapped


async def _plain(
    send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = (text + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *HEADERS,
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

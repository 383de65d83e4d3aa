"""What the review tests share: a real workspace, a real review server, a small HTTP client.

The workspace is the bundled corpus run through the real pipeline (ingest, segmentation, the
bundled glossary, the tiny Marian model, evaluation, exports), built once per test session and
copied for each test that changes it. The server is ``tarjama review`` in a subprocess on a free
loopback port; the client speaks HTTP with :mod:`http.client`, so every header (Host, Origin,
Cookie) is exactly what the test sets.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .conftest import CORPUS, ROOT

FORMATS = ("xliff", "xliff12", "md")


def corpus_workspace(tmp_path_factory: Any, model: Path) -> Path:
    """The bundled corpus translated into a workspace (once per session; do not change it:
    copy it with :func:`copy_workspace`)."""
    from translate import pipeline
    from translate.engine import TranslateOptions

    root = tmp_path_factory.getbasetemp() / "review-corpus-workspace"
    if not (root / "report.json").is_file():
        shutil.rmtree(root, ignore_errors=True)
        pipeline.run(
            pipeline.RunOptions(
                inputs=[CORPUS],
                out=root,
                formats=list(FORMATS),
                # One beam and no constrained decoding: the fastest real run of the tiny model.
                translate=TranslateOptions(model=str(model), num_beams=1, enforce_glossary=False),
            )
        )
    return root


def copy_workspace(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def rerun(workspace: Path, model: Path) -> Any:
    """A fresh ``tarjama run`` of the bundled corpus into ``workspace`` (same settings)."""
    from translate import pipeline
    from translate.engine import TranslateOptions

    return pipeline.run(
        pipeline.RunOptions(
            inputs=[CORPUS],
            out=workspace,
            formats=list(FORMATS),
            translate=TranslateOptions(model=str(model), num_beams=1, enforce_glossary=False),
        )
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, by relative path: to check that nothing changed."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- the server -----------------------------------------------------------------------------

READY = re.compile(r"^Review at (http://127\.0\.0\.1:(\d+)/\?token=([\w-]+))$")


@dataclass
class Server:
    """A running ``tarjama review``."""

    proc: subprocess.Popen[str]
    url: str
    port: int
    token: str
    stderr: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self) -> Client:
        return Client(self)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=timeout)


def start_server(workspace: Path, *args: str, timeout: float = 60) -> Server:
    """Start ``tarjama review WORKSPACE`` on a free port and wait for its address line."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "translate", "review", str(workspace), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    lines: list[str] = []
    errors: list[str] = []

    def read_err() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            errors.append(line)

    threading.Thread(target=read_err, daemon=True).start()
    got = threading.Event()

    def read_out() -> None:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        lines.append(line.rstrip("\n"))
        got.set()
        for rest in proc.stdout:
            lines.append(rest)

    threading.Thread(target=read_out, daemon=True).start()
    if not got.wait(timeout) or not lines or not READY.match(lines[0]):
        proc.kill()
        proc.wait()
        raise AssertionError(f"no address line; stdout {lines!r}, stderr {''.join(errors)}")
    match = READY.match(lines[0])
    assert match is not None
    return Server(proc, match.group(1), int(match.group(2)), match.group(3), errors)


# --- the client -------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """An HTTP client of one server, keeping its session cookie and CSRF token."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.cookie = ""
        self.csrf = ""

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        host: str | None = None,
        cookie: bool = True,
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        sent = {"Host": host or self.server.host}
        if cookie and self.cookie:
            sent["Cookie"] = self.cookie
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            conn.close()

    def login(self) -> Client:
        reply = self.request("GET", f"/?token={self.server.token}")
        assert reply.status == 303, reply
        self.cookie = reply.headers["set-cookie"].split(";")[0]
        page = self.request("GET", "/")
        assert page.status == 200
        found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert found
        self.csrf = found.group(1)
        return self

    def page(self, doc_id: str) -> Reply:
        return self.request("GET", f"/doc/{quote(doc_id)}")

    def save(self, segment_id: str, payload: dict[str, Any], **headers: str) -> Reply:
        sent = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf}
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        return self.request(
            "POST",
            f"/api/segment/{quote(segment_id)}",
            json.dumps(payload).encode(),
            sent,
        )


def revisions(html: str) -> dict[str, int]:
    """Segment id → revision, as a document page shows them."""
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r'data-id="([^"]+)" data-revision="(\d+)"', html)
    }


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")

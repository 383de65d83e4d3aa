"""The review server over HTTP: a real ``tarjama review`` on a free loopback port.

Security (token → cookie, Host, CSRF and origin, body size, ids in URLs, headers), the index's
filters and pages, a server killed with SIGKILL in the middle of a burst of saves, and two
clients saving at once: every acknowledged save is in the log, the memory and the document.
"""

from __future__ import annotations

import json
import random
import re
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from translate.document import Document, Meta, Segment, read_document
from translate.memory import TranslationMemory
from translate.review.security import CSP, MAX_BODY
from translate.review.server import check_host
from translate.workspace import Workspace

from .review_support import (
    Client,
    Server,
    copy_workspace,
    corpus_workspace,
    rerun,
    revisions,
    start_server,
)
from .test_export import hostile

pytestmark = pytest.mark.slow

DOC = "baladi-sdf-regime-heavy-weapons"
SPUTNIK = f"{DOC}:2:1"
RLO = "\u202e"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    return corpus_workspace(tmp_path_factory, tiny_model)


@pytest.fixture(scope="module")
def shared(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One server for the tests that only read or are refused, on a copy of the corpus with
    a hostile article added."""
    root = copy_workspace(corpus, tmp_path_factory.mktemp("shared") / "ws")
    doc = hostile()
    body = doc.paragraphs[0][0]
    body.target = f"{body.target} {RLO}evil reversed"
    body.source = f"{body.source} {RLO}مقلوب"  # appended: the terms' offsets still hold
    Workspace(root).save(doc)
    server = start_server(root, "--reviewer", "alice")
    try:
        yield server, root
    finally:
        server.stop()


@pytest.fixture
def server(shared: Any) -> Server:
    return shared[0]


@pytest.fixture
def fresh(corpus: Path, tmp_path: Path) -> Any:
    """A server of its own over a fresh copy of the corpus workspace."""
    root = copy_workspace(corpus, tmp_path / "ws")
    started: list[Server] = []

    def start(*args: str) -> Server:
        started.append(start_server(root, "--reviewer", "alice", *args))
        return started[-1]

    yield start, root
    for s in started:
        s.stop(signal.SIGKILL)


def _log(root: Path) -> list[Any]:
    with TranslationMemory(root / "memory.sqlite") as memory:
        return memory.edit_log()


# --- the address, the token and the cookie ----------------------------------------------------


def test_token_is_exchanged_for_a_strict_http_only_cookie(server: Server) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}", server.url)
    client = server.client()
    reply = client.request("GET", f"/?token={server.token}")
    assert reply.status == 303 and reply.headers["location"] == "/"
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert server.token not in cookie  # the cookie is not the token
    client.cookie = cookie.split(";")[0]
    assert client.request("GET", "/").status == 200
    assert client.request("GET", "/static/review.js").status == 200


@pytest.mark.parametrize(
    ("path", "cookie", "status"),
    [
        ("/", "", 401),
        ("/doc/" + DOC, "", 401),
        ("/static/review.js", "", 401),
        ("/?token=wrong", "", 403),
        ("/", "tarjama_review_{port}=forged", 403),
    ],
)
def test_without_the_token_or_cookie_nothing_is_served(
    server: Server, path: str, cookie: str, status: int
) -> None:
    client = server.client()
    headers = {"Cookie": cookie.format(port=server.port)} if cookie else {}
    reply = client.request("GET", path, headers=headers, cookie=False)
    assert reply.status == status
    assert "Bilingual" not in reply.text and "csrf" not in reply.text


@pytest.mark.parametrize(
    "host", ["evil.example:{port}", "evil.example", "127.0.0.1:1", "localhost.evil.example:{port}"]
)
def test_a_foreign_host_header_is_refused_token_or_not(server: Server, host: str) -> None:
    client = server.client().login()
    host = host.format(port=server.port)
    assert client.request("GET", "/", host=host).status == 400
    assert client.request("GET", f"/?token={server.token}", host=host).status == 400
    reply = client.save(SPUTNIK, {"action": "approve", "base_revision": 0})
    assert reply.status in (200, 409)  # the right Host still works
    before = len(_log_root(server))
    refused = client.request(
        "POST",
        f"/api/segment/{SPUTNIK}",
        json.dumps({"action": "approve", "base_revision": 0}).encode(),
        {"Content-Type": "application/json", "X-CSRF-Token": client.csrf},
        host=host,
    )
    assert refused.status == 400
    assert len(_log_root(server)) == before


def _log_root(server: Server) -> list[Any]:
    root = Path(server.proc.args[4])  # type: ignore[index]
    return _log(root)


def test_localhost_is_the_same_server(server: Server) -> None:
    client = server.client().login()
    assert client.request("GET", "/", host=f"localhost:{server.port}").status == 200


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"X-CSRF-Token": ""}, "CSRF"),
        ({"X-CSRF-Token": "forged"}, "CSRF"),
        ({"Origin": "http://evil.example"}, "Cross-origin"),
        ({"Origin": "null"}, "Cross-origin"),
        ({"Sec-Fetch-Site": "cross-site"}, "Cross-site"),
        ({"Sec-Fetch-Site": "same-site"}, "Cross-site"),
    ],
)
def test_state_changes_need_the_csrf_token_and_our_origin(
    server: Server, headers: dict[str, str], why: str
) -> None:
    client = server.client().login()
    before = len(_log_root(server))
    sent = {"Content-Type": "application/json", "X-CSRF-Token": client.csrf, **headers}
    body = json.dumps({"action": "edit", "target": "Forged.", "base_revision": 0}).encode()
    reply = client.request("POST", f"/api/segment/{DOC}:3:1", body, sent)
    assert reply.status == 403 and why in reply.text
    assert len(_log_root(server)) == before
    same = {"Origin": f"http://127.0.0.1:{server.port}", "Sec-Fetch-Site": "same-origin"}
    ok = client.save(
        f"{DOC}:5:1",
        {"action": "approve", "base_revision": _revision(client, f"{DOC}:5:1")},
        **same,
    )
    assert ok.status == 200, ok.text


def _revision(client: Client, seg_id: str) -> int:
    return revisions(client.page(seg_id.rsplit(":", 2)[0]).text)[seg_id]


def test_other_methods_are_refused(server: Server) -> None:
    client = server.client().login()
    assert client.request("PUT", f"/api/segment/{SPUTNIK}", b"{}").status == 405
    assert client.request("DELETE", "/").status == 405
    assert client.request("GET", f"/api/segment/{SPUTNIK}").status == 405


def test_a_body_over_the_limit_is_refused(server: Server) -> None:
    client = server.client().login()
    before = len(_log_root(server))
    big = json.dumps({"action": "edit", "target": "x" * MAX_BODY, "base_revision": 0}).encode()
    reply = client.request(
        "POST",
        f"/api/segment/{SPUTNIK}",
        big,
        {"Content-Type": "application/json", "X-CSRF-Token": client.csrf},
    )
    assert reply.status == 413
    # Chunked, so that no Content-Length warns the server: refused all the same.
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest("POST", f"/api/segment/{SPUTNIK}", skip_host=True)
        for name, value in {
            "Host": server.host,
            "Cookie": client.cookie,
            "X-CSRF-Token": client.csrf,
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        }.items():
            conn.putheader(name, value)
        conn.endheaders()
        chunk = b"x" * 16384
        try:
            for _ in range(8):
                conn.send(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
            conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the last chunk
        assert conn.getresponse().status == 413
    finally:
        conn.close()
    assert len(_log_root(server)) == before


@pytest.mark.parametrize(
    "path",
    [
        "/doc/..%2Fmemory",
        "/doc/.hidden",
        "/doc/no-such-article",
        "/doc/" + "a" * 500,
        "/static/..%2F..%2Fmemory.sqlite",
        "/static/other.js",
        f"/api/segment/{DOC}:99:1/history",
        "/api/segment/..%2F..%2Fetc%2Fpasswd:1:1/history",
        "/api/segment/not-an-id/history",
    ],
)
def test_ids_in_urls_are_validated(server: Server, path: str) -> None:
    client = server.client().login()
    reply = client.request("GET", path)
    assert reply.status == 404, path


@pytest.mark.parametrize(
    ("segment", "status"),
    [(f"{DOC}:99:1", 404), ("..%2F..%2Fetc%2Fpasswd:1:1", 404), ("x", 404), (f"{DOC}:1", 404)],
)
def test_saves_to_unknown_or_malformed_ids_are_refused(
    server: Server, segment: str, status: int
) -> None:
    client = server.client().login()
    reply = client.request(
        "POST",
        f"/api/segment/{segment}",
        json.dumps({"action": "edit", "target": "x", "base_revision": 0}).encode(),
        {"Content-Type": "application/json", "X-CSRF-Token": client.csrf},
    )
    assert reply.status == status


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("not json", "not JSON"),
        ({"action": "delete", "base_revision": 0}, "unknown action"),
        ({"action": "edit", "base_revision": 0}, "needs the English"),
        ({"action": "edit", "target": 3, "base_revision": 0}, "target must be"),
        ({"action": "edit", "target": "x", "base_revision": "0"}, "base_revision"),
        ({"action": "send-back", "base_revision": 0, "note": " "}, "needs a comment"),
        ({"action": "restore", "target": "x", "state": "done", "base_revision": 0}, "state"),
    ],
)
def test_malformed_edits_are_refused(server: Server, payload: Any, words: str) -> None:
    client = server.client().login()
    body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    reply = client.request(
        "POST",
        f"/api/segment/{DOC}:6:1",
        body,
        {"Content-Type": "application/json", "X-CSRF-Token": client.csrf},
    )
    assert reply.status == 400 and words in reply.json()["error"]


def test_every_answer_carries_the_content_security_policy(server: Server) -> None:
    client = server.client()
    for reply in (
        client.request("GET", "/"),
        client.login().request("GET", "/"),
        client.page(DOC),
        client.request("GET", "/static/review.css"),
        client.request("GET", "/doc/missing"),
    ):
        assert reply.headers["content-security-policy"] == CSP
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    page = client.page(DOC).text
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts == ['<script src="/static/review.js" defer>']
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"<[^>]+\son[a-z]+=", page)  # no inline event handlers


def test_a_hostile_article_is_served_as_text(server: Server) -> None:
    client = server.client().login()
    page = client.page("مقال-تجريبي").text
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "\x00" not in page
    # The English box holds the text exactly as it is (a save must not lose a character); it is
    # a form control, its own bidi paragraph. Everywhere else bidi controls are labels.
    outside = re.sub(r"<textarea[^>]*>.*?</textarea>", "", page, flags=re.S)
    assert RLO not in outside and "\u200f" not in outside
    assert f"{RLO}evil reversed</textarea>" in page
    assert '<span class="ctl" title="U+202E RLO">RLO</span>' in page
    assert '<span class="ctl" title="U+200F RLM">RLM</span>' in page
    assert "<b>&amp;amp;</b>" not in page and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in page
    index = client.request("GET", "/?q=News+on+Aleppo").text
    assert "News on Aleppo &amp; &#34;Raqqa&#34;" in index
    assert "<b>" not in index and "&lt;b&gt;&#34;وكالة&#34;&lt;/b&gt;" in index


# --- the index ------------------------------------------------------------------------------


def _generated(root: Path, count: int) -> None:
    ws = Workspace(root)
    for n in range(count):
        doc_id = f"gen-{n:03d}"
        outlet = ("Enab Baladi", "Thiqa", "Syria TV")[n % 3]
        state = "reviewed" if n % 4 == 0 else "translated"
        title = Segment(f"{doc_id}:0:1", f"عنوان رقم {n}", target=f"Headline {n}", state=state)
        segs = [
            Segment(
                f"{doc_id}:1:{k}",
                f"جملة {k} من المقال {n}.",
                target=f"Sentence {k} of article {n}.",
                state=state,
            )
            for k in range(1, 4)
        ]
        if n % 5 == 0:
            from translate.document import Flag

            segs[0].flags.append(Flag("numbers", "Numbers do not match."))
            segs[0].state = "translated"
        ws.save(Document(doc_id, Meta(outlet=outlet, date="2024-01-02"), title, [segs]))


def test_the_index_filters_and_paginates(fresh: Any) -> None:
    start, root = fresh
    _generated(root, 120)
    server = start()
    client = server.client().login()

    def rows(query: str) -> tuple[list[str], str]:
        text = client.request("GET", "/?" + query).text
        return re.findall(r'href="/doc/([^"]+)"', text), text

    first, text = rows("")
    assert len(first) == 50 and "page 1 of 3" in text and "122 documents" in text
    third, _ = rows("page=3")
    assert len(third) == 22
    assert not set(first) & set(third)
    thiqa, text = rows("outlet=Thiqa")
    assert len(thiqa) == 40 and "40 documents match" in text
    done, _ = rows("progress=done")  # every n % 4 == 0 but those with a flag
    assert {d for d in done} == {f"gen-{n:03d}" for n in range(120) if n % 4 == 0 and n % 5}
    flagged, _ = rows("flags=open")
    assert {d for d in flagged if d.startswith("gen")} == {f"gen-{n:03d}" for n in range(0, 120, 5)}
    assert rows("q=gen-042")[0] == ["gen-042"]
    found, _ = rows("q=headline+11")  # every word, anywhere in the id or the titles
    assert found == ["gen-011", "gen-110", "gen-111", "gen-112", "gen-113", "gen-114"][:1] + [
        f"gen-{n}" for n in range(110, 120)
    ]
    assert rows("page=999")[1].count("page 3 of 3") >= 1  # clamped, not an error
    assert client.request("GET", "/?page=-1&progress=bogus").status == 200


# --- crashes and load ------------------------------------------------------------------------


def _check_consistent(root: Path, acked: list[tuple[str, int, str]]) -> None:
    """Every acknowledged save is in the log, the memory and the documents, and the documents
    agree with the log's last word on every segment."""
    log = _log(root)
    by_seq = {r.seq: r for r in log}
    for seg_id, revision, text in acked:
        row = by_seq[revision]
        assert (row.segment, row.after) == (seg_id, text)
    latest: dict[str, Any] = {}
    for row in log:
        latest[row.segment] = row
    docs = {p.stem: read_document(p) for p in (root / "documents").glob("*.json")}  # all whole
    with TranslationMemory(root / "memory.sqlite") as memory:
        for seg_id, row in latest.items():
            doc = docs[seg_id.rsplit(":", 2)[0]]
            seg = next(s for s in doc.segments() if s.id == seg_id)
            assert (seg.target, seg.state, seg.revision) == (row.after, row.state, row.seq)
            assert memory.edits([seg.normalized]).get(seg.normalized) == (row.after, row.state)


def test_a_sigkill_during_a_burst_of_saves_loses_no_acknowledged_save(fresh: Any) -> None:
    start, root = fresh
    server = start()
    client = server.client().login()
    segs = list(revisions(client.page(DOC).text).items())
    acked: list[tuple[str, int, str]] = []
    current = dict(segs)
    stop = threading.Event()

    def burst() -> None:
        n = 0
        while not stop.is_set() and n < 400:
            seg_id = segs[n % len(segs)][0]
            text = f"Burst edit {n} of {seg_id}."
            try:
                reply = client.save(
                    seg_id, {"action": "edit", "target": text, "base_revision": current[seg_id]}
                )
            except OSError:
                return  # the server died under us
            if reply.status != 200:
                return
            current[seg_id] = reply.json()["revision"]
            acked.append((seg_id, current[seg_id], text))
            n += 1

    worker = threading.Thread(target=burst)
    worker.start()
    deadline = time.monotonic() + 60
    while len(acked) < 12 and time.monotonic() < deadline and worker.is_alive():
        time.sleep(0.01)
    server.proc.send_signal(signal.SIGKILL)  # mid-burst: a save is most likely in flight
    server.proc.wait(timeout=20)
    stop.set()
    worker.join(timeout=60)
    assert len(acked) >= 12
    # Restarting replays whatever the crash left half-done, then everything agrees.
    again = start()
    _check_consistent(root, acked)
    page = again.client().login().page(DOC).text
    seg_id, revision, text = acked[-1]
    assert revisions(page)[seg_id] >= revision
    # Renderings the crash left stale are written again: all there once the server stops.
    assert again.stop(signal.SIGINT) == 0
    assert text in (root / "exports" / f"{DOC}.xlf").read_text(encoding="utf-8")


def test_two_clients_saving_at_once_lose_nothing(fresh: Any) -> None:
    start, root = fresh
    server = start()
    seed = server.client().login()
    mine = list(revisions(seed.page(DOC).text))
    other = "thiqa-regime-reinforcements-kobani"
    theirs = list(revisions(seed.page(other).text))
    shared = mine[:3]  # both clients edit these; each also edits segments of its own
    results: dict[str, dict[str, list[Any]]] = {}

    def client_run(name: str, own: list[str], seed_rng: int) -> None:
        client = server.client().login()
        rng = random.Random(seed_rng)
        known: dict[str, int] = {**revisions(client.page(DOC).text)}
        known.update(revisions(client.page(other).text))
        acked: list[Any] = []
        refused: list[Any] = []
        for n in range(120):
            seg_id = rng.choice(shared if n % 2 else own)
            text = f"{name} edit {n}."
            base = known[seg_id]
            reply = client.save(seg_id, {"action": "edit", "target": text, "base_revision": base})
            if reply.status == 200:
                known[seg_id] = reply.json()["revision"]
                acked.append((seg_id, known[seg_id], text))
            else:
                assert reply.status == 409, reply.text
                data = reply.json()
                assert data["theirs"]["revision"] != base  # refused only when stale
                assert data["yours"]["target"] == text  # and the refusal carries mine
                refused.append((seg_id, base, data["theirs"]["revision"]))
                known[seg_id] = data["theirs"]["revision"]
        results[name] = {"acked": acked, "refused": refused}

    threads = [
        threading.Thread(target=client_run, args=("A", mine[3:], 1)),
        threading.Thread(target=client_run, args=("B", theirs, 2)),
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert time.monotonic() - started < 300
    acked = results["A"]["acked"] + results["B"]["acked"]
    refused = results["A"]["refused"] + results["B"]["refused"]
    assert len(acked) + len(refused) == 240
    assert refused, "two clients on the same segments must have collided at least once"
    assert len(_log(root)) == len(acked)  # nothing refused was logged
    _check_consistent(root, acked)


# --- the workflow around the server ----------------------------------------------------------


def test_ctrl_c_stops_cleanly_and_the_index_follows(fresh: Any) -> None:
    start, root = fresh
    server = start()
    client = server.client().login()
    headline = "Regime and SDF agree on heavy weapons, a source says"
    reply = client.save(f"{DOC}:0:1", {"action": "edit", "target": headline, "base_revision": 0})
    assert reply.status == 200
    index = root / "html" / "index.html"
    assert headline not in index.read_text(encoding="utf-8")
    assert server.stop(signal.SIGINT) == 0
    assert "review stopped; 1 edit saved" in "".join(server.stderr)
    assert headline in index.read_text(encoding="utf-8")  # the edition's index follows


def test_a_fresh_run_keeps_the_edits_made_in_the_app(fresh: Any, tiny_model: Path) -> None:
    start, root = fresh
    server = start()
    client = server.client().login()
    text = "He made the remarks to Sputnik, the Russian news agency."
    assert (
        client.save(SPUTNIK, {"action": "edit", "target": text, "base_revision": 0}).status == 200
    )
    final = f"{DOC}:3:1"
    assert client.save(final, {"action": "final", "base_revision": 0}).status == 200
    assert server.stop() == 0
    rerun(root, tiny_model)  # a new `tarjama run` into the same workspace
    doc = read_document(root / "documents" / f"{DOC}.json")
    seg = next(s for s in doc.segments() if s.id == SPUTNIK)
    assert (seg.target, seg.state) == (text, "reviewed")
    assert seg.origin == {"human": True}
    machine = next(s for s in doc.segments() if s.id == final)
    assert machine.state == "final"
    assert text in (root / "exports" / f"{DOC}.xlf").read_text(encoding="utf-8")
    again = start()
    page = again.client().login().page(DOC).text
    assert "He made the remarks to Sputnik, the Russian news agency." in page


def test_loopback_is_the_default_and_anything_else_is_flagged() -> None:
    assert check_host("127.0.0.1") and check_host("localhost") and check_host("::1")
    assert not check_host("0.0.0.0") and not check_host("192.0.2.1")


def test_an_address_that_is_not_this_machines_is_refused(corpus: Path) -> None:
    import subprocess
    import sys

    from .conftest import ROOT

    proc = subprocess.run(
        [sys.executable, "-m", "translate", "review", str(corpus), "--host", "256.1.1.1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "256.1.1.1" in proc.stderr and "warning" in proc.stderr
    assert proc.stdout == ""

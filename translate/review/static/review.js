// tarjama review: the document page's keyboard and save loop. Served as a file (the page's
// Content-Security-Policy allows no inline script); plain JS, no build step, nothing fetched
// but this server's own answers. Untrusted text is only ever set with textContent; the HTML
// the server sends back (a re-rendered segment, its history) is escaped by its templates.
"use strict";
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  // A POST of JSON to the review server with its CSRF token; resolves to the response and its
  // JSON body, rejects when the server cannot be reached.
  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    return { response, data: await response.json() };
  }
  const timers = new WeakMap(); // segment -> {spent: seconds, since: ms or null}

  const segments = () => [...document.querySelectorAll("article.seg")];
  const segmentOf = (el) => (el instanceof Element ? el.closest("article.seg") : null);
  const done = (seg) => seg.dataset.state === "reviewed" || seg.dataset.state === "final";

  // Time spent on a segment: while focus is inside it.
  document.addEventListener("focusin", (event) => {
    const seg = segmentOf(event.target);
    if (!seg) return;
    const t = timers.get(seg) || { spent: 0, since: null };
    if (t.since === null) t.since = performance.now();
    timers.set(seg, t);
  });
  document.addEventListener("focusout", (event) => {
    const seg = segmentOf(event.target);
    if (!seg || seg.contains(event.relatedTarget)) return;
    const t = timers.get(seg);
    if (t && t.since !== null) {
      t.spent += (performance.now() - t.since) / 1000;
      t.since = null;
    }
  });
  const spent = (seg) => {
    const t = timers.get(seg);
    if (!t) return 0;
    return t.spent + (t.since === null ? 0 : (performance.now() - t.since) / 1000);
  };

  function say(seg, text, kind = "") {
    const el = seg.querySelector(".status");
    el.textContent = text;
    el.dataset.kind = kind;
  }

  function swap(seg, html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const fresh = template.content.firstElementChild;
    if (!fresh) return seg;
    seg.replaceWith(fresh);
    return fresh;
  }

  const SAID = {
    edit: "Saved (reviewed).",
    approve: "Approved.",
    final: "Marked final.",
    "send-back": "Sent back.",
    revert: "Reverted to the machine output.",
    restore: "Version restored.",
  };

  async function send(seg, action, extra = {}) {
    const box = seg.querySelector("textarea");
    const dirty = box.value !== box.defaultValue;
    const body = {
      action,
      base_revision: Number(seg.dataset.revision),
      seconds: Math.round(spent(seg) * 10) / 10,
      ...extra,
    };
    if (action === "edit" || (dirty && ["approve", "final", "send-back"].includes(action))) {
      body.target = box.value;
    }
    say(seg, "Saving…");
    let response;
    let data;
    try {
      ({ response, data } = await postJSON(
        `/api/segment/${encodeURIComponent(seg.dataset.id)}`,
        body,
      ));
    } catch (error) {
      say(seg, "Not saved: no answer from tarjama review (is it still running?). Your text is kept.", "error");
      return null;
    }
    if (data.conflict) {
      conflict(seg, data, action, extra);
      return null;
    }
    if (!response.ok || !data.ok) {
      say(seg, `Not saved: ${data.error || response.status}. Your text is kept.`, "error");
      return null;
    }
    const fresh = swap(seg, data.html);
    timers.delete(seg);
    say(fresh, SAID[action] || "Saved.", "ok");
    const progress = document.getElementById("progress");
    if (progress && data.progress) progress.textContent = data.progress;
    return fresh;
  }

  function paragraph(text, className) {
    const el = document.createElement("p");
    el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function button(text, onClick) {
    const el = document.createElement("button");
    el.type = "button";
    el.textContent = text;
    el.addEventListener("click", onClick);
    return el;
  }

  // A stale save: show both versions, keep the reviewer's text, let them choose.
  function conflict(seg, data, action, extra) {
    const theirs = data.theirs || {};
    const box = seg.querySelector("textarea");
    const panel = seg.querySelector(".conflict");
    const who = theirs.reviewer ? ` by ${theirs.reviewer}` : "";
    panel.replaceChildren(
      paragraph(
        `Someone saved this sentence meanwhile (revision ${theirs.revision}${who}). ` +
          "Nothing of yours was saved; your text is still in the box.",
        "lead",
      ),
      paragraph(`Their version (${theirs.state}):`, "label"),
      paragraph(theirs.target ?? "(no English)", "theirs"),
      paragraph("Your version:", "label"),
      paragraph(box.value, "yours"),
      button("Keep mine: save it over theirs", () => {
        seg.dataset.revision = String(theirs.revision);
        panel.hidden = true;
        send(seg, action, extra);
      }),
      button("Take theirs", () => {
        box.value = theirs.target ?? "";
        box.defaultValue = box.value;
        seg.dataset.revision = String(theirs.revision);
        seg.dataset.state = theirs.state;
        panel.hidden = true;
        say(seg, "Their version is in the box.", "ok");
      }),
    );
    panel.hidden = false;
    say(seg, "Not saved: changed meanwhile (see both versions below).", "error");
  }

  function focusSegment(seg, edit = false) {
    if (!seg) return;
    seg.scrollIntoView({ block: "center" });
    if (edit) {
      const box = seg.querySelector("textarea");
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    } else {
      seg.focus();
    }
  }

  function neighbour(seg, step) {
    const all = segments();
    const at = seg ? all.indexOf(seg) : -1;
    return all[at + step] || null;
  }

  function nextWhere(seg, test) {
    const all = segments();
    const at = seg ? all.indexOf(seg) : -1;
    const order = [...all.slice(at + 1), ...all.slice(0, at + 1)];
    return order.find(test) || null;
  }

  async function act(seg, action, extra = {}) {
    const index = segments().indexOf(seg);
    const fresh = await send(seg, action, extra);
    if (!fresh) return;
    if (["edit", "approve", "final"].includes(action)) {
      const next = segments()[index + 1];
      if (next) focusSegment(next, action === "edit");
      else focusSegment(fresh);
    } else {
      focusSegment(fresh);
    }
  }

  function openSendBack(seg) {
    const form = seg.querySelector(".send-back");
    form.hidden = false;
    form.querySelector("input").focus();
  }

  function sendBack(seg) {
    const input = seg.querySelector(".note-input");
    if (!input.value.trim()) {
      say(seg, "Write why it needs work, then press Enter.", "error");
      input.focus();
      return;
    }
    act(seg, "send-back", { note: input.value });
  }

  async function toggleHistory(seg) {
    const panel = seg.querySelector(".history");
    if (!panel.hidden) {
      panel.hidden = true;
      return;
    }
    const response = await fetch(`/api/segment/${encodeURIComponent(seg.dataset.id)}/history`, {
      credentials: "same-origin",
    });
    if (!response.ok) {
      say(seg, "The history could not be read.", "error");
      return;
    }
    panel.innerHTML = await response.text(); // escaped by the server's template
    panel.hidden = false;
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("[data-action]") : null;
    const seg = segmentOf(target);
    if (!target || !seg) return;
    const action = target.dataset.action;
    if (action === "history") toggleHistory(seg);
    else if (action === "send-back") openSendBack(seg);
    else if (action === "send-back-confirm") sendBack(seg);
    else if (action === "restore") {
      act(seg, "restore", { target: target.dataset.target, state: target.dataset.state });
    } else act(seg, action);
  });

  document.addEventListener("keydown", (event) => {
    const el = event.target instanceof Element ? event.target : null;
    const seg = segmentOf(el);
    if (el && el.matches("textarea") && seg) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        act(seg, event.shiftKey ? "final" : "edit");
      } else if (event.key === "Escape") {
        event.preventDefault();
        seg.focus();
      }
      return;
    }
    if (el && el.matches(".note-input") && seg) {
      if (event.key === "Enter") {
        event.preventDefault();
        sendBack(seg);
      } else if (event.key === "Escape") {
        event.preventDefault();
        seg.querySelector(".send-back").hidden = true;
        seg.focus();
      }
      return;
    }
    if (el && el.matches("input, select, button, a, summary")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (!document.querySelector("article.seg")) return;
    const here = seg && el === seg ? seg : null;
    const go = (found, edit = false) => {
      event.preventDefault();
      focusSegment(found, edit);
    };
    switch (event.key) {
      case "Enter":
      case "e":
        if (here) go(here, true);
        break;
      case "a":
        if (here) { event.preventDefault(); act(here, "approve"); }
        break;
      case "f":
        if (here) { event.preventDefault(); act(here, "final"); }
        break;
      case "b":
        if (here) { event.preventDefault(); openSendBack(here); }
        break;
      case "r":
        if (here && here.querySelector('[data-action="revert"]')) {
          event.preventDefault();
          act(here, "revert");
        }
        break;
      case "h":
        if (here) { event.preventDefault(); toggleHistory(here); }
        break;
      case "j":
      case "ArrowDown":
        go(neighbour(seg, 1) || seg);
        break;
      case "k":
      case "ArrowUp":
        go(neighbour(seg, -1) || seg);
        break;
      case "n":
        go(nextWhere(seg, (s) => !done(s)));
        break;
      case "u":
        go(nextWhere(seg, (s) => s.dataset.translated === "no"));
        break;
      case "g":
        go(nextWhere(seg, (s) => s.dataset.flagged === "yes"));
        break;
      default:
    }
  });

  // The names panel: a rendering chosen fills the English box; Accept adds the name to the
  // --glossary-out file (the server checks it as `tarjama glossary lint` does) and answers in
  // one line.
  function sayName(item, text, kind = "") {
    const el = item.querySelector(".name-status");
    el.textContent = text;
    el.dataset.kind = kind;
  }

  async function acceptName(item) {
    const en = item.querySelector(".name-en").value.trim();
    if (!en) {
      sayName(item, "Write the English of the name first.", "error");
      return;
    }
    const body = { ar: item.dataset.ar, en, type: item.querySelector(".name-type").value };
    sayName(item, "Adding…");
    let response;
    let data;
    try {
      ({ response, data } = await postJSON("/api/names/accept", body));
    } catch (error) {
      sayName(item, "Not added: no answer from tarjama review (is it still running?).", "error");
      return;
    }
    if (!response.ok || !data.ok) {
      sayName(item, `Not added: ${data.error || response.status}`, "error");
      return;
    }
    item.classList.add("accepted");
    item.querySelector("[data-name-action=accept]").disabled = true;
    sayName(item, data.message, "ok");
  }

  document.addEventListener("change", (event) => {
    const el = event.target instanceof Element ? event.target : null;
    if (!el || !el.matches("[data-name-rendering]")) return;
    const item = el.closest("li.name");
    if (item) item.querySelector(".name-en").value = el.value;
  });
  document.addEventListener("click", (event) => {
    const el = event.target instanceof Element ? event.target.closest("[data-name-action]") : null;
    const item = el ? el.closest("li.name") : null;
    if (item && el.dataset.nameAction === "accept") acceptName(item);
  });
  document.addEventListener("keydown", (event) => {
    const el = event.target instanceof Element ? event.target : null;
    if (el && el.matches(".name-en") && event.key === "Enter") {
      event.preventDefault();
      acceptName(el.closest("li.name"));
    }
  });
})();

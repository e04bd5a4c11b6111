// The inspector's page script. It talks only to the inspector's JSON API (never MCP) and
// builds every element with the DOM API, never innerHTML: names, descriptions and results
// come from the server being inspected, which may be hostile.
"use strict";
const BASE = document.body.dataset.base;
const $ = (id) => document.getElementById(id);
let session = null;   // this tab's session id: one inspector session per tab
let events = null;    // the EventSource of live traffic
let lastSeq = 0;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const pretty = (v) => JSON.stringify(v, null, 2);
function status(text, isError = false) { const s = $("status"); s.textContent = text; s.className = isError ? "error" : ""; }

async function api(method, path, body, signal) {
  const opts = { method, headers: {}, signal };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  let resp;
  try { resp = await fetch(BASE + "/api" + path, opts); } catch (e) { if (e.name === "AbortError") throw e; throw new Error("the inspector is not answering: " + e.message); }
  const json = await resp.json().catch(() => ({ error: { message: "answer " + resp.status + " was not JSON" } }));
  if (!resp.ok) throw new Error(json.error ? json.error.message : "HTTP " + resp.status);
  return json;
}
const sessionApi = (method, path, body, signal) => api(method, "/sessions/" + session + path, body, signal);

// ---- connect / disconnect -------------------------------------------------------------
$("connect-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (session) await disconnect();
  status("Connecting…");
  try {
    const r = await api("POST", "/sessions", { target: $("target").value, transport: $("transport").value });
    if (r.signIn) { showSignIn(r.signIn); return; }
    await adopt(r.session, r.info);
  } catch (e) { status(e.message, true); }
});

// A connected session (from Connect, or from a finished OAuth sign-in) becomes this tab's.
async function adopt(id, info) {
  session = id; lastSeq = 0;
  $("sign-in").hidden = true;
  showServer(info);
  $("disconnect").disabled = false;
  startEvents();
  await loadRoots();
  await refreshAll();
}

// ---- OAuth sign-in ---------------------------------------------------------------------
// The server answered 401: the inspector discovered its authorization server and registered
// itself. The person opens the authorization URL (a link: the page never navigates there by
// itself), signs in, and the authorization server sends that tab to the inspector's callback.
// Meanwhile this tab polls the sign-in; the token stays in the inspector, this page never sees it.
let signInPoll = null;
function showSignIn(s) {
  const box = $("sign-in"); box.hidden = false;
  box.replaceChildren(
    el("h2", { text: "This server wants you to sign in" }),
    el("p", { text: s.resource + " is protected by OAuth. Its authorization server: " + s.authorizationServer + "." }),
    el("p", { text: "Scopes asked for: " + (s.scopes || []).join(" ") }),
    el("p", {}, el("a", { id: "sign-in-link", href: s.authorizationUrl, target: "_blank", rel: "noopener" }, "Sign in (opens the authorization server in a new tab)")),
    el("p", { id: "sign-in-status", text: "Waiting for you to sign in…" }));
  status("Sign-in needed.");
  $("sign-in-link").focus();
  pollSignIn(s.id);
}
function pollSignIn(id) {
  if (signInPoll) clearTimeout(signInPoll);
  const tick = async () => {
    let r;
    try { r = await api("GET", "/signins/" + id); }
    catch (e) { status(e.message, true); return; }
    if (r.status === "done") { signInPoll = null; await adopt(r.session, r.info); return; }
    if (r.status === "failed") { signInPoll = null; $("sign-in").hidden = false; $("sign-in").append(el("p", { class: "error", text: "Sign-in failed: " + r.message })); status("Sign-in failed.", true); return; }
    signInPoll = setTimeout(tick, 1000);
  };
  tick();
}
// The sign-in was opened in this very tab: the callback page links back with ?signin=ID.
{
  const pending = new URLSearchParams(location.search).get("signin");
  if (pending) { history.replaceState(null, "", location.pathname); status("Finishing the sign-in…"); pollSignIn(pending); }
}
$("disconnect").addEventListener("click", () => disconnect());
for (const b of document.querySelectorAll(".pick")) b.addEventListener("click", () => { $("target").value = b.dataset.target; $("connect-form").requestSubmit(); });

async function disconnect() {
  if (events) { events.close(); events = null; }
  if (session) { try { await sessionApi("DELETE", ""); } catch (_) { /* already gone */ } }
  session = null;
  for (const id of ["server", "tabs", "live", "sign-in", "questions"]) $(id).hidden = true;
  // Nothing of the old session stays on the page: its questions, traffic and notifications.
  shown.clear(); urlWaiting.clear(); $("question-list").replaceChildren();
  trafficRows.length = 0; $("traffic").tBodies[0].replaceChildren();
  for (const k of Object.keys(bars)) delete bars[k];
  $("progress").replaceChildren(); $("notifications").replaceChildren();
  for (const p of document.querySelectorAll(".pane")) p.hidden = true;
  $("disconnect").disabled = true;
  status("Not connected.");
}

function showServer(info) {
  const peer = info.peer || {};
  const impl = peer.serverInfo || {};
  const dl = $("server-info"); dl.replaceChildren();
  const row = (k, v) => { if (v) dl.append(el("dt", { text: k }), el("dd", { text: v })); };
  row("Name", (impl.title ? impl.title + " — " : "") + (impl.name || "(not given)"));
  row("Version", impl.version);
  row("Protocol version", peer.protocolVersion);
  row("Transport", info.target.transport + ": " + (info.target.url || [info.target.program, ...info.target.args].join(" ")));
  // Signed in with OAuth: who, from the access token's claims (decoded by the inspector).
  const auth = info.auth;
  if (auth) {
    const c = auth.claims || {};
    row("Signed in as", (c.name || c.preferred_username || c.sub || "(unknown)") + (c.preferred_username && c.name ? " <" + c.preferred_username + ">" : ""));
    row("Authorization server", auth.authorizationServer);
    row("Scopes", c.scp || (Array.isArray(c.roles) ? c.roles.join(" ") : ""));
    if (c.exp) row("Token expires", new Date(c.exp * 1000).toLocaleTimeString() + " (renewed by the inspector)");
    if (auth.error) row("Token", auth.error);
    $("claims").textContent = pretty(c);
    $("claims-box").hidden = false;
  } else $("claims-box").hidden = true;
  $("capabilities").textContent = pretty(peer.capabilities || {});
  $("instructions").textContent = peer.instructions || "(none)";
  for (const id of ["server", "tabs", "live"]) $(id).hidden = false;
  showTab("tools");
  status("Connected to " + (impl.name || "server") + " (protocol " + peer.protocolVersion + ").");
}

// ---- tabs and lists ------------------------------------------------------------------
for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
function showTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.setAttribute("aria-pressed", b.dataset.tab === name);
  for (const p of document.querySelectorAll(".pane")) p.hidden = p.id !== "pane-" + name;
  if (name === "traffic") loadTraffic();
}

// ---- roots -----------------------------------------------------------------------------
// The folders offered to the server. Save replaces the list and the inspector sends
// notifications/roots/list_changed; the server then asks roots/list (see Traffic).
function rootRow(root = { uri: "", name: "" }) {
  const n = ++fieldCount;
  const uri = el("input", { id: "root-uri" + n, class: "root-uri", size: 50, value: root.uri, placeholder: "/home/you/project or file:///…" });
  const name = el("input", { id: "root-name" + n, class: "root-name", size: 16, value: root.name || "", placeholder: "name (optional)" });
  const row = el("li", {}, el("label", { for: uri.id, text: "URI " }), uri, el("label", { for: name.id, text: " Name " }), name,
    el("button", { type: "button", onclick: () => row.remove() }, "Remove"));
  return row;
}
// Read once per session (only this page changes them), so switching tabs keeps unsaved rows.
async function loadRoots() {
  if (!session) return;
  try {
    const r = await sessionApi("GET", "/roots");
    $("root-list").replaceChildren(...r.roots.map(rootRow));
  } catch (e) { $("roots-status").textContent = e.message; }
}
$("root-add").addEventListener("click", () => { const row = rootRow(); $("root-list").append(row); row.querySelector("input").focus(); });
$("roots-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const roots = [...$("root-list").children].map((li) => ({ uri: li.querySelector(".root-uri").value, name: li.querySelector(".root-name").value }))
    .filter((r) => r.uri.trim() !== "");
  try {
    const r = await sessionApi("PUT", "/roots", { roots });
    $("root-list").replaceChildren(...r.roots.map(rootRow));
    $("roots-status").className = ""; $("roots-status").textContent = "Saved " + r.roots.length + " root(s); the server was sent notifications/roots/list_changed.";
  } catch (e) { $("roots-status").className = "error"; $("roots-status").textContent = e.message; }
});

async function refreshAll() { await Promise.all(["tools", "resources", "templates", "prompts"].map(refresh)); }
async function refresh(kind) {
  const list = $("list-" + kind);
  list.replaceChildren();
  try {
    const r = await sessionApi("GET", "/" + kind);
    if (r.rpcError) { list.append(el("li", { class: "error", text: r.rpcError.message })); return; }
    if (r.result.length === 0) list.append(el("li", { text: "(none)" }));
    for (const item of r.result) {
      const icon = (item.icons || [])[0];
      list.append(el("li", {}, el("button", { type: "button", "data-name": item.name || item.uri || item.uriTemplate, onclick: () => select(kind, item) },
        icon ? el("img", { src: icon.src, alt: "" }) : null, item.title || item.name || item.uri || item.uriTemplate)));
    }
  } catch (e) { list.append(el("li", { class: "error", text: e.message })); }
}

function annotationHints(a) {
  if (!a) return null;
  const span = el("p");
  const names = { readOnlyHint: "read-only", destructiveHint: "destructive", idempotentHint: "idempotent", openWorldHint: "open world" };
  for (const [k, label] of Object.entries(names)) if (k in a) span.append(el("span", { class: "hint", text: label + ": " + a[k] }));
  if (a.title) span.append(el("span", { class: "hint", text: "title: " + a.title }));
  return span;
}

function select(kind, item) {
  const d = $("detail-" + kind);
  d.replaceChildren(el("h2", { text: item.title || item.name || item.uri || item.uriTemplate }));
  if (item.description) d.append(el("p", { text: item.description }));
  const out = el("div");
  if (kind === "tools") {
    d.append(annotationHints(item.annotations));
    const form = schemaForm(item.inputSchema || { type: "object" }, async (args) => {
      show(out, (signal) => sessionApi("POST", "/call", { name: item.name, arguments: args }, signal), renderToolResult);
    });
    d.append(form);
    if (item.outputSchema) d.append(el("details", {}, el("summary", { text: "Output schema" }), el("pre", { text: pretty(item.outputSchema) })));
  } else if (kind === "resources") {
    d.append(el("p", { text: item.uri + (item.mimeType ? " · " + item.mimeType : "") }));
    d.append(el("button", { type: "button", onclick: () => show(out, () => sessionApi("POST", "/read", { uri: item.uri }), renderRead) }, "Read"), ...subscribeButtons(out, () => item.uri));
  } else if (kind === "templates") {
    d.append(el("p", { text: item.uriTemplate }));
    const input = el("input", { size: 50, value: item.uriTemplate, "aria-label": "URI" });
    d.append(input, el("button", { type: "button", onclick: () => show(out, () => sessionApi("POST", "/read", { uri: input.value }), renderRead) }, "Read"), ...subscribeButtons(out, () => input.value));
  } else if (kind === "prompts") {
    const schema = { type: "object", properties: {}, required: [] };
    for (const a of item.arguments || []) { schema.properties[a.name] = { type: "string", description: a.description }; if (a.required) schema.required.push(a.name); }
    d.append(schemaForm(schema, (args) => show(out, () => sessionApi("POST", "/prompt", { name: item.name, arguments: args }), renderPrompt)));
  }
  d.append(out);
}

// resources/subscribe and unsubscribe; updates then show in the notifications column.
function subscribeButtons(out, uri) {
  const done = (what) => (o) => o.append(el("p", { text: what + " " + uri() + (what === "Subscribed to" ? ": updates appear under Notifications." : ".") }));
  return [
    el("button", { type: "button", onclick: () => show(out, () => sessionApi("POST", "/subscribe", { uri: uri() }), done("Subscribed to")) }, "Subscribe"),
    el("button", { type: "button", onclick: () => show(out, () => sessionApi("POST", "/unsubscribe", { uri: uri() }), done("Unsubscribed from")) }, "Unsubscribe"),
  ];
}

async function show(out, request, render) {
  // Cancel aborts the fetch; the inspector then drops the request and rmcp sends the server
  // `notifications/cancelled` for it (see the Traffic tab).
  const abort = new AbortController();
  out.replaceChildren(el("p", {}, "Waiting for the server… ", el("button", { type: "button", onclick: () => abort.abort() }, "Cancel")));
  // While a request is in flight the server may ask the user something (elicitation).
  inFlight++; pollQuestions();
  let r;
  try { r = await request(abort.signal); }
  catch (e) { out.replaceChildren(el("p", { class: "error", text: e.name === "AbortError" ? "Cancelled: the server was sent notifications/cancelled." : e.message })); return; }
  finally { inFlight--; }
  try {
    out.replaceChildren();
    if (r.rpcError && r.rpcError.code === -32042) out.append(urlRequired(r.rpcError));
    else if (r.rpcError) out.append(el("div", { class: "result is-error" }, el("p", { class: "error", text: "JSON-RPC error " + r.rpcError.code + ": " + r.rpcError.message }), r.rpcError.data ? el("pre", { text: pretty(r.rpcError.data) }) : null));
    else render(out, r.result);
  } catch (e) { out.replaceChildren(el("p", { class: "error", text: "cannot show the result: " + e.message })); }
}

// ---- elicitation: the server's questions, answered here ------------------------------
let inFlight = 0;
let polling = false, pollTimer = null;  // one poller at a time, however many calls are in flight
const shown = new Map();   // question id -> its element
async function pollQuestions() {
  if (!session || polling) return;
  polling = true;
  try { await pollOnce(); } finally { polling = false; }
  if ((inFlight > 0 || shown.size > 0) && !pollTimer) pollTimer = setTimeout(() => { pollTimer = null; pollQuestions(); }, 300);
}
async function pollOnce() {
  let qs = [], samples = [];
  try {
    qs = (await sessionApi("GET", "/elicitations")).questions;
    samples = (await sessionApi("GET", "/sampling")).requests;
  } catch (_) { /* session gone */ }
  const ids = new Set(qs.map((q) => q.id).concat(samples.map((r) => r.id)));
  for (const [id, node] of shown) if (!ids.has(id) && !node.dataset.keep) { node.remove(); shown.delete(id); }
  for (const q of qs) if (!shown.has(q.id)) {
    if (q.mode === "url") { showUrlQuestion(q); continue; }
    const box = el("div", { class: "question" }, el("p", { text: q.message }));
    const answer = async (action, content) => {
      try { await sessionApi("POST", "/elicitations/" + q.id, content === undefined ? { action } : { action, content }); box.remove(); shown.delete(q.id); }
      catch (e) { box.append(el("p", { class: "error", text: e.message })); }
    };
    const form = schemaForm(q.requestedSchema || { type: "object" }, (content) => answer("accept", content), "Accept");
    box.append(form,
      el("button", { type: "button", onclick: () => answer("decline") }, "Decline"),
      el("button", { type: "button", onclick: () => answer("cancel") }, "Cancel"));
    shown.set(q.id, box);
    $("question-list").append(box);
    form.querySelector("input, select, textarea, button")?.focus();
  }
  for (const r of samples) if (!shown.has(r.id)) showSampling(r);
  $("questions").hidden = shown.size === 0;
}

// URL-mode elicitation: the server wants the person on one of its pages. The URL and its host
// are shown in full; nothing is opened unless the person clicks Open (which answers accept and
// opens it in a new tab). Decline and Cancel answer without opening anything. After accept the
// box waits for notifications/elicitation/complete (see notify()).
const urlWaiting = new Map();   // elicitationId -> the status line of its box
function showUrlQuestion(q) {
  const box = el("div", { class: "question url-question" },
    el("p", { text: q.message }),
    el("p", {}, "The server asks you to open a page on ", el("strong", { class: "url-host", text: q.host }), ":"),
    el("pre", { class: "url", text: q.url }));
  const line = el("p", { class: "url-status" });
  const answer = async (action) => {
    try { await sessionApi("POST", "/elicitations/" + q.id, { action }); }
    catch (e) { box.append(el("p", { class: "error", text: e.message })); return false; }
    for (const b of box.querySelectorAll("button, a.open")) b.remove();
    if (action === "accept") { line.textContent = "Opened. Waiting for the server to say the page is done…"; urlWaiting.set(q.elicitationId, line); box.dataset.keep = "1"; }
    else { box.remove(); shown.delete(q.id); $("questions").hidden = shown.size === 0; }
    return true;
  };
  const open = el("a", { class: "open button", href: q.url, target: "_blank", rel: "noopener noreferrer" }, "Open " + q.host);
  // The click itself is the consent; the answer goes first so the server expects the visitor.
  open.addEventListener("click", () => { answer("accept"); });
  box.append(open,
    el("button", { type: "button", onclick: () => answer("decline") }, "Decline"),
    el("button", { type: "button", onclick: () => answer("cancel") }, "Cancel"), line);
  shown.set(q.id, box);
  $("question-list").append(box);
  open.focus();
}
function urlElicitationComplete(id) {
  const line = urlWaiting.get(id);
  if (!line) return;
  urlWaiting.delete(id);
  line.textContent = "Completed: the server says the page is done.";
  line.className = "url-status done";
  const box = line.parentElement;
  setTimeout(() => { for (const [k, n] of shown) if (n === box) shown.delete(k); box.remove(); $("questions").hidden = shown.size === 0; }, 4000);
}

// Sampling: the person at the page plays the model. The request is shown as the server sent
// it; the answer is editable; Approve sends it, Reject refuses (error -1, as the spec says).
function showSampling(r) {
  const p = r.params || {};
  const box = el("div", { class: "question" }, el("p", { text: "The server asks your model to answer (sampling). You are the model:" }));
  if (p.systemPrompt) box.append(el("p", { text: "System prompt: " + p.systemPrompt }));
  for (const m of p.messages || []) {
    const c = Array.isArray(m.content) ? m.content[0] : m.content;
    box.append(el("pre", { text: m.role + ": " + (c && c.type === "text" ? c.text : JSON.stringify(c)) }));
  }
  box.append(el("p", { text: "maxTokens: " + p.maxTokens + (p.modelPreferences ? " · preferences: " + JSON.stringify(p.modelPreferences) : "") }));
  // The offline planner's draft fills the answer box: edit it, or replace it, then approve.
  const draft = r.draft || { text: "", stopReason: "endTurn", model: "inspector-user" };
  const answerId = "sample" + (++fieldCount);
  const text = el("textarea", { id: answerId, rows: 3, cols: 60, class: "sampling-answer" });
  text.value = draft.text;
  const model = el("input", { value: draft.model, size: 20, "aria-label": "Model name to report" });
  box.append(el("p", { class: "draft-note", text: "Drafted by the offline planner (stop reason: " + draft.stopReason + "). Edit it before approving." }));
  const stopReason = () => text.value === draft.text ? draft.stopReason : "endTurn";
  const decide = async (body) => {
    try { await sessionApi("POST", "/sampling/" + r.id, body); box.remove(); shown.delete(r.id); $("questions").hidden = shown.size === 0; }
    catch (e) { box.append(el("p", { class: "error", text: e.message })); }
  };
  box.append(el("label", { for: answerId, text: "Your answer" }), text, el("div", {}, "Model: ", model),
    el("button", { type: "button", onclick: () => decide({ action: "approve", text: text.value, model: model.value, stopReason: stopReason() }) }, "Approve"),
    el("button", { type: "button", onclick: () => decide({ action: "reject" }) }, "Reject"));
  shown.set(r.id, box);
  $("question-list").append(box);
  text.focus();
}

// -32042 "URL elicitation required": the request needs the person on the server's pages first.
// Each page is listed with its host and an Open link (never opened by itself); then retry.
function urlRequired(error) {
  const box = el("div", { class: "result is-error" }, el("p", { class: "error", text: "JSON-RPC error -32042: " + error.message }));
  for (const e of (error.data && error.data.elicitations) || []) {
    let host = "";
    try { const u = new URL(e.url); if (u.protocol !== "http:" && u.protocol !== "https:") continue; host = u.host; } catch (_) { continue; }
    box.append(el("p", { text: e.message || "" }), el("pre", { class: "url", text: e.url }),
      el("a", { class: "open button", href: e.url, target: "_blank", rel: "noopener noreferrer" }, "Open " + host));
  }
  box.append(el("p", { text: "When the page is done, run the request again." }));
  return box;
}

// ---- results -------------------------------------------------------------------------
function renderContent(block) {
  switch (block.type) {
    case "text": return el("pre", { text: block.text });
    case "image": return el("img", { src: "data:" + block.mimeType + ";base64," + block.data, alt: "image result (" + block.mimeType + ")" });
    case "audio": return el("audio", { controls: true, src: "data:" + block.mimeType + ";base64," + block.data });
    case "resource_link": return el("p", {}, "Resource link: ", el("a", { href: "#", onclick: (e) => { e.preventDefault(); const o = el("div"); e.target.after(o); show(o, () => sessionApi("POST", "/read", { uri: block.uri }), renderRead); } }, block.uri));
    case "resource": return renderResourceContents(block.resource);
    default: return el("pre", { text: pretty(block) });
  }
}
function renderResourceContents(c) {
  const box = el("div", {}, el("p", { text: c.uri + (c.mimeType ? " · " + c.mimeType : "") }));
  if (c.text !== undefined) box.append(el("pre", { text: c.text }));
  else if (c.blob !== undefined && (c.mimeType || "").startsWith("image/")) box.append(el("img", { src: "data:" + c.mimeType + ";base64," + c.blob, alt: c.uri }));
  else if (c.blob !== undefined && (c.mimeType || "").startsWith("audio/")) box.append(el("audio", { controls: true, src: "data:" + c.mimeType + ";base64," + c.blob }));
  else if (c.blob !== undefined) box.append(el("p", { text: "(" + c.blob.length + " base64 characters of binary)" }));
  return box;
}
function renderToolResult(out, result) {
  const box = el("div", { class: "result" + (result.isError ? " is-error" : "") });
  for (const block of result.content || []) box.append(renderContent(block));
  if (result.structuredContent !== undefined) box.append(el("h3", { text: "Structured content" }), el("pre", { text: pretty(result.structuredContent) }));
  out.append(box);
}
function renderRead(out, result) { const box = el("div", { class: "result" }); for (const c of result.contents || []) box.append(renderResourceContents(c)); out.append(box); }
function renderPrompt(out, result) {
  const box = el("div", { class: "result" });
  if (result.description) box.append(el("p", { text: result.description }));
  for (const m of result.messages || []) box.append(el("h3", { text: m.role }), renderContent(m.content));
  out.append(box);
}

// ---- forms from JSON Schema ------------------------------------------------------------
// Each field returns { node, read() }; read() gives the value, or undefined to leave it out.
let fieldCount = 0;
function resolveType(s) {
  let t = s.type;
  if (Array.isArray(t)) t = t.find((x) => x !== "null") || "string";   // Option<T> is ["T","null"]
  if (!t && s.enum) t = "string";
  if (!t && (s.oneOf || s.anyOf)) { const alt = (s.oneOf || s.anyOf).find((x) => x.type !== "null"); return alt ? resolveType(Object.assign({}, alt, { description: s.description })) : "json"; }
  return t || (s.properties ? "object" : "json");
}
function field(name, s, required, root) {
  if (s.$ref && root.$defs) s = root.$defs[s.$ref.split("/").pop()] || s;
  const id = "f" + (++fieldCount);
  const type = resolveType(s);
  const label = el("label", { for: id, text: name + (required ? " *" : "") });
  const help = s.description ? el("small", { text: s.description }) : null;
  const wrap = (input, read) => ({ node: el("div", { class: "field" }, label, help, input), read });
  const options = s.enum || (s.oneOf && s.oneOf.every((o) => "const" in o) ? s.oneOf.map((o) => o.const) : null);
  if (options) {
    const sel = el("select", { id, name }, required ? null : el("option", { value: "", text: "(none)" }), ...options.map((o) => el("option", { value: JSON.stringify(o), text: String(o), selected: s.default === o })));
    return wrap(sel, () => sel.value === "" ? undefined : JSON.parse(sel.value));
  }
  switch (type) {
    case "boolean": {
      const box = el("input", { id, name, type: "checkbox", checked: s.default === true });
      return wrap(box, () => box.checked);
    }
    case "integer": case "number": {
      const input = el("input", { id, name, type: "number", required, min: s.minimum ?? s.exclusiveMinimum, max: s.maximum ?? s.exclusiveMaximum, step: type === "integer" ? 1 : "any", value: s.default });
      return wrap(input, () => input.value === "" ? undefined : Number(input.value));
    }
    case "string": {
      const kinds = { date: "date", "date-time": "datetime-local", email: "email", uri: "url", time: "time" };
      const input = el("input", { id, name, type: kinds[s.format] || "text", required, minlength: s.minLength, maxlength: s.maxLength, pattern: s.pattern, value: s.default, size: 40 });
      return wrap(input, () => input.value === "" ? undefined : input.value);
    }
    case "object": {
      const fs = el("fieldset", { id }, el("legend", { text: name }));
      const reader = objectFields(s, root, fs);
      return { node: el("div", { class: "field" }, help, fs), read: () => { const v = reader(); return Object.keys(v).length || required ? v : undefined; } };
    }
    case "array": {
      const items = s.items || {};
      const list = el("div", { id });
      const rows = [];
      const add = () => { const f = field(name + "[" + rows.length + "]", items, true, root); rows.push(f); list.append(f.node); };
      const addButton = el("button", { type: "button", onclick: add }, "Add item");
      const removeButton = el("button", { type: "button", onclick: () => { const f = rows.pop(); if (f) f.node.remove(); } }, "Remove last");
      if (Array.isArray(s.default)) s.default.forEach(add);
      return wrap(el("div", {}, list, addButton, removeButton), () => rows.length || required ? rows.map((f) => f.read()).filter((v) => v !== undefined) : undefined);
    }
    default: {
      const area = el("textarea", { id, name, rows: 3, cols: 50, text: s.default !== undefined ? pretty(s.default) : "" });
      return wrap(area, () => area.value.trim() === "" ? undefined : JSON.parse(area.value));
    }
  }
}
function objectFields(schema, root, parent) {
  const required = new Set(schema.required || []);
  const fields = Object.entries(schema.properties || {}).map(([k, s]) => [k, field(k, s, required.has(k), root)]);
  for (const [, f] of fields) parent.append(f.node);
  return () => { const v = {}; for (const [k, f] of fields) { const x = f.read(); if (x !== undefined) v[k] = x; } return v; };
}
function schemaForm(schema, submit, submitLabel = "Run") {
  const form = el("form");
  const fields = el("div");
  const read = objectFields(schema, schema, fields);
  const raw = el("textarea", { rows: 8, cols: 60, "aria-label": "Arguments as JSON" });
  const useRaw = el("input", { type: "checkbox", id: "raw" + (++fieldCount) });
  useRaw.addEventListener("change", () => { if (useRaw.checked) raw.value = pretty(read()); raw.hidden = !useRaw.checked; fields.hidden = useRaw.checked; });
  raw.hidden = true;
  const error = el("p", { class: "error" });
  form.append(fields, el("label", {}, useRaw, " edit as raw JSON"), raw, el("div", {}, el("button", { type: "submit" }, submitLabel)), error,
    el("details", {}, el("summary", { text: "Input schema" }), el("pre", { text: pretty(schema) })));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault(); error.textContent = "";
    let args;
    try { args = useRaw.checked ? JSON.parse(raw.value || "{}") : read(); } catch (e) { error.textContent = "Not valid JSON: " + e.message; return; }
    submit(args);
  });
  return form;
}

// ---- traffic and notifications -------------------------------------------------------------
const trafficRows = [];
function addTraffic(entry) {
  if (entry.seq <= lastSeq) return;
  lastSeq = entry.seq;
  const tr = el("tr", { class: entry.direction },
    el("td", { text: entry.seq }), el("td", { text: entry.at_ms.toFixed(1) }), el("td", { text: entry.direction === "out" ? "→ out" : "← in" }),
    el("td", { text: entry.kind }), el("td", { text: entry.method || "" }), el("td", { text: entry.latency_ms !== undefined ? entry.latency_ms.toFixed(1) + " ms" : "" }),
    el("td", {}, el("pre", { text: JSON.stringify(entry.message) })));
  tr.dataset.text = JSON.stringify(entry.message).toLowerCase();
  trafficRows.push(tr);
  $("traffic").tBodies[0].append(tr);
  filterRow(tr);
  if (entry.direction === "in" && entry.kind === "notification") notify(entry.message);
}
function filterRow(tr) {
  const q = $("traffic-filter").value.toLowerCase();
  const dirOk = (tr.className === "out" && $("traffic-out").checked) || (tr.className === "in" && $("traffic-in").checked);
  tr.hidden = !dirOk || (q && !tr.dataset.text.includes(q));
}
for (const id of ["traffic-filter", "traffic-out", "traffic-in"]) $(id).addEventListener("input", () => trafficRows.forEach(filterRow));
async function loadTraffic() {
  if (!session) return;
  try { const r = await sessionApi("GET", "/traffic?since=" + lastSeq); r.entries.forEach(addTraffic); } catch (e) { status(e.message, true); }
}
function startEvents() {
  events = new EventSource(BASE + "/api/sessions/" + session + "/events");
  events.addEventListener("traffic", (ev) => addTraffic(JSON.parse(ev.data)));
  events.addEventListener("lagged", () => loadTraffic());
  loadTraffic();
}
const bars = {};
function notify(msg) {
  const p = msg.params || {};
  if (msg.method === "notifications/progress") {
    const key = JSON.stringify(p.progressToken);
    if (!bars[key]) { bars[key] = { bar: el("progress", { max: p.total || 100 }), label: el("small") }; $("progress").append(el("div", {}, bars[key].label, bars[key].bar)); }
    const b = bars[key];
    if (p.total) b.bar.max = p.total;
    b.bar.value = p.progress;
    b.label.textContent = (p.message || "progress") + " " + p.progress + (p.total ? "/" + p.total : "");
    return;
  }
  if (msg.method === "notifications/elicitation/complete") urlElicitationComplete(p.elicitationId);
  let text = msg.method.replace("notifications/", "");
  if (msg.method === "notifications/message") text = "[" + p.level + "] " + (p.logger ? p.logger + ": " : "") + (typeof p.data === "string" ? p.data : JSON.stringify(p.data));
  if (msg.method === "notifications/resources/updated") text = "resource updated: " + p.uri;
  $("notifications").prepend(el("li", { text }));
  // A changed list is re-read at once, so what the page shows is what the server offers.
  const lists = { "notifications/tools/list_changed": "tools", "notifications/prompts/list_changed": "prompts", "notifications/resources/list_changed": "resources" };
  if (lists[msg.method]) refresh(lists[msg.method]);
}
window.addEventListener("pagehide", () => { if (session) navigator.sendBeacon && fetch(BASE + "/api/sessions/" + session, { method: "DELETE", keepalive: true }); });

// kzdocs preview: both languages of one record side by side, kept up to date by server-sent
// events. Everything shown comes from this server; values are set as text, never as markup.
"use strict";

const LANGS = ["kk", "ru"];
const $ = (id) => document.getElementById(id);
const state = {
  kinds: [], records: [], kind: "", record: "", view: "html", signed: false, asApplication: false,
  dirty: false, seq: 0, problems: [], errors: { kk: [], ru: [] }, resetScroll: true,
  signedCopies: false, goldenFolder: "", recordsFolder: null, typing: null,
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function notice(text, bad) {
  const box = $("notice");
  box.textContent = text;
  box.classList.toggle("bad", Boolean(bad));
  box.hidden = !text;
}

// -- where we are: kind, record, view (kept in the address, so a reload stays put) -----------

function readHash() {
  const saved = new URLSearchParams(location.hash.slice(1));
  state.kind = saved.get("kind") || "";
  state.record = saved.get("record") || "";
  state.view = saved.get("view") || "html";
  state.signed = saved.get("signed") === "1";
  state.asApplication = saved.get("as") === "application";
}

function writeHash() {
  const saved = { kind: state.kind, record: state.record, view: state.view, signed: state.signed ? "1" : "0" };
  if (state.asApplication) saved.as = "application";
  history.replaceState(null, "", "#" + new URLSearchParams(saved).toString());
}

async function loadState() {
  const found = await api("/api/state");
  Object.assign(state, {
    kinds: found.kinds, records: found.records, signedCopies: found.signed_copies,
    goldenFolder: found.golden_folder, recordsFolder: found.records_folder,
  });
  const kind = $("kind");
  if (!kind.options.length) kind.replaceChildren(...state.kinds.map((k) => new Option(k, k)));
  const current = state.records.find((r) => r.name === state.record);
  if (current && current.kind) state.kind = current.kind;
  if (!state.kinds.includes(state.kind)) state.kind = state.kinds[0];
  kind.value = state.kind;
  fillRecords();
}

function fillRecords() {
  const select = $("record");
  const shown = state.records.filter((r) => r.kind === state.kind || r.kind === null);
  select.replaceChildren(...shown.map((r) => new Option(recordLabel(r), r.name)));
  if (!shown.some((r) => r.name === state.record)) state.record = shown.length ? shown[0].name : "";
  select.value = state.record;
  updateButtons();
}

function recordLabel(record) {
  if (record.builtin) return "built-in sample";
  return record.kind === null ? `${record.name} (not a record of a known kind)` : record.name;
}

function currentRecord() {
  return state.records.find((r) => r.name === state.record) || { builtin: true };
}

async function loadRecordText() {
  if (!state.record) return;
  const found = await api("/api/record?name=" + encodeURIComponent(state.record));
  $("editor").value = found.text;
  state.dirty = false;
  updateButtons();
}

// -- the panes ---------------------------------------------------------------------------------

async function refresh() {
  if (!state.record) return;
  const seq = ++state.seq;
  const body = { name: state.record, view: state.view, signed: state.signed };
  if (state.asApplication) body.as = "application";
  if (state.dirty) body.text = $("editor").value;
  let data;
  try {
    data = await api("/api/render", body);
  } catch (error) {
    if (seq === state.seq) notice(`The preview cannot be rendered: ${error.message}`, true);
    return;
  }
  if (seq !== state.seq) return; // a newer request is under way
  for (const lang of LANGS) showPane(lang, data.panes[lang]);
  state.resetScroll = false;
  showRecordErrors(data.record_errors);
}

function showPane(lang, pane) {
  const root = $("pane-" + lang);
  showGolden(root.querySelector(".golden"), pane.golden);
  state.errors[lang] = pane.errors;
  showMessages(lang);
  const content = root.querySelector(".content");
  content.classList.toggle("stale", pane.stale);
  if (pane.html !== undefined) showHtml(content, pane.html, lang);
  else if (pane.pages !== undefined) showPages(content, pane.pages);
  else if (pane.diff !== undefined) showDiff(content, pane.diff);
  else { content.replaceChildren(); content.dataset.shows = ""; }
}

function showGolden(line, golden) {
  line.className = "golden " + (golden ? golden.status : "");
  line.textContent = golden ? golden.summary : "";
  line.title = golden && golden.file ? golden.file : "";
}

function showMessages(lang) {
  const box = $("pane-" + lang).querySelector(".messages");
  const problems = state.problems.filter(
    (p) => (p.kind === null || p.kind === state.kind) && (p.lang === null || p.lang === lang));
  box.replaceChildren(...state.errors[lang].map(messageElement), ...problems.map(problemElement));
}

function messageElement(message) {
  const node = el("div", "message");
  node.append(el("span", "title", message.title), " ", el("span", "text", message.message));
  if (message.file) {
    node.append(el("div", "where", message.file + (message.line ? `, line ${message.line}` : "")));
  } else if (message.path) {
    node.append(el("div", "where", message.path));
  }
  if (message.quote !== undefined) node.append(el("pre", "", message.quote));
  return node;
}

function problemElement(problem) {
  const field = problem.field === null ? "" : ` field ${problem.field}`;
  const where = problem.template ? ` (${problem.template})` : "";
  return el("div", "message problem", `Template check${field}: ${problem.message}${where}`);
}

function showHtml(content, html, lang) {
  const old = content.dataset.shows === "html" ? content.querySelector("iframe.current") : null;
  if (old && old.kzHtml === html) return;
  if (!old) { content.replaceChildren(); content.dataset.shows = "html"; }
  // A second frame loads behind the first and takes its place scrolled where the first was:
  // no flash of an empty pane, no jump back to the top.
  const frame = el("iframe");
  frame.setAttribute("sandbox", "allow-same-origin");
  frame.title = `Document (${lang})`;
  frame.kzHtml = html;
  frame.style.visibility = "hidden";
  frame.style.position = "absolute";
  content.kzPending = frame;
  frame.addEventListener("load", () => {
    if (content.kzPending !== frame) { frame.remove(); return; } // a newer one is on its way
    if (old && !state.resetScroll && old.contentWindow) {
      frame.contentWindow.scrollTo(old.contentWindow.scrollX, old.contentWindow.scrollY);
    }
    for (const other of content.querySelectorAll("iframe")) if (other !== frame) other.remove();
    frame.style.visibility = "";
    frame.style.position = "";
    frame.classList.add("current");
  }, { once: true });
  frame.srcdoc = html.replace(/<head>/i, '<head><link rel="stylesheet" href="/fonts.css">');
  content.append(frame);
}

function scrollBox(content, kind) {
  if (content.dataset.shows === kind) return content.firstChild;
  const box = el("div", `scroll ${kind}`);
  content.replaceChildren(box);
  content.dataset.shows = kind;
  return box;
}

function showPages(content, pages) {
  const box = scrollBox(content, "pages");
  const top = state.resetScroll ? 0 : box.scrollTop;
  box.replaceChildren(...pages.map((page, index) => {
    const image = new Image(page.width, page.height);
    image.src = page.src;
    image.alt = page.text; // the page's printed words, for screen readers
    image.title = `page ${index + 1} of ${pages.length}`;
    return image;
  }));
  box.scrollTop = top;
}

function showDiff(content, ops) {
  const box = scrollBox(content, "diff");
  const top = state.resetScroll ? 0 : box.scrollTop;
  const parts = [];
  for (const [op, text] of ops) {
    if (text === "\n") { if (op !== "del") parts.push(el("br")); continue; }
    parts.push(op === "same" ? document.createTextNode(text) : el(op, "", text), " ");
  }
  box.replaceChildren(...parts);
  box.scrollTop = top;
}

async function loadProblems() {
  state.problems = (await api("/api/problems")).problems;
  for (const lang of LANGS) showMessages(lang);
}

// -- the record editor -----------------------------------------------------------------------

function showRecordErrors(errors) {
  $("editor").classList.toggle("invalid", errors.length > 0);
  $("record-errors").replaceChildren(...errors.map((error) => {
    const field = error.field === null ? "" : `field ${error.field} `;
    const labels = error.label_kk ? `(${error.label_kk} / ${error.label_ru}) ` : "";
    const item = el("li", "", `${field}${labels}${error.path || "record"}: ${error.message}`);
    item.addEventListener("click", () => selectKey(error.path));
    return item;
  }));
}

function selectKey(path) {
  // Put the cursor on the broken key: the last name of its path, as the JSON text spells it.
  const key = (path || "").split(/[.[\]]/).filter((p) => p && !/^\d+$/.test(p)).pop();
  const editor = $("editor");
  const at = key ? editor.value.indexOf(`"${key}"`) : -1;
  editor.focus();
  if (at >= 0) editor.setSelectionRange(at, at + key.length + 2);
}

function edited() {
  state.dirty = true;
  updateButtons();
  clearTimeout(state.typing);
  state.typing = setTimeout(refresh, 250);
}

function updateButtons() {
  const record = currentRecord();
  $("save").disabled = !state.dirty || record.builtin || !state.recordsFolder;
  $("save-as").disabled = !state.recordsFolder;
  $("revert").disabled = !state.dirty;
  $("approve").disabled = record.builtin;
}

async function save(name, overwrite) {
  const text = $("editor").value;
  let saved;
  try {
    saved = await api("/api/save", { name, text, overwrite });
  } catch (error) {
    if (error.status === 409 && window.confirm(`${error.message}. Replace it?`)) return save(name, true);
    notice(`Not saved: ${error.message}`, true);
    return;
  }
  state.dirty = false;
  state.record = saved.name;
  const broken = saved.errors ? ` — the record still breaks ${saved.errors} rule(s): see the list under the editor` : "";
  notice(`Saved ${saved.file}${broken}`, saved.errors > 0);
  await loadState();
  await loadRecordText();
  writeHash();
  refresh();
}

// -- approving -------------------------------------------------------------------------------

function askApprove() {
  const record = currentRecord();
  if (state.dirty) { notice("Save the record first: approving uses the record file as saved.", true); return; }
  const which = state.signedCopies ? "every language and format, unsigned and signed" : "every language and format (unsigned)";
  $("confirm-text").textContent = `Approve the current rendering of «${record.name}»? This writes the golden ` +
    `files of this record only (${which}) in ${state.goldenFolder}/${record.name}/.`;
  $("confirm").showModal();
}

async function approved() {
  if ($("confirm").returnValue !== "ok") return;
  const name = state.record;
  try {
    const done = await api("/api/approve", { name });
    const files = done.written.length ? `wrote ${done.written.length} file(s): ${done.written.join(", ")}`
      : "nothing to write: its golden files already match";
    notice(`Approved «${name}»: ${files}`);
  } catch (error) {
    notice(`Not approved: ${error.message}`, true);
  }
  refresh();
}

// -- live updates ----------------------------------------------------------------------------

function listen() {
  const events = new EventSource("/api/events");
  const live = $("live");
  events.onopen = () => { live.textContent = "live"; live.classList.remove("down"); };
  events.onerror = () => { live.textContent = "server not reachable: retrying…"; live.classList.add("down"); };
  events.onmessage = async (event) => {
    const topics = JSON.parse(event.data).topics;
    const any = (...names) => topics.some((t) => t === "all" || names.includes(t));
    if (any("problems")) loadProblems();
    if (any("records")) {
      await loadState();
      if (!state.dirty) await loadRecordText();
    }
    if (any("templates", "config", "records", "golden")) refresh();
  };
}

function bind() {
  $("kind").addEventListener("change", () => {
    if (!discardEdits()) { $("kind").value = state.kind; return; }
    state.kind = $("kind").value;
    fillRecords();
    chosen();
  });
  $("record").addEventListener("change", () => {
    if (!discardEdits()) { $("record").value = state.record; return; }
    state.record = $("record").value;
    chosen();
  });
  for (const radio of document.querySelectorAll("input[name=view]")) {
    radio.checked = radio.value === state.view;
    radio.addEventListener("change", () => { state.view = radio.value; state.resetScroll = true; writeHash(); refresh(); });
  }
  $("signed").checked = state.signed;
  $("signed").addEventListener("change", () => { state.signed = $("signed").checked; writeHash(); refresh(); });
  $("as-application").checked = state.asApplication;
  $("as-application").addEventListener("change", () => { state.asApplication = $("as-application").checked; writeHash(); refresh(); });
  $("editor").addEventListener("input", edited);
  $("save").addEventListener("click", () => save(state.record, true));
  $("save-as").addEventListener("click", () => save($("save-name").value.trim(), false));
  $("revert").addEventListener("click", async () => { await loadRecordText(); refresh(); });
  $("approve").addEventListener("click", askApprove);
  $("confirm").addEventListener("close", approved);
}

function discardEdits() {
  return !state.dirty || window.confirm("Discard your changes to the record?");
}

async function chosen() {
  state.resetScroll = true;
  writeHash();
  await loadRecordText();
  refresh();
}

async function start() {
  readHash();
  bind();
  await loadState();
  writeHash();
  await loadRecordText();
  listen();
  refresh();
  loadProblems();
}

start();

// The dashboard's start: the token when the server wants one, the namespace selector, the tabs, the actions.

import * as api from "./api.js";
import * as clock from "./clock.js";
import { $, attempt, el, fail, hideDetails, say } from "./dom.js";
import * as faults from "./faults.js";
import * as interactions from "./interactions.js";
import * as journal from "./journal.js";
import * as webhooks from "./webhooks.js";

const MOVE = /^\/__admin\/interactions\/\{[^}]+\}\/\{[^}]+\}\/(route|handle|requeue|stop)$/;
const PANELS = { interactions, journal: { load: journal.open }, faults, clock, webhooks };
let current = "interactions";

async function start() {
  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    api.setToken($("token").value);
    enter();
  });
  await enter();
}

// Nothing of the admin API is shown until a call with the token (if any) has answered.
async function enter() {
  let listed, spec;
  try {
    if (api.tokenMissing()) throw new api.NeedsToken();
    [listed, spec] = await Promise.all([api.call("GET", "/namespaces", undefined, { global: true }), api.spec()]);
  } catch (error) {
    if (!(error instanceof api.NeedsToken)) return fail(error);
    $("login").hidden = false;
    $("panels").hidden = $("tabs").hidden = $("actions").hidden = true;
    if ($("token").value) fail(new Error("That token was refused (401)."));
    return $("token").focus();
  }
  $("login").hidden = true;
  fillNamespaces(listed.namespaces);
  await setUp(spec);
  $("panels").hidden = $("tabs").hidden = $("actions").hidden = false; // once their buttons work
  await show(current);
}

let ready = false;

async function setUp(spec) {
  if (ready) return;
  ready = true;
  const paths = spec.paths || {};
  const moves = Object.keys(paths).map((p) => MOVE.exec(p)).filter((m) => m && paths[m[0]].post).map((m) => m[1]);
  const operations = Object.values(paths).flatMap((item) => Object.values(item))
    .filter((op) => (op.tags || []).includes("vendor")).map((op) => op.operationId);
  $("tabs").querySelector('[data-panel="webhooks"]').hidden = !paths["/__admin/webhooks"];
  interactions.init();
  interactions.enableMoves(["route", "handle", "requeue", "stop"].filter((m) => moves.includes(m)));
  journal.init([...new Set(operations)]);
  faults.init();
  clock.init();
  if (paths["/__admin/webhooks"]) webhooks.init();
  wire();
}

function wire() {
  for (const tab of $("tabs").querySelectorAll("button")) {
    tab.addEventListener("click", () => show(tab.dataset.panel));
  }
  $("namespace").addEventListener("change", () => {
    api.useNamespace($("namespace").value);
    hideDetails(); // it showed the other namespace's
    show(current);
  });
  $("namespace").addEventListener("focus", () => refreshNamespaces().catch(fail));
  $("details-close").addEventListener("click", hideDetails);
  $("details-curl").addEventListener("click", () => copy($("details-curl-text").textContent));
  $("reset").addEventListener("click", () => act(async () => {
    if (!confirm(`Reset the namespace '${api.currentNamespace()}' to its fixtures?`)) return;
    await api.call("POST", "/reset");
    say(`namespace '${api.currentNamespace()}' reset`);
  }));
  $("download-state").addEventListener("click", () => act(async () => {
    api.download(`mocknexus-state-${api.currentNamespace()}.json`, await api.call("GET", "/state", undefined,
      { raw: true }));
  }));
  $("download-journal").addEventListener("click", () => act(async () => {
    api.download(`mocknexus-journal-${api.currentNamespace()}.json`, await api.call("GET", "/requests",
      undefined, { raw: true }));
  }));
}

function act(work) {
  return attempt(work, () => show(current));
}

async function show(name) {
  current = name;
  for (const tab of $("tabs").querySelectorAll("button")) tab.classList.toggle("on", tab.dataset.panel === name);
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== name;
  if (name !== "journal") journal.close();
  try {
    await PANELS[name].load();
  } catch (error) {
    if (error instanceof api.NeedsToken) return enter();
    fail(error);
  }
}

function fillNamespaces(namespaces) {
  const names = namespaces.map((n) => n.name);
  if (!names.includes(api.currentNamespace())) names.push(api.currentNamespace());
  $("namespace").replaceChildren(...names.map((name) => el("option", { value: name }, name)));
  $("namespace").value = api.currentNamespace();
}

async function refreshNamespaces() {
  fillNamespaces((await api.call("GET", "/namespaces", undefined, { global: true })).namespaces);
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    say("copied the curl command");
  } catch {
    say("the browser refused the clipboard: select the command above and copy it");
  }
}

start().catch(fail);

// Panel 2: the journal, newest first, followed live with ?since= (one short request a second, only while shown).

import { call } from "./api.js";
import { curl } from "./curl.js";
import { $, el, fail, PagedTable, showDetails } from "./dom.js";

const KEEP = 1000; // the newest this many matching records are held; "Download journal" gives them all
const POLL_MS = 1000;
let held = []; // newest first
let table;
let shown = false;
let timer = null;
let generation = 0; // bumped by every reload: a poll that started before one is thrown away

export function init(operations) {
  $("journal-operation").append(...operations.map((name) => el("option", {}, name)));
  table = new PagedTable($("journal-table"), [
    { title: "time", value: (r) => r.time, width: "time" },
    { title: "method", value: (r) => r.method, width: "narrow" },
    { title: "path", value: (r) => r.path },
    { title: "status", value: (r) => r.status ?? "none", width: "narrow",
      class: (r) => `status-${String(r.status)[0]}` },
    { title: "operation", value: (r) => r.operation ?? "(none)", width: "wide" },
    { title: "fault", value: (r) => r.fault ?? "", width: "narrow" },
  ], { pageSize: 50, name: "journal", labels: ["‹ newer", "older ›"],
       onOpen: (r) => showDetails(`request ${r.id}`, r, curl(r)) });
  $("journal-operation").addEventListener("change", () => reload().catch(fail));
  $("journal-status").addEventListener("change", () => reload().catch(fail));
  $("journal-live").addEventListener("change", schedule);
  document.addEventListener("visibilitychange", schedule);
}

export async function open() {
  shown = true;
  await reload();
  schedule();
}

export function close() {
  shown = false;
  schedule();
}

function query(extra) {
  const params = new URLSearchParams(extra);
  const operation = $("journal-operation").value;
  const status = $("journal-status").value.trim();
  if (operation) params.set("operation", operation);
  if (status) params.set("status", status);
  return `/requests?${params}`;
}

export async function reload() {
  const mine = ++generation;
  const got = (await call("GET", query({ limit: KEEP }))).requests;
  if (mine !== generation) return;
  held = got.reverse();
  render();
}

// Asks for the newest held record again with what came after it: when it is not there, the journal was
// emptied or reset (ids start again), and the page reloads instead of mixing two journals.
async function poll() {
  if (!held.length) return reload();
  const mine = generation;
  const anchor = held[0];
  const got = (await call("GET", query({ since: Math.max(anchor.id - 1, 0), limit: KEEP + 1 }))).requests;
  if (mine !== generation) return;
  if (!got.length || !same(got[0], anchor)) return reload();
  if (got.length > 1) {
    held = got.slice(1).reverse().concat(held).slice(0, KEEP);
    render();
  }
}

function same(a, b) {
  return a.id === b.id && a.time === b.time && a.path === b.path && a.durationMs === b.durationMs;
}

function render() {
  table.setRows(held);
  const cap = held.length === KEEP ? ` (the newest ${KEEP}; "Download journal" has every one)` : "";
  $("journal-count").textContent = `${held.length} requests${cap}`;
}

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (shown && $("journal-live").checked && !document.hidden) timer = setTimeout(tick, POLL_MS);
}

async function tick() {
  timer = null;
  try {
    await poll();
  } catch (error) {
    fail(error);
  }
  if (timer === null) schedule(); // unless something rescheduled meanwhile
}

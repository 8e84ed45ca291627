// Panel 1: interactions, a paged table per service, with search, a state filter and the §5 moves.

import { call } from "./api.js";
import { $, el, fail, PagedTable, say, showDetails } from "./dom.js";

// move → the states it may start from (contract §5); a button shows only where the move applies.
const FROM = { route: ["queued"], handle: ["queued", "routing"], requeue: ["routing", "handling"],
               stop: ["queued", "routing", "handling"] };
let moves = []; // the moves this server has (openapi.json says)
let entries = []; // {item, text}: the interaction and its lower-case search text
let tables = new Map(); // service → PagedTable

export function enableMoves(names) {
  moves = names;
  $("move-tools").hidden = names.length === 0;
}

export function init() {
  $("search").addEventListener("input", () => render(true));
  $("state-filter").addEventListener("change", () => render(true));
  document.querySelector("#interactions .refresh").addEventListener("click", () => load().catch(fail));
}

export async function load() {
  const data = await call("GET", "/interactions");
  entries = data.interactions.map((item) => ({ item, text: searchText(item) }));
  build();
  render(false);
}

function searchText(item) {
  return `${item.id}\n${item.externalId ?? ""}\n${JSON.stringify(item.userData ?? {})}`.toLowerCase();
}

function build() {
  const services = [...new Set(entries.map((e) => e.item.openMediaService))];
  const kept = new Map();
  const sections = services.map((service) => {
    const holder = el("div");
    const section = el("section", { class: "service", "data-service": service },
      el("h2", {}, service, " ", el("span", { class: "count" })), holder);
    const old = tables.get(service);
    const table = new PagedTable(holder, columns(), {
      pageSize: 20, name: `interactions-${service}`,
      onOpen: (entry) => showDetails(`interaction ${entry.item.id}`, entry.item) });
    if (old) table.page = old.page;
    kept.set(service, table);
    return section;
  });
  tables = kept;
  $("services").replaceChildren(...sections);
}

function render(toFirstPage) {
  const needle = $("search").value.trim().toLowerCase();
  const state = $("state-filter").value;
  const shown = new Map([...tables.keys()].map((service) => [service, []]));
  let count = 0;
  for (const entry of entries) {
    if ((state && entry.item.state !== state) || (needle && !entry.text.includes(needle))) continue;
    shown.get(entry.item.openMediaService).push(entry);
    count += 1;
  }
  for (const [service, table] of tables) {
    if (toFirstPage) table.page = 0;
    table.setRows(shown.get(service));
    const total = entries.filter((e) => e.item.openMediaService === service).length;
    document.querySelector(`section[data-service="${CSS.escape(service)}"] .count`).textContent =
      `${shown.get(service).length} of ${total}`;
  }
  $("interactions-count").textContent = `${count} of ${entries.length} interactions`;
}

function columns() {
  return [
    { title: "id", value: (e) => e.item.id },
    { title: "externalId", value: (e) => e.item.externalId ?? "" },
    { title: "state", value: (e) => e.item.state, width: "state" },
    { title: "submittedAt", value: (e) => e.item.submittedAt, width: "time" },
    { title: "userData", value: (e) => JSON.stringify(e.item.userData ?? {}) },
    ...(moves.length ? [{ title: "moves", cell: buttons, width: "moves", class: "buttons" }] : []),
  ];
}

function buttons(entry) {
  const cell = el("span");
  for (const move of moves) {
    if (FROM[move].includes(entry.item.state)) {
      cell.append(el("button", { "data-move": move, onclick: () => doMove(entry, move) }, move));
    }
  }
  return cell;
}

async function doMove(entry, move) {
  const { id, openMediaService: service } = entry.item;
  const agent = $("agent").value.trim();
  const body = move === "handle" && agent ? { agent } : move === "stop" ? { by: "agent" } : undefined;
  try {
    const answer = await call("POST", `/interactions/${encodeURIComponent(service)}/${encodeURIComponent(id)}/${move}`,
      body);
    entry.item = answer;
    entry.text = searchText(answer);
    render(false);
    say(`${move}: ${id} is ${answer.state}`);
  } catch (error) {
    fail(error);
  }
}

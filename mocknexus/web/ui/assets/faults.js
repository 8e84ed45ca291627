// Panel 3: fault rules with their counts; add one (JSON), remove one, remove all.

import { call } from "./api.js";
import { $, attempt, el, PagedTable, say, showDetails } from "./dom.js";

let table;

export function init() {
  table = new PagedTable($("faults-table"), [
    { title: "id", value: (r) => r.id, width: "narrow" },
    { title: "match", value: (r) => JSON.stringify(r.match ?? {}) },
    { title: "action", value: (r) => JSON.stringify(r.action ?? {}) },
    { title: "times", value: (r) => r.times ?? "∞", width: "narrow" },
    { title: "matched", value: (r) => r.matched ?? "", width: "narrow" },
    { title: "fired", value: (r) => r.fired, width: "narrow" },
    { title: "", width: "narrow", class: "buttons", cell: (r) => el("button", { class: "danger", onclick: () => act(() => remove(r.id)) }, "Remove") },
  ], { pageSize: 50, name: "faults", onOpen: (r) => showDetails(`fault rule ${r.id}`, r) });
  document.querySelector("#faults .refresh").addEventListener("click", () => act(load));
  $("faults-clear").addEventListener("click", () => act(async () => {
    const { deleted } = await call("DELETE", "/faults");
    say(`removed ${deleted} fault rules`);
  }));
  $("fault-add").addEventListener("click", () => act(async () => {
    const rule = await call("POST", "/faults", $("fault-json").value);
    say(`added fault rule ${rule.id}`);
  }));
}

async function remove(id) {
  await call("DELETE", `/faults/${encodeURIComponent(id)}`);
  say(`removed fault rule ${id}`);
}

function act(change) {
  return attempt(change, load);
}

export async function load() {
  table.setRows((await call("GET", "/faults")).faults);
}

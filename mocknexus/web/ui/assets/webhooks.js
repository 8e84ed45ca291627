// Panel 4, continued: webhooks and their deliveries (shown when the server has the routes of §6).

import { call } from "./api.js";
import { $, attempt, el, PagedTable, say, showDetails } from "./dom.js";

let hooks;
let deliveries;

export function init() {
  hooks = new PagedTable($("webhooks-table"), [
    { title: "id", value: (w) => w.id },
    { title: "url", value: (w) => w.url },
    { title: "events", value: (w) => (w.events ?? []).join(", ") },
    { title: "services", value: (w) => (w.services?.length ? w.services.join(", ") : "every one") },
    { title: "", class: "buttons", cell: (w) => el("button", { class: "danger", onclick: () => act(() => remove(w.id)) }, "Remove") },
  ], { pageSize: 20, name: "webhooks", onOpen: (w) => showDetails(`webhook ${w.id}`, w) });
  deliveries = new PagedTable($("deliveries-table"), [
    { title: "id", value: (d) => d.id },
    { title: "webhook", value: (d) => d.webhook },
    { title: "event", value: (d) => d.event },
    { title: "interactionId", value: (d) => d.interactionId },
    { title: "state", value: (d) => d.state },
    { title: "attempts", value: (d) => (d.attempts ?? []).length, width: "narrow" },
  ], { pageSize: 50, name: "deliveries", labels: ["‹ newer", "older ›"],
       onOpen: (d) => showDetails(`delivery ${d.id}`, d) });
  document.querySelector("#webhooks .refresh").addEventListener("click", () => act(load));
  $("webhook-add").addEventListener("click", () => act(async () => {
    const hook = await call("POST", "/webhooks", $("webhook-json").value);
    say(`registered webhook ${hook.id}`);
  }));
}

async function remove(id) {
  await call("DELETE", `/webhooks/${encodeURIComponent(id)}`);
  say(`removed webhook ${id}`);
}

function act(change) {
  return attempt(change, load);
}

export async function load() {
  hooks.setRows((await call("GET", "/webhooks")).webhooks);
  deliveries.setRows((await call("GET", "/webhooks/deliveries?limit=1000")).deliveries.reverse());
}

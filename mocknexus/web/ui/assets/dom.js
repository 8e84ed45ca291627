// DOM helpers and the paged table: text only (never HTML from data), one page of rows at a time.

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "onclick") node.addEventListener("click", value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

const message = () => $("message");

export function say(text) {
  message().textContent = text;
  message().className = "";
}

export function fail(error) {
  message().textContent = error.message || String(error);
  message().className = "error";
}

// Runs a change and then `reload`; a failure goes to the message line instead of up.
export async function attempt(change, reload = async () => {}) {
  try {
    await change();
    await reload();
  } catch (error) {
    fail(error);
  }
}

export function json(value) { return JSON.stringify(value, null, 2); }

// columns: [{title, value(row) -> text, class? (text, or row -> text), width? (a class), cell?(row) -> Node}]
export class PagedTable {
  constructor(container, columns, { pageSize = 50, onOpen = null, name = "", labels = ["‹ previous", "next ›"] } = {}) {
    this.columns = columns;
    this.pageSize = pageSize;
    this.onOpen = onOpen;
    this.rows = [];
    this.page = 0;
    this.body = el("tbody");
    const head = el("tr", {}, ...columns.map((c) => el("th", { class: c.width || "" }, c.title)));
    this.info = el("span");
    this.prev = el("button", { onclick: () => this.go(this.page - 1) }, labels[0]);
    this.next = el("button", { onclick: () => this.go(this.page + 1) }, labels[1]);
    const table = el("table", { "data-table": name }, el("thead", {}, head), this.body);
    container.replaceChildren(table, el("div", { class: "pager" }, this.prev, this.info, this.next));
  }

  setRows(rows) {
    this.rows = rows;
    this.go(Math.min(this.page, this.pages() - 1));
  }

  pages() { return Math.max(1, Math.ceil(this.rows.length / this.pageSize)); }

  go(page) {
    this.page = Math.max(0, Math.min(page, this.pages() - 1));
    const start = this.page * this.pageSize;
    const shown = this.rows.slice(start, start + this.pageSize);
    this.body.replaceChildren(...shown.map((row) => this.row(row)));
    this.info.textContent = this.rows.length
      ? `${start + 1}–${start + shown.length} of ${this.rows.length}` : "none";
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= this.pages() - 1;
  }

  row(row) {
    const tr = el("tr");
    for (const column of this.columns) {
      const content = column.cell ? column.cell(row) : column.value(row);
      const kind = typeof column.class === "function" ? column.class(row) : column.class;
      const td = el("td", { class: kind || "" }, content);
      if (!column.cell) td.title = String(content ?? "");
      tr.append(td);
    }
    if (this.onOpen) {
      tr.addEventListener("click", (event) => {
        if (event.target.closest("button")) return;
        this.onOpen(row);
      });
    }
    return tr;
  }
}

// The side panel: a title, the JSON of a thing, and optionally a curl command.
export function showDetails(title, value, curl = null) {
  $("details-title").textContent = title;
  $("details-body").textContent = json(value);
  $("details-curl").hidden = curl === null;
  $("details-curl-text").hidden = curl === null;
  $("details-curl-text").textContent = curl ?? "";
  $("details").hidden = false;
  document.body.classList.add("with-details"); // the tables make room for it
}

export function hideDetails() {
  $("details").hidden = true;
  document.body.classList.remove("with-details");
}

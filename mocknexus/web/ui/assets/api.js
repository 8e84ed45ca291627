// The admin API as the page calls it: the namespace prefix, the admin token, errors as one line.

const page = document.body.dataset;
export const root = page.root; // the server root path ("" unless mounted elsewhere)
const TOKEN = "mocknexus.adminToken";
let namespace = page.namespace;
let token = sessionStorage.getItem(TOKEN) || "";

export class NeedsToken extends Error {}

export function currentNamespace() { return namespace; }

// True when the server wants a token and the page has none yet: ask before calling (and failing).
export function tokenMissing() { return page.token === "needed" && !token; }

export function nsRoot(name = namespace) {
  return name === "default" ? root : `${root}/__ns/${encodeURIComponent(name)}`;
}

export function useNamespace(name) {
  namespace = name;
  history.replaceState(null, "", `${nsRoot()}/__admin/ui`);
}

export function setToken(value) {
  token = value;
  sessionStorage.setItem(TOKEN, value);
}

// Large integers (userData takes 64-bit ones) stay exact: kept as raw JSON where the browser can.
function reviver(key, value, context) {
  if (typeof value === "number" && !Number.isSafeInteger(value) && context && /^-?\d+$/.test(context.source)
      && JSON.rawJSON) {
    return JSON.rawJSON(context.source);
  }
  return value;
}

export async function call(method, path, body, { global = false, raw = false } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(`${global ? root : nsRoot()}/__admin${path}`, init);
  const text = await response.text();
  if (response.status === 401) throw new NeedsToken();
  if (raw && response.ok) return text; // a download: as the server wrote it
  let data;
  try {
    data = /\d{16}/.test(text) ? JSON.parse(text, reviver) : JSON.parse(text); // the reviver costs, when needed
  } catch {
    throw new Error(`${method} ${path}: ${response.status}, not JSON`);
  }
  if (!response.ok) throw new Error(describe(method, path, response.status, data));
  return data;
}

function describe(method, path, status, data) {
  const info = (data && data.status) || {};
  let line = `${method} /__admin${path}: ${status} ${info.message || ""}`;
  if (info.details) line += ` ${JSON.stringify(info.details)}`;
  return line;
}

export async function spec() {
  const response = await fetch(`${root}/openapi.json`, { cache: "no-store" });
  return response.ok ? response.json() : { paths: {} };
}

export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

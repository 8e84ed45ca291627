// "Copy as curl": a bash command that sends a journal record's request again, the same method, path,
// headers and body, quoted so that nothing in the record can run as shell code.

import { nsRoot } from "./api.js";

const LEFT_OUT = new Set(["host", "content-length", "connection"]); // curl writes these from the command
const CURL_ADDS = ["User-Agent", "Accept"]; // sent by curl unless given: an empty -H "Name:" removes one

// One shell word: bare when plain, '...' when printable, $'...' with escapes otherwise. `bytes`: the text
// stands for latin-1 bytes (WSGI header values), so U+0080..U+00FF are written as those bytes.
export function quote(text, bytes = false) {
  if (/^[A-Za-z0-9_/:.,=@%+-]+$/.test(text)) return text;
  if (!/[\x00-\x1f\x7f]/.test(text) && !(bytes && /[\x80-\xff]/.test(text))) {
    return `'${text.replaceAll("'", "'\\''")}'`;
  }
  const special = bytes ? /[\\'\x00-\x1f\x7f-\xff]/g : /[\\'\x00-\x1f\x7f]/g;
  return `$'${text.replace(special, (c) => (c === "\\" || c === "'" ? `\\${c}`
    : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`))}'`;
}

// The journal's path is decoded, but for an externalId holding a "/" the server keeps that segment escaped
// ("%" as %25, "/" as %2F: routing.py), so such a segment is unescaped first.
function encodePath(path) {
  return path.split("/").map((segment) => encodeURIComponent(/^ext_.*%2F/i.test(segment)
    ? segment.replace(/%2F/gi, "/").replace(/%25/g, "%") : segment)).join("/");
}

function bodyText(body) {
  if (body === null || body === undefined) return null;
  return typeof body === "string" ? body : JSON.stringify(body);
}

export function curl(record) {
  const words = ["curl", "-sS", "--path-as-is", "-X", quote(record.method)];
  const given = new Set();
  for (const [name, value] of Object.entries(record.headers || {})) {
    given.add(name.toLowerCase());
    // (a word "@file" would make curl read that file: no header name starts with "@")
    if (!LEFT_OUT.has(name.toLowerCase()) && !name.startsWith("@")) words.push("-H", quote(`${name}: ${value}`, true));
  }
  const body = bodyText(record.body);
  for (const name of CURL_ADDS) if (!given.has(name.toLowerCase())) words.push("-H", quote(`${name}:`));
  if (body !== null) {
    if (!given.has("content-type")) words.push("-H", quote("Content-Type:"));
    words.push("--data-raw", quote(body)); // not --data-binary, which reads a file for "@name"
  }
  words.push(quote(`${location.origin}${nsRoot()}${encodePath(record.path)}`));
  const cut = record.body && typeof record.body === "object" && record.body.truncated === true && "head" in record.body;
  const note = cut ? "# the journal kept only the head of this body: this sends what it kept\n" : "";
  return note + words.join(" ");
}

// The admin API as the dashboard calls it: every call sends X-Statuskit-UI: 1 (the admin
// API takes the dashboard's cookie only with it, and leaves the dashboard's reads out of
// the journal); an answer's {"error": {"message"}} becomes an AdminError with that message,
// which the panels show to the person. URLs are relative to the page, so the dashboard works
// wherever /__admin/ is mounted.

import { h } from "./dom.js";

const ADMIN = new URL("../v1/", document.baseURI);
const UI = new URL("./", document.baseURI);

/** A refusal or failure of the admin API, with its one-line message. */
export class AdminError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "AdminError";
    this.status = status;
  }
}

function describe(status, statusText, parsed) {
  const message = parsed && parsed.error && parsed.error.message;
  return typeof message === "string" && message ? message : `${status} ${statusText}`.trim();
}

async function call(base, method, path, { query, json, text } = {}) {
  const url = new URL(path, base);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { "X-Statuskit-UI": "1", Accept: "application/json" };
  let body;
  if (json !== undefined || text !== undefined) {
    headers["Content-Type"] = "application/json";
    body = text !== undefined ? text : JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, cache: "no-store", credentials: "same-origin" });
  } catch {
    throw new AdminError(0, "cannot reach the server");
  }
  const raw = await response.text();
  let parsed = null;
  if (raw) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401) loggedOut();
    throw new AdminError(response.status, describe(response.status, response.statusText, parsed));
  }
  return parsed;
}

/** The admin API under /__admin/v1/. */
export const admin = {
  get: (path, query) => call(ADMIN, "GET", path, { query }),
  post: (path, json = {}) => call(ADMIN, "POST", path, { json }),
  postText: (path, text) => call(ADMIN, "POST", path, { text }),
  del: (path) => call(ADMIN, "DELETE", path),
};

/** The dashboard's own reads under /__admin/ui/ (a schema, the route names). */
export const ui = { get: (path) => call(UI, "GET", path) };

let warnedLoggedOut = false;

function loggedOut() {
  if (warnedLoggedOut) return;
  warnedLoggedOut = true;
  notify("The server refused the dashboard's session: reload the page to log in again.");
}

/** A message at the top of the page: errors stay until dismissed, others fade. */
export function notify(message, kind = "error") {
  const list = document.getElementById("notices");
  if (list === null) return;
  const item = h(
    "div",
    { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", { text: message }),
    h("button", { type: "button", class: "close", "aria-label": "Dismiss", text: "×", onclick: () => item.remove() }),
  );
  list.prepend(item);
  while (list.children.length > 4) list.lastElementChild.remove();
  if (kind !== "error") setTimeout(() => item.remove(), 5000);
}

/** Run an action of a form; its error is shown in the form's line and returned as null. */
export async function attempt(line, action, say) {
  try {
    return await action();
  } catch (error) {
    say(line, error instanceof Error ? error.message : String(error), true);
    return null;
  }
}

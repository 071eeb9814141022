// The request journal, live: new entries are read with the journal's real_since cursor
// (a few seconds back, de-duplicated by id) and put on top without a reload; filters by API,
// status and path hide rows in place; a click shows one entry's scrubbed request and
// response, its near-miss hint and its fault.

import { admin, attempt, notify } from "./api.js";
import { byId, clockTime, dateTime, h, pretty, say } from "./dom.js";
import { poll } from "./poll.js";

const FIRST_READ = 200; // entries shown on opening the page
const PER_READ = 500; // at most this many new entries per read
const KEEP = 2000; // rows kept on the page; the oldest go first
const OVERLAP = 5; // seconds read again, so an entry written late is not missed

/** A status filter ("2xx, 404, dropped") as a test of one status; null when empty. */
function statusFilter(text) {
  const tests = [];
  for (const token of text.split(/[\s,]+/).filter(Boolean)) {
    const lower = token.toLowerCase();
    if (/^[1-5]xx$/.test(lower)) {
      const hundred = Number(lower[0]);
      tests.push((status) => status !== null && Math.floor(status / 100) === hundred);
    } else if (/^[1-5]\d\d$/.test(lower)) {
      tests.push((status) => status === Number(lower));
    } else if (lower === "dropped") {
      tests.push((status) => status === null);
    } else {
      throw new Error(`'${token}' is not a status: write 2xx, 404 or dropped`);
    }
  }
  return tests.length ? (status) => tests.some((test) => test(status)) : null;
}

function statusClass(status) {
  return status === null ? "s-drop" : `s-${Math.floor(status / 100)}xx`;
}

function row(entry, open) {
  const target = entry.query ? `${entry.path}?${entry.query}` : entry.path;
  const flags = h(
    "td",
    { class: "flags" },
    entry.fault ? h("span", { class: "flag fault", title: `fault ${entry.fault}`, text: "fault" }) : null,
    entry.hint ? h("span", { class: "flag hint", title: entry.hint, text: "hint" }) : null,
  );
  const tr = h(
    "tr",
    { tabindex: "0", dataset: { id: entry.id }, onclick: () => open(entry, tr) },
    h("td", { class: "time", title: `real ${dateTime(entry.real)} UTC`, text: clockTime(entry.real, true) }),
    h("td", { class: "api", text: entry.api }),
    h("td", { class: "method", text: entry.method }),
    h("td", { class: "path", title: target, text: target }),
    h("td", null, h("span", { class: `status ${statusClass(entry.status)}`, text: entry.status ?? "—" })),
    h("td", { class: "ms", text: entry.ms === null || entry.ms === undefined ? "" : entry.ms.toFixed(1) }),
    flags,
  );
  tr.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open(entry, tr);
    }
  });
  return tr;
}

function facts(pairs) {
  const list = h("dl", { class: "facts" });
  for (const [name, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(h("dt", { text: name }), h("dd", null, value));
  }
  return list;
}

function responsePart(entry) {
  const response = entry.response;
  if (!response) return h("p", { class: "muted", text: "The journal kept no response for this entry." });
  const size = response.bytes === null ? null : `${response.bytes} bytes`;
  const body =
    response.body === null
      ? h("p", { class: "muted", text: entry.status === null ? "No answer: the connection was dropped." : "No text body." })
      : h("pre", { class: "body", text: pretty(response.body) });
  return h(
    "div",
    null,
    facts([["status", String(entry.status ?? "dropped")], ["type", response.type], ["size", size]]),
    body,
    response.truncated ? h("p", { class: "muted", text: "Cut at the journal's limit." }) : null,
  );
}

function details(pane, entry) {
  const chips = entry.credentials.length
    ? h("span", null, ...entry.credentials.map((name) => h("code", { class: "chip", text: name })))
    : "none";
  pane.replaceChildren(
    h(
      "header",
      null,
      h("h3", { text: `${entry.method} ${entry.path}` }),
      h("button", { type: "button", class: "close", "aria-label": "Close the details", text: "×", onclick: () => (pane.hidden = true) }),
    ),
    entry.hint ? h("p", { class: "hint-line" }, h("strong", { text: "Near miss: " }), entry.hint) : null,
    h(
      "div",
      { class: "columns" },
      h(
        "div",
        null,
        h("h4", { text: "Request" }),
        facts([
          ["method", entry.method],
          ["path", h("code", { text: entry.path })],
          ["query", entry.query ? h("code", { text: entry.query }) : "none"],
          ["credentials", chips],
          ["API", entry.api],
          ["mock time", `${dateTime(entry.at)} UTC`],
          ["real time", `${dateTime(entry.real)} UTC`],
          ["fault", entry.fault],
          ["ms", entry.ms === null ? null : String(entry.ms)],
          ["worker", String(entry.worker)],
          ["entry", entry.id],
        ]),
      ),
      h("div", null, h("h4", { text: "Response" }), responsePart(entry)),
    ),
  );
  pane.hidden = false;
}

/** The rows kept on the page and the filters over them. */
class Journal {
  constructor() {
    this.body = byId("journal-rows");
    this.pane = byId("journal-details");
    this.api = byId("journal-api");
    this.status = byId("journal-status");
    this.path = byId("journal-path");
    this.line = byId("journal-filter-error");
    this.seen = new Map();
    this.newest = null;
    this.test = { api: "", status: null, path: "" };
    for (const input of [this.api, this.status, this.path]) input.addEventListener("input", () => this.filter());
    byId("journal-filters").addEventListener("submit", (event) => event.preventDefault());
    byId("journal-clear").addEventListener("click", () => this.clear());
    this.counted();
  }

  shows(entry) {
    const { api, status, path } = this.test;
    return (!api || entry.api === api) && (status === null || status(entry.status)) && (!path || entry.path.toLowerCase().includes(path));
  }

  counted() {
    const shown = [...this.body.rows].filter((tr) => !tr.hidden).length;
    const all = this.seen.size;
    byId("journal-count").textContent = shown === all ? `${all} requests` : `${shown} of ${all} requests`;
    byId("journal-empty").hidden = this.body.rows.length > 0;
  }

  filter() {
    try {
      const path = this.path.value.trim().toLowerCase();
      this.test = { api: this.api.value, status: statusFilter(this.status.value), path };
      this.status.removeAttribute("aria-invalid");
      say(this.line, "");
    } catch (error) {
      this.status.setAttribute("aria-invalid", "true");
      say(this.line, error.message, true);
      return;
    }
    for (const tr of this.body.rows) tr.hidden = !this.shows(this.seen.get(tr.dataset.id));
    this.counted();
  }

  open(entry, tr) {
    for (const other of this.body.querySelectorAll("tr.selected")) other.classList.remove("selected");
    tr.classList.add("selected");
    details(this.pane, entry);
  }

  add(entries) {
    const fresh = entries.filter((entry) => !this.seen.has(entry.id)).sort((a, b) => a.real - b.real);
    for (const entry of entries) if (this.newest === null || entry.real > this.newest) this.newest = entry.real;
    for (const entry of fresh) {
      this.seen.set(entry.id, entry);
      if (![...this.api.options].some((option) => option.value === entry.api)) {
        this.api.append(h("option", { value: entry.api, text: entry.api }));
      }
      const tr = row(entry, (e, r) => this.open(e, r));
      tr.hidden = !this.shows(entry);
      this.body.prepend(tr);
    }
    while (this.body.rows.length > KEEP) {
      const last = this.body.rows[this.body.rows.length - 1];
      this.seen.delete(last.dataset.id);
      last.remove();
    }
    if (fresh.length) this.counted();
  }

  async read() {
    if (byId("journal-pause").checked) return;
    const query =
      this.newest === null ? { limit: FIRST_READ } : { real_since: String(this.newest - OVERLAP), limit: PER_READ };
    this.add((await admin.get("journal", query)).entries);
  }

  async clear() {
    if ((await attempt(this.line, () => admin.del("journal"), say)) === null) return;
    this.body.replaceChildren();
    this.seen.clear();
    this.pane.hidden = true;
    this.counted();
    notify("The journal was cleared.", "info");
  }
}

/** The journal panel; its poller reads new entries about once a second. */
export function journalPanel() {
  const journal = new Journal();
  return poll("journal", 1000, () => journal.read());
}

// Imports and files: the newest records' lifecycles as timelines over the mock's clock
// (GET /__admin/v1/lifecycles, redrawn on every reading and whenever the clock changes), and
// the forms that make them: a new record from a preset, a recorded scenario replayed, a state
// set. States, terminal states and counters come from the answer (the schemas), presets
// from GET /__admin/v1/scenarios.

import { admin, attempt, notify } from "./api.js";
import { byId, h, s, say } from "./dom.js";
import { poll } from "./poll.js";
import { drawTimelines, stateColours } from "./timeline.js";

// The admin API's data routes (docs/admin.md, Data): where each API's records are made, and
// how one of them is given a state (a Thalamus import by id in the path; a Tealium file by
// account, profile and name in the body, its key being account/profile/name).
const DATA = {
  thalamus: {
    create: "thalamus/imports",
    state: (key, state) => [`thalamus/imports/${encodeURIComponent(key)}/state`, { state }],
  },
  tealium: {
    create: "tealium/files",
    state: (key, state) => {
      const [account, profile, ...name] = key.split("/");
      return ["tealium/files/state", { account, profile, name: name.join("/"), state }];
    },
  },
};

function options(select, values, keep = true) {
  const before = select.value;
  select.replaceChildren(...values.map((value) => h("option", { value, text: value })));
  if (keep && values.includes(before)) select.value = before;
}

function legend(box, colours) {
  const swatch = (fill) => s("svg", { width: 14, height: 14, "aria-hidden": "true" }, s("rect", { width: 14, height: 14, rx: 3, fill }));
  const part = (terminal) =>
    [...colours].filter(([, c]) => c.terminal === terminal).map(([state, c]) => h("span", { class: "key" }, swatch(c.fill), state));
  box.replaceChildren(
    h("span", { class: "legend-title", text: "in progress" }),
    ...part(false),
    h("span", { class: "legend-title", text: "final" }),
    ...part(true),
  );
}

function created(items) {
  const names = items.map((item) => String(item.id ?? item.file?.name ?? "?"));
  return `${names.length === 1 ? "Created" : `Created ${names.length}:`} ${names.join(", ")}.`;
}

/** The timelines and the three forms under them. */
class Lifecycles {
  constructor() {
    this.box = byId("timelines");
    this.rows = byId("lifecycles-rows");
    this.window = byId("lifecycles-window");
    this.create = byId("create-form");
    this.state = byId("state-form");
    this.replay = byId("replay-form");
    this.last = null;
    this.colours = null;
    this.known = "";
    this.drawnWidth = 0;
    this.poller = null;
    this.create.addEventListener("submit", (event) => this.submit(event, () => this.made()));
    this.state.addEventListener("submit", (event) => this.submit(event, () => this.setState()));
    this.replay.addEventListener("submit", (event) => this.submit(event, () => this.replayed()));
    this.state.elements.api.addEventListener("change", () => this.syncStates());
    this.window.addEventListener("change", () => this.draw());
    this.rows.addEventListener("change", () => this.poller?.refresh());
    new ResizeObserver(() => {
      if (Math.floor(this.box.clientWidth) !== this.drawnWidth) this.draw();
    }).observe(this.box);
  }

  pick(item) {
    this.state.elements.api.value = item.api;
    this.syncStates();
    this.state.elements.key.value = item.key;
    this.state.elements.key.focus();
  }

  syncStates() {
    if (this.last === null) return;
    const api = this.state.elements.api.value;
    const facts = this.last.apis[api];
    options(this.state.elements.state, facts ? facts.states : []);
    const items = this.last.items.filter((item) => item.api === api);
    byId("state-keys").replaceChildren(...items.map((item) => h("option", { value: item.key, text: item.label })));
  }

  draw() {
    if (this.last === null) return;
    this.drawnWidth = Math.floor(this.box.clientWidth);
    const width = Math.max(640, this.drawnWidth);
    const window = Number(this.window.value) || 0;
    drawTimelines(this.box, this.last, { width, window, colours: this.colours, onPick: (item) => this.pick(item) });
  }

  learn(body) {
    const signature = JSON.stringify(body.apis);
    if (signature !== this.known) {
      this.known = signature;
      this.colours = stateColours(body.apis);
      legend(byId("lifecycles-legend"), this.colours);
      const servable = Object.keys(body.apis).filter((api) => api in DATA);
      options(this.create.elements.api, servable);
      options(this.state.elements.api, servable);
    }
    this.last = body;
    this.syncStates();
    this.draw();
  }

  async read() {
    this.learn(await admin.get("lifecycles", { limit: this.rows.value }));
  }

  /** Run a form's action: its line says what was done, or what the admin API refused. */
  async submit(event, action) {
    event.preventDefault();
    const line = event.target.querySelector(".result");
    const done = await attempt(line, action, say);
    if (done === null) return;
    say(line, done);
    this.poller?.refresh();
  }

  async made() {
    const form = this.create.elements;
    const body = { scenario: form.scenario.value };
    if (form.name.value.trim()) body.name = form.name.value.trim();
    if (form.count.value) body.count = Number(form.count.value);
    return created((await admin.post(DATA[form.api.value].create, body)).items);
  }

  async setState() {
    const form = this.state.elements;
    const key = form.key.value.trim();
    if (!key) throw new Error("Name the record: click its timeline, or type its key.");
    const [path, body] = DATA[form.api.value].state(key, form.state.value);
    await admin.post(path, body);
    return `${key} is ${form.state.value} from now on.`;
  }

  async replayed() {
    const [file] = this.replay.elements.recording.files;
    if (!file) throw new Error("Choose a recording: the lifecycles.json that statuskit proxy --record wrote.");
    const n = (await admin.postText("replay", await file.text())).items.length;
    return `Replayed ${n} resource${n === 1 ? "" : "s"} from ${file.name}.`;
  }
}

/** The lifecycles panel; reads every second and on `refresh()` (after a clock change). */
export function lifecyclesPanel() {
  const panel = new Lifecycles();
  admin
    .get("scenarios")
    .then((presets) => options(panel.create.elements.scenario, Object.keys(presets)))
    .catch((error) => notify(`Scenario presets: ${error.message}`));
  panel.poller = poll("lifecycles", 1000, () => panel.read());
  return panel.poller;
}

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

/** The lifecycles panel; reads every second and on `refresh()` (after a clock change). */
export function lifecyclesPanel() {
  const box = byId("timelines");
  const rows = byId("lifecycles-rows");
  const windowSelect = byId("lifecycles-window");
  let last = null;
  let colours = null;
  let known = "";
  let drawnWidth = 0;

  const createForm = byId("create-form");
  const stateForm = byId("state-form");
  const replayForm = byId("replay-form");

  function pick(item) {
    stateForm.elements.api.value = item.api;
    syncStates();
    stateForm.elements.key.value = item.key;
    stateForm.elements.key.focus();
  }

  function syncStates() {
    if (last === null) return;
    const facts = last.apis[stateForm.elements.api.value];
    options(stateForm.elements.state, facts ? facts.states : []);
    const keys = byId("state-keys");
    keys.replaceChildren(
      ...last.items.filter((i) => i.api === stateForm.elements.api.value).map((i) => h("option", { value: i.key, text: i.label })),
    );
  }

  function draw() {
    if (last === null) return;
    drawnWidth = Math.floor(box.clientWidth);
    const width = Math.max(640, drawnWidth);
    drawTimelines(box, last, { width, window: Number(windowSelect.value) || 0, colours, onPick: pick });
  }

  function learn(body) {
    const apis = Object.keys(body.apis);
    const signature = JSON.stringify(body.apis);
    if (signature !== known) {
      known = signature;
      colours = stateColours(body.apis);
      legend(byId("lifecycles-legend"), colours);
      const servable = apis.filter((api) => api in DATA);
      options(createForm.elements.api, servable);
      options(stateForm.elements.api, servable);
    }
    last = body;
    syncStates();
    draw();
  }

  async function read() {
    learn(await admin.get("lifecycles", { limit: rows.value }));
  }

  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = createForm.elements;
    const line = byId("create-result");
    const body = { scenario: form.scenario.value };
    if (form.name.value.trim()) body.name = form.name.value.trim();
    if (form.count.value) body.count = Number(form.count.value);
    const answer = await attempt(line, () => admin.post(DATA[form.api.value].create, body), say);
    if (answer === null) return;
    say(line, created(answer.items));
    poller.refresh();
  });

  stateForm.elements.api.addEventListener("change", syncStates);
  stateForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = stateForm.elements;
    const line = byId("state-result");
    const key = form.key.value.trim();
    if (!key) {
      say(line, "Name the record: click its timeline, or type its key.", true);
      return;
    }
    const [path, body] = DATA[form.api.value].state(key, form.state.value);
    if ((await attempt(line, () => admin.post(path, body), say)) === null) return;
    say(line, `${key} is ${form.state.value} from now on.`);
    poller.refresh();
  });

  replayForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const line = byId("replay-result");
    const [file] = replayForm.elements.recording.files;
    if (!file) {
      say(line, "Choose a recording: the lifecycles.json that statuskit proxy --record wrote.", true);
      return;
    }
    const text = await file.text();
    const answer = await attempt(line, () => admin.postText("replay", text), say);
    if (answer === null) return;
    const n = answer.items.length;
    say(line, `Replayed ${n} resource${n === 1 ? "" : "s"} from ${file.name}.`);
    poller.refresh();
  });

  windowSelect.addEventListener("change", draw);
  rows.addEventListener("change", () => poller.refresh());
  new ResizeObserver(() => {
    if (Math.floor(box.clientWidth) !== drawnWidth) draw();
  }).observe(box);

  admin
    .get("scenarios")
    .then((presets) => {
      const names = Object.keys(presets);
      options(createForm.elements.scenario, names);
    })
    .catch((error) => notify(`Scenario presets: ${error.message}`));

  const poller = poll("lifecycles", 1000, read);
  return poller;
}

// Faults: the live list with each fault's counters, a form to add one, removal. The form is
// built from schemas/admin/faults-add-request.json as the registry holds it (served by the
// dashboard): the kinds and the settings each takes (x-settings), every other field (target,
// trigger) with its type, bounds and description, and the schema's example as the first
// values. The route names a fault may target come from the server's own route table.

import { admin, attempt, ui } from "./api.js";
import { byId, h, say } from "./dom.js";
import { poll } from "./poll.js";

const SCHEMA = "schemas/admin/faults-add-request.json";

/** A property with its local $ref ("#/$defs/...") resolved, its own keys on top. */
function resolved(schema, prop) {
  if (!prop.$ref || !prop.$ref.startsWith("#/$defs/")) return prop;
  const { $ref, ...own } = prop;
  return { ...schema.$defs[$ref.slice(8)], ...own };
}

function types(prop) {
  return Array.isArray(prop.type) ? prop.type : [prop.type];
}

function control(name, prop, required, routeList) {
  const id = `fault-field-${name}`;
  let input;
  if (Array.isArray(prop.enum)) {
    input = h("select", { id, name });
    if (!required) input.append(h("option", { value: "", text: "—" }));
    prop.enum.forEach((value, i) => input.append(h("option", { value: String(value), dataset: { index: String(i) }, text: String(value) })));
  } else if (types(prop).every((t) => t === "integer" || t === "number")) {
    const integer = types(prop).includes("integer");
    input = h("input", {
      id,
      name,
      type: "number",
      inputmode: integer ? "numeric" : "decimal",
      step: integer ? "1" : "any",
      min: prop.minimum,
      max: prop.maximum,
      placeholder: prop.default !== undefined ? `${prop.default} (default)` : required ? "" : "optional",
    });
  } else {
    const placeholder = required ? "" : "any";
    input = h("input", { id, name, type: "text", list: name === "route" ? routeList : null, autocomplete: "off", placeholder });
  }
  input.required = required;
  return h(
    "label",
    { class: "field", for: id, dataset: { field: name }, title: prop.description ?? "" },
    h("span", { class: "name", text: required ? `${name} *` : name }),
    input,
  );
}

function value(prop, input) {
  if (input.value === "") return undefined;
  if (Array.isArray(prop.enum)) return prop.enum[Number(input.selectedOptions[0].dataset.index)];
  if (input.type === "number") return Number(input.value);
  return input.value;
}

function describeFault(fault, settingsOf) {
  const settings = (settingsOf[fault.kind] ?? []).filter((k) => k in fault).map((k) => `${k}=${fault[k]}`);
  const rest = Object.entries(fault)
    .filter(([k]) => !["id", "kind", "matched", "fired", ...(settingsOf[fault.kind] ?? [])].includes(k))
    .map(([k, v]) => `${k}=${v}`);
  return { what: [fault.kind, ...settings].join(" · "), where: rest.join(" · ") };
}

/** The form to add a fault, built from the schema: a control per property. */
class FaultForm {
  constructor(schema, routes) {
    this.schema = schema;
    this.routes = routes.routes;
    this.props = schema.properties;
    this.settingsOf = this.props.kind["x-settings"] ?? {};
    this.settingNames = new Set(Object.values(this.settingsOf).flat());
    const required = new Set(schema.required ?? []);
    this.fields = new Map();
    for (const name of Object.keys(this.props)) {
      this.fields.set(name, control(name, this.prop(name), required.has(name), "fault-routes"));
    }
    byId("fault-kind").append(this.fields.get("kind"));
    for (const name of this.settingNames) byId("fault-settings").append(this.fields.get(name));
    for (const [name, field] of this.fields) {
      if (name !== "kind" && !this.settingNames.has(name)) byId("fault-target").append(field);
    }
    for (const [name, value] of Object.entries((schema.examples ?? [])[0] ?? {})) {
      if (this.fields.has(name)) this.input(name).value = String(value);
    }
    this.input("kind").addEventListener("change", () => this.showSettings());
    this.input("api")?.addEventListener("change", () => this.showRoutes());
    this.showSettings();
    this.showRoutes();
  }

  prop(name) {
    return resolved(this.schema, this.props[name]);
  }

  input(name) {
    return this.fields.get(name)?.querySelector("input, select") ?? null;
  }

  taken() {
    return new Set(this.settingsOf[this.input("kind").value] ?? []);
  }

  showSettings() {
    const taken = this.taken();
    for (const name of this.settingNames) this.fields.get(name).hidden = !taken.has(name);
    byId("fault-settings").hidden = taken.size === 0;
  }

  showRoutes() {
    const names = this.routes[this.input("api")?.value] ?? [];
    byId("fault-routes").replaceChildren(...names.map((route) => h("option", { value: route })));
  }

  /** The fault as the form says it: the kind's own settings, and every other field set. */
  body() {
    const taken = this.taken();
    const body = {};
    for (const name of this.fields.keys()) {
      if (this.settingNames.has(name) && !taken.has(name)) continue;
      const picked = value(this.prop(name), this.input(name));
      if (picked !== undefined) body[name] = picked;
    }
    return body;
  }
}

function faultItem(fault, settingsOf, remove) {
  const { what, where } = describeFault(fault, settingsOf);
  const spent = typeof fault.times === "number" && fault.fired >= fault.times;
  const button = { type: "button", class: "small", "aria-label": `Remove fault ${fault.id}`, text: "Remove" };
  return h(
    "li",
    { class: spent ? "spent" : null, dataset: { id: fault.id } },
    h(
      "div",
      { class: "fault-line" },
      h("code", { class: "fault-id", text: fault.id }),
      h("strong", { text: what }),
      h("span", { class: "spacer" }),
      h("button", { ...button, onclick: () => remove(fault.id) }),
    ),
    h(
      "div",
      { class: "fault-line muted" },
      h("span", { text: where }),
      h("span", { class: "spacer" }),
      h("span", { class: "counter", dataset: { counter: "matched" }, text: `matched ${fault.matched}` }),
      h("span", { class: "counter", dataset: { counter: "fired" }, text: `fired ${fault.fired}` }),
    ),
  );
}

/** The faults panel: the form (once the schema is read) and the list, read every second. */
export async function faultsPanel() {
  const line = byId("fault-result");
  const [schema, routes] = await Promise.all([ui.get(SCHEMA), ui.get("routes.json")]);
  const form = new FaultForm(schema, routes);
  let shown = "";

  async function change(action, done) {
    const answer = await attempt(line, action, say);
    if (answer === null) return;
    say(line, done(answer));
    poller.refresh();
  }
  const remove = (id) => change(() => admin.del(`faults/${encodeURIComponent(id)}`), () => `Removed fault ${id}.`);

  byId("fault-form").addEventListener("submit", (event) => {
    event.preventDefault();
    change(
      () => admin.post("faults", form.body()),
      (added) => `Added fault ${added.id}: ${describeFault(added, form.settingsOf).what}.`,
    );
  });
  byId("fault-clear").addEventListener("click", () => change(() => admin.del("faults"), () => "Removed every fault."));

  const poller = poll("faults", 1000, async () => {
    const { faults } = await admin.get("faults");
    const signature = JSON.stringify(faults);
    if (signature === shown) return;
    shown = signature;
    byId("fault-empty").hidden = faults.length > 0;
    byId("fault-clear").disabled = faults.length === 0;
    byId("fault-rows").replaceChildren(...faults.map((fault) => faultItem(fault, form.settingsOf, remove)));
  });
  return poller;
}

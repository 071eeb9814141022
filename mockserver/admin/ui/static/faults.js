// Faults: the live list with each fault's counters, a form to add one, removal. The form is
// built from schemas/admin/faults-add-request.json as the registry holds it (served by the
// dashboard): the kinds and the settings each takes (x-settings), every other field (target,
// trigger) with its type, bounds and description, and the schema's example as the first
// values. The route names a fault may target come from the server's own route table.

import { admin, attempt, notify, ui } from "./api.js";
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

/** The faults panel: the form (once the schema is read) and the list, read every second. */
export async function faultsPanel() {
  const form = byId("fault-form");
  const line = byId("fault-result");
  const list = byId("fault-rows");
  const [schema, routes] = await Promise.all([ui.get(SCHEMA), ui.get("routes.json")]);
  const props = schema.properties;
  const required = new Set(schema.required ?? []);
  const settingsOf = props.kind["x-settings"] ?? {};
  const settingNames = new Set(Object.values(settingsOf).flat());
  const example = (schema.examples ?? [])[0] ?? {};

  const fields = new Map();
  for (const name of Object.keys(props)) fields.set(name, control(name, resolved(schema, props[name]), required.has(name), "fault-routes"));
  const kindBox = byId("fault-kind");
  const settingsBox = byId("fault-settings");
  const targetBox = byId("fault-target");
  kindBox.append(fields.get("kind"));
  for (const name of settingNames) settingsBox.append(fields.get(name));
  for (const [name, field] of fields) if (name !== "kind" && !settingNames.has(name)) targetBox.append(field);

  const input = (name) => fields.get(name).querySelector("input, select");
  const routeList = byId("fault-routes");

  function showSettings() {
    const taken = new Set(settingsOf[input("kind").value] ?? []);
    for (const name of settingNames) fields.get(name).hidden = !taken.has(name);
    settingsBox.hidden = taken.size === 0;
  }
  function showRoutes() {
    const api = input("api")?.value;
    routeList.replaceChildren(...(routes.routes[api] ?? []).map((route) => h("option", { value: route })));
  }
  for (const [name, value] of Object.entries(example)) {
    if (fields.has(name)) input(name).value = String(value);
  }
  input("kind").addEventListener("change", showSettings);
  input("api")?.addEventListener("change", showRoutes);
  showSettings();
  showRoutes();

  let shown = "";
  async function read() {
    const answer = await admin.get("faults");
    const signature = JSON.stringify(answer.faults);
    if (signature === shown) return;
    shown = signature;
    byId("fault-empty").hidden = answer.faults.length > 0;
    byId("fault-clear").disabled = answer.faults.length === 0;
    list.replaceChildren(
      ...answer.faults.map((fault) => {
        const { what, where } = describeFault(fault, settingsOf);
        const spent = typeof fault.times === "number" && fault.fired >= fault.times;
        return h(
          "li",
          { class: spent ? "spent" : null, dataset: { id: fault.id } },
          h(
            "div",
            { class: "fault-line" },
            h("code", { class: "fault-id", text: fault.id }),
            h("strong", { text: what }),
            h("span", { class: "spacer" }),
            h("button", { type: "button", class: "small", "aria-label": `Remove fault ${fault.id}`, text: "Remove", onclick: () => remove(fault.id) }),
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
      }),
    );
  }

  async function remove(id) {
    if ((await attempt(line, () => admin.del(`faults/${encodeURIComponent(id)}`), say)) === null) return;
    say(line, `Removed fault ${id}.`);
    poller.refresh();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const taken = new Set(settingsOf[input("kind").value] ?? []);
    const body = {};
    for (const [name, field] of fields) {
      if (settingNames.has(name) && !taken.has(name)) continue;
      const picked = value(resolved(schema, props[name]), input(name));
      if (picked !== undefined) body[name] = picked;
    }
    const added = await attempt(line, () => admin.post("faults", body), say);
    if (added === null) return;
    say(line, `Added fault ${added.id}: ${describeFault(added, settingsOf).what}.`);
    poller.refresh();
  });
  byId("fault-clear").addEventListener("click", async () => {
    if ((await attempt(line, () => admin.del("faults"), say)) === null) return;
    say(line, "Removed every fault.");
    notify("Every fault was removed.", "info");
    poller.refresh();
  });

  const poller = poll("faults", 1000, read);
  return poller;
}

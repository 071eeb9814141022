// The proxy's findings, as they arrive (GET /__admin/v1/findings, drift's report as JSON):
// the summary, the findings by operation and severity as stacked bars (the severities in
// the order schemas/drift/common.json gives them; kit decisions apart), and the table, a
// finding first seen since the page opened marked new.

import { admin, ui } from "./api.js";
import { byId, h } from "./dom.js";
import { poll } from "./poll.js";

const KIT = "kit decision";

function category(finding) {
  return finding.documented ? finding.severity : KIT;
}

function bars(box, findings, order) {
  const byOperation = new Map();
  for (const finding of findings) {
    const counts = byOperation.get(finding.operation) ?? new Map();
    counts.set(category(finding), (counts.get(category(finding)) ?? 0) + 1);
    byOperation.set(finding.operation, counts);
  }
  const total = (counts) => [...counts.values()].reduce((a, b) => a + b, 0);
  const most = Math.max(1, ...[...byOperation.values()].map(total));
  const rows = [...byOperation].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
  box.replaceChildren(
    ...rows.map(([operation, counts]) => {
      const bar = h("div", { class: "bar" });
      for (const name of order) {
        const n = counts.get(name) ?? 0;
        if (!n) continue;
        const part = h("span", { class: `seg sev-${name.replace(" ", "-")}`, title: `${name}: ${n}`, text: String(n) });
        part.style.flexGrow = String(n);
        bar.append(part);
      }
      bar.style.width = `${(100 * total(counts)) / most}%`;
      return h("div", { class: "bar-row", dataset: { operation } }, h("span", { class: "bar-label", text: operation }), h("div", { class: "bar-track" }, bar));
    }),
  );
}

/** The findings panel of a proxy, read every 1.5 seconds. */
export async function findingsPanel() {
  const common = await ui.get("schemas/drift/common.json");
  const order = [...common.$defs.severity.enum, KIT];
  byId("findings-legend").replaceChildren(
    ...order.map((name) => h("span", { class: "key" }, h("span", { class: `dot sev-${name.replace(" ", "-")}` }), name)),
  );
  const firstSeen = new Set();
  let opened = false;
  let shown = "";

  async function read() {
    const report = await admin.get("findings");
    const signature = JSON.stringify([report.summary, report.findings]);
    if (signature === shown) return;
    shown = signature;
    const summary = report.summary;
    byId("findings-summary").replaceChildren(
      h("span", null, h("strong", { text: String(summary.requests) }), " requests"),
      ...order.map((name) => {
        const n = name === KIT ? summary.kit_decisions : summary[name];
        return h("span", { class: `count sev-${name.replace(" ", "-")}` }, h("strong", { text: String(n ?? 0) }), ` ${name}`);
      }),
      report.failed ? h("span", { class: "badge failed", text: `fails at --fail-on ${report.fail_on}` }) : null,
    );
    const findings = report.findings;
    byId("findings-empty").hidden = findings.length > 0;
    bars(byId("findings-bars"), findings, order);
    byId("findings-rows").replaceChildren(
      ...findings.map((f) => {
        const fresh = opened && !firstSeen.has(f.fingerprint);
        firstSeen.add(f.fingerprint);
        const name = category(f);
        return h(
          "tr",
          { class: fresh ? "fresh" : null, dataset: { fingerprint: f.fingerprint } },
          h("td", null, h("span", { class: `chip sev-${name.replace(" ", "-")}`, text: name })),
          h("td", null, h("code", { text: f.operation })),
          h("td", { text: f.kind }),
          h("td", null, h("code", { text: f.path })),
          h("td", { class: "wrap", title: f.hint ?? "" }, h("div", { text: `expected ${f.expected}` }), h("div", { class: "muted", text: `observed ${f.observed}` })),
          h("td", { class: "num", text: String(f.samples) }),
          h("td", { class: "muted", text: f.last_seen ? f.last_seen.replace("T", " ").slice(0, 19) : "" }),
        );
      }),
    );
    opened = true;
  }

  return poll("findings", 1500, read);
}

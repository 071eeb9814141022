// The dashboard's entry: read the admin API's index (GET /__admin/v1/) to learn what serves
// it ("kind": a mock or a proxy), show the panels that server has, and start them.

import { admin, notify } from "./api.js";
import { clockPanel } from "./clock.js";
import { byId } from "./dom.js";
import { faultsPanel } from "./faults.js";
import { findingsPanel } from "./findings.js";
import { journalPanel } from "./journal.js";
import { lifecyclesPanel } from "./lifecycles.js";

async function start() {
  let index;
  try {
    index = await admin.get("");
  } catch (error) {
    notify(`The admin API did not answer its index: ${error.message}`);
    return;
  }
  const kind = index.kind === "proxy" ? "proxy" : "mock";
  document.body.dataset.kind = kind;
  byId("kind").textContent = kind === "proxy" ? "proxy" : "fake upstreams";
  document.title = `statuskit ${kind === "proxy" ? "proxy" : "mock"} · dashboard`;
  for (const panel of document.querySelectorAll("[data-only]")) panel.hidden = panel.dataset.only !== kind;

  journalPanel();
  const started = [faultsPanel()];
  if (kind === "mock") {
    const lifecycles = lifecyclesPanel();
    let setting = null;
    clockPanel((clock) => {
      // The timelines move with the clock: read them again at once when the clock was
      // changed (here or by anyone), not only at their next reading. A running clock keeps
      // its offset from real time; a frozen one keeps its time.
      const now = clock.frozen ? `frozen ${clock.now}` : `running ${clock.offset}`;
      if (setting !== null && now !== setting) lifecycles.refresh();
      setting = now;
    });
  } else {
    started.push(findingsPanel());
  }
  for (const result of await Promise.allSettled(started)) {
    if (result.status === "rejected") notify(`A panel could not start: ${result.reason.message ?? result.reason}`);
  }
  document.body.classList.add("ready");
}

start();

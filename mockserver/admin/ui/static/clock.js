// The mock's clock: what it shows now (UTC), frozen or running and how far from real time;
// freeze, unfreeze, advance, set, reset. Every change answers the clock, which is shown at
// once, and the timelines are asked to redraw.

import { admin, attempt } from "./api.js";
import { byId, dateTime, duration, h, say } from "./dom.js";
import { poll } from "./poll.js";

/** "2026-01-01T12:00:03" for a datetime-local input (UTC). */
function inputValue(seconds) {
  return new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 19);
}

function show(clock) {
  byId("clock-now").textContent = `${dateTime(clock.now)} UTC`;
  const mode = byId("clock-mode");
  mode.textContent = clock.frozen ? "frozen" : "running";
  mode.className = `badge ${clock.frozen ? "frozen" : "running"}`;
  const offset = clock.offset === 0 ? "real time" : `${duration(clock.offset)} from real time`;
  byId("clock-offset").textContent = clock.frozen ? "stopped" : offset;
  const summary = byId("clock-summary");
  summary.replaceChildren(
    h("span", { class: "muted", text: "mock clock" }),
    h("strong", { text: `${dateTime(clock.now)} UTC` }),
    h("span", { class: `badge ${clock.frozen ? "frozen" : "running"}`, text: clock.frozen ? "frozen" : "running" }),
  );
  summary.hidden = false;
  const setInput = byId("clock-set-at");
  if (!setInput.value) setInput.value = inputValue(clock.now);
}

function onSubmit(id, action) {
  byId(id).addEventListener("submit", (event) => {
    event.preventDefault();
    action();
  });
}

/** The clock panel. `changed(clock)` runs after every reading and every change. */
export function clockPanel(changed) {
  const line = byId("clock-result");
  const setInput = byId("clock-set-at");
  let current = null;
  const seen = (clock) => {
    current = clock;
    show(clock);
    changed(clock);
  };
  async function change(path, body, done) {
    const clock = await attempt(line, () => admin.post(path, body), say);
    if (clock === null) return;
    seen(clock);
    say(line, done(clock));
  }
  const advance = (seconds) =>
    change("clock/advance", { seconds }, (c) => `Advanced ${duration(seconds)}: ${dateTime(c.now)} UTC.`);

  byId("clock-freeze").addEventListener("click", () => change("clock/freeze", {}, (c) => `Frozen at ${dateTime(c.now)} UTC.`));
  byId("clock-unfreeze").addEventListener("click", () => change("clock/unfreeze", {}, () => "Running again."));
  byId("clock-reset").addEventListener("click", () => change("clock/reset", {}, () => "Back to real time."));
  onSubmit("clock-advance-form", () => advance(Number(byId("clock-advance-seconds").value)));
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => advance(Number(button.dataset.advance)));
  }
  onSubmit("clock-set-form", () => {
    if (!setInput.value) return say(line, "Choose a date and time to set the clock to.", true);
    // The input has no zone; the dashboard shows UTC, so it is read as UTC.
    const at = setInput.value.length === 16 ? `${setInput.value}:00Z` : `${setInput.value}Z`;
    return change("clock/set", { at }, (c) => `Set to ${dateTime(c.now)} UTC.`);
  });
  byId("clock-set-now").addEventListener("click", () => {
    if (current !== null) setInput.value = inputValue(current.now);
  });
  return poll("clock", 1000, async () => seen(await admin.get("clock")));
}

// Lifecycles drawn as timelines (inline SVG) over the mock's clock: one row per record, its
// state bands in time order (a colour per state; terminal states saturated, the others
// light), a tick where a step changed the counters, the counters in effect now under the
// band, and the current mock time as one vertical line across every row.

import { clockTime, dateTime, s } from "./dom.js";

const LIGHT = ["#a9c8f2", "#f5d184", "#a9dccf", "#d3c1ee", "#f4bccb", "#cfd9a8"];
const SOLID = ["#23915a", "#cc3d3d", "#7a4fc8", "#5b6777", "#c0650f", "#1d6f8e"];
const UNKNOWN = { fill: "#d9dde4", terminal: false };
const NICE = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
const LABEL = 250;
const RIGHT = 18;
const AXIS = 30;
const GROUP = 28;
const ROW = 46;
const BAND = 18;

/** A colour for each state of every API, by name (the same state, the same colour). */
export function stateColours(apis) {
  const colours = new Map();
  let light = 0;
  let solid = 0;
  for (const facts of Object.values(apis)) {
    for (const state of facts.states) {
      if (colours.has(state)) continue;
      const terminal = facts.terminal.includes(state);
      const fill = terminal ? SOLID[solid++ % SOLID.length] : LIGHT[light++ % LIGHT.length];
      colours.set(state, { fill, terminal });
    }
  }
  return colours;
}

/** The time span drawn: every record's timeline and now, or the last `window` seconds. */
export function span(body, window) {
  const now = body.now;
  if (window) return [now - window, now + window * 0.08];
  let start = now;
  let end = now;
  for (const item of body.items) {
    const timed = item.steps.filter((step) => step.at !== null).map((step) => step.at);
    const first = item.created ?? (timed.length ? timed[0] : null);
    if (first !== null) start = Math.min(start, first);
    for (const at of timed) end = Math.max(end, at);
  }
  const width = Math.max(end - start, 10);
  return [start - width * 0.03, start + width * 1.08];
}

function ticks(from, to, room) {
  const step = NICE.find((size) => (to - from) / size <= room) ?? NICE[NICE.length - 1];
  const out = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push({ at: t, step });
  return out;
}

function tickLabel(at, step) {
  if (step >= 86400) return dateTime(at).slice(5, 10);
  const time = clockTime(at);
  return step >= 60 ? time.slice(0, 5) : time;
}

/** The step in effect at `now`: the last one from or before it. */
export function current(item, now) {
  let found = item.steps[0];
  for (const step of item.steps) if (step.at === null || step.at <= now) found = step;
  return found;
}

function runs(item, x, left, right) {
  // Steps of one state in a row make one band; their edges inside it are counter changes.
  const out = [];
  item.steps.forEach((step, i) => {
    const next = item.steps[i + 1];
    const x0 = step.at === null ? left : Math.max(left, x(step.at));
    const x1 = next === undefined ? right : Math.min(right, x(next.at ?? -Infinity));
    const last = out[out.length - 1];
    if (last !== undefined && last.state === step.state) {
      last.x1 = x1;
      last.edges.push(x0);
      last.steps.push({ step, x0, x1, next });
    } else {
      out.push({ state: step.state, x0, x1, edges: [], steps: [{ step, x0, x1, next }] });
    }
  });
  return out;
}

function countersText(counters) {
  return Object.entries(counters)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name} ${value.toLocaleString("en")}`)
    .join("  ·  ");
}

function shorten(text, room) {
  const fits = Math.max(4, Math.floor(room / 7));
  return text.length <= fits ? text : `${text.slice(0, fits - 1)}…`;
}

function drawRow(item, y, ctx) {
  const { x, left, right, colours, now } = ctx;
  const here = current(item, now);
  const row = s("g", { class: "row", dataset: { api: item.api, key: item.key, state: here.state ?? "" } });
  row.append(
    s("title", { text: `${item.label}: ${here.state ?? "no state"} now` }),
    s("rect", { class: "row-bg", x: 0, y, width: right + RIGHT, height: ROW }),
    s("text", { class: "row-label", x: 12, y: y + 19, text: shorten(item.label, LABEL - 24) }),
    s("text", { class: "row-state", x: 12, y: y + 36, text: here.state ?? "—" }),
  );
  const bands = s("g", { "clip-path": "url(#plot)" });
  for (const run of runs(item, x, left, right)) {
    if (run.x1 <= run.x0) continue;
    const colour = colours.get(run.state) ?? UNKNOWN;
    const band = s("g", { class: colour.terminal ? "band terminal" : "band" });
    band.append(s("rect", { x: run.x0, y: y + 6, width: run.x1 - run.x0, height: BAND, rx: 3, fill: colour.fill }));
    for (const edge of run.edges) {
      if (edge > run.x0 && edge < run.x1) band.append(s("line", { class: "edge", x1: edge, x2: edge, y1: y + 8, y2: y + 4 + BAND }));
    }
    const name = run.state ?? "—";
    if (run.x1 - run.x0 > name.length * 6.6 + 10) {
      band.append(s("text", { class: "band-label", x: run.x0 + 6, y: y + 19, text: name }));
    }
    for (const { step, x0, x1, next } of run.steps) {
      const until = next === undefined ? "on" : `${dateTime(next.at)} UTC`;
      const from = step.at === null ? "always" : `${dateTime(step.at)} UTC`;
      const tip = `${name}: ${from} → ${until}\n${countersText(step.counters).replaceAll("  ·  ", "\n")}`;
      band.append(s("rect", { class: "hover", x: x0, y: y + 6, width: Math.max(x1 - x0, 1), height: BAND }, s("title", { text: tip })));
    }
    bands.append(band);
  }
  row.append(bands, s("text", { class: "counters", x: left, y: y + 38, text: countersText(here.counters) }));
  return row;
}

/** Draw `body` (GET /__admin/v1/lifecycles) into `box`, `width` pixels wide. */
export function drawTimelines(box, body, { width, window, colours, onPick }) {
  const right = width - RIGHT;
  const [from, to] = span(body, window);
  const x = (t) => LABEL + ((t - from) / (to - from)) * (right - LABEL);
  const ctx = { x, left: LABEL, right, colours, now: body.now };
  const groups = Object.keys(body.apis).map((api) => ({ api, items: body.items.filter((i) => i.api === api) }));
  const height = AXIS + groups.reduce((sum, g) => sum + GROUP + Math.max(g.items.length, 1) * ROW, 0) + 8;
  const svg = s("svg", { class: "timelines", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Lifecycles over the mock clock" });
  svg.append(s("defs", null, s("clipPath", { id: "plot" }, s("rect", { x: LABEL, y: 0, width: right - LABEL, height }))));
  const nx = x(body.now);
  const lx = Math.min(Math.max(nx, LABEL + 48), right - 48); // the now label stays in view
  const grid = s("g", { class: "axis" });
  for (const tick of ticks(from, to, Math.max(2, Math.floor((right - LABEL) / 95)))) {
    const tx = x(tick.at);
    grid.append(s("line", { x1: tx, x2: tx, y1: AXIS - 6, y2: height }));
    // A tick's label under the now label would be unreadable: the now label wins.
    if (Math.abs(tx - lx) > 76) grid.append(s("text", { x: tx, y: AXIS - 11, text: tickLabel(tick.at, tick.step) }));
  }
  svg.append(grid);
  const plot = s("g");
  const labels = s("g");
  let y = AXIS;
  for (const group of groups) {
    const noun = group.items.length === 1 ? "record" : "records";
    labels.append(s("text", { class: "group", x: 12, y: y + 19, text: `${group.api} · ${group.items.length} ${noun}` }));
    y += GROUP;
    if (!group.items.length) {
      labels.append(s("text", { class: "muted-text", x: LABEL, y: y + 24, text: "nothing yet: create one below" }));
      y += ROW;
    }
    for (const item of group.items) {
      const row = drawRow(item, y, ctx);
      row.addEventListener("click", () => onPick(item));
      plot.append(row);
      y += ROW;
    }
  }
  svg.append(plot, labels);
  const label = `now ${clockTime(body.now)}`;
  svg.append(
    s(
      "g",
      { class: "now", id: "now-marker", dataset: { now: String(body.now), x: nx.toFixed(1) } },
      s("line", { x1: nx, x2: nx, y1: AXIS - 4, y2: height }),
      s("rect", { x: lx - 48, y: 2, width: 96, height: 17, rx: 8 }),
      s("text", { x: lx, y: 14, text: label }),
    ),
  );
  box.replaceChildren(svg);
}

// Small DOM helpers: elements built from data with textContent only (never innerHTML), so
// nothing a request carried can become markup; times shown in UTC, as the mock's clock is.

const SVG_NS = "http://www.w3.org/2000/svg";

function fill(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "class") node.setAttribute("class", value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An HTML element: h("td", {class: "x", text: "..."}, ...children). */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, with the same arguments as h(). */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** The element with this id (it must exist: the page ships it). */
export function byId(id) {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node;
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** Epoch seconds as "2026-01-01 12:00:03" (UTC). */
export function dateTime(seconds) {
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clockTime(seconds)}`;
}

/** Epoch seconds as "12:00:03" (UTC), with milliseconds when asked. */
export function clockTime(seconds, withMs = false) {
  const d = new Date(seconds * 1000);
  const base = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withMs ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

/** Seconds as a short duration: "45 s", "2 min 5 s", "3 h 20 min", "2 d 4 h". */
export function duration(seconds) {
  const sign = seconds < 0 ? "-" : "";
  let left = Math.round(Math.abs(seconds));
  const parts = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]]) {
    if (left >= size || (unit === "s" && parts.length === 0)) {
      parts.push(`${Math.floor(left / size)} ${unit}`);
      left %= size;
    }
    if (parts.length === 2) break;
  }
  return sign + parts.join(" ");
}

/** A JSON text pretty-printed, or the text as it came when it is not JSON. */
export function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A form's inline result line: an error (role=alert) or a short confirmation. */
export function say(line, message, isError = false) {
  line.textContent = message;
  line.classList.toggle("error", isError);
  line.classList.toggle("ok", !isError && message !== "");
  if (isError) line.setAttribute("role", "alert");
  else line.removeAttribute("role");
}

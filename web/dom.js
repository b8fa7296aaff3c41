// Small DOM and formatting helpers. Every element is built with the DOM API:
// no markup strings, so user data can never become HTML (and the CSP forbids inline styles).

/**
 * h('button', {class: 'btn', onclick: fn}, 'Text', child, [more])
 * Attributes: `class`, `dataset` (object), `on<event>` (listener), booleans (true sets, false omits),
 * anything else via setAttribute. Children: strings, nodes, arrays, null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'value' || key === 'checked' || key === 'indeterminate') el[key] = value;
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** svg('rect', {x: 0, ...}, children): an element in the SVG namespace; attributes as in h(). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** A small decorative icon (aria-hidden): 'info', 'clock', 'more'. */
export function icon(name) {
  const paths = {
    info: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13Zm0 3a.9.9 0 1 1 0 1.8.9.9 0 0 1 0-1.8ZM7.2 7.5h1.6v4.2H7.2z',
    clock: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13Zm0 1.6a4.9 4.9 0 1 1 0 9.8 4.9 4.9 0 0 1 0-9.8ZM7.2 4.5v4l3 1.8.8-1.3-2.2-1.3V4.5z',
  };
  return svg('svg', { class: `icon icon-${name}`, viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' },
    svg('path', { d: paths[name] || paths.info, fill: 'currentColor', 'fill-rule': 'evenodd' }));
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

export function formatBytes(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = -1;
  do {
    value /= 1024;
    unit += 1;
  } while (value >= 1024 && unit < units.length - 1);
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

/** A <time> element showing a readable date with the exact ISO value in its title. */
export function timeEl(iso) {
  return h('time', { datetime: iso || '', title: iso || '' }, formatDate(iso));
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/** "3 days ago", "in 5 days", "2 hours ago", "just now": `iso` against `nowMs` (the server's clock). */
export function relativeTime(iso, nowMs = Date.now()) {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const diff = t - nowMs;
  const abs = Math.abs(diff);
  const minute = 60000;
  const hour = 60 * minute;
  const day = 24 * hour;
  if (abs < minute) return 'just now';
  if (abs < hour) return relative.format(Math.round(diff / minute), 'minute');
  if (abs < day) return relative.format(Math.round(diff / hour), 'hour');
  if (abs < 60 * day) return relative.format(Math.round(diff / day), 'day');
  if (abs < 365 * day) return relative.format(Math.round(diff / (30 * day)), 'month');
  return relative.format(Math.round(diff / (365 * day)), 'year');
}

/**
 * <time datetime> showing `text` (a relative time), with the exact local time on hover (title) and
 * for screen readers (visually hidden text after it).
 */
export function relativeTimeEl(iso, text) {
  const exact = formatDate(iso);
  return h('time', { datetime: iso || '', title: exact }, text, h('span', { class: 'visually-hidden' }, ` (${exact})`));
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function versionLabel(v) {
  if (!v) return '';
  return v.name || `v${v.version}`;
}

/** Calls fn at most once per `ms` after the last call. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}


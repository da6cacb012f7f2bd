/**
 * A tiny markup builder for SVG and HTML. Every string child is escaped as text and every
 * attribute value is escaped; markup can only enter through `el(...)` nodes or an explicit
 * `trusted(...)`, so a sequence name like `<script>` can never become an element.
 */

export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue>;

/** A piece of markup that is already safe to embed. */
export class Markup {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type Child = Markup | string | number | null | undefined | false | readonly Child[];

const NAME = /^[A-Za-z][A-Za-z0-9:_.-]*$/;

/** SVG elements written as `<x/>` when empty (HTML parsers accept that inside `<svg>`). */
const SELF_CLOSING = new Set([
  'rect', 'circle', 'ellipse', 'line', 'path', 'polygon', 'polyline', 'use', 'stop',
]);
/** HTML void elements: never closed. */
const VOID_HTML = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'col', 'wbr']);

export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function escapeAttr(value: string): string {
  return value.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** Marks a string as markup that the caller has made safe (e.g. the output of another figure). */
export function trusted(markup: string): Markup {
  return new Markup(markup);
}

/**
 * Numbers in coordinates: at most 2 decimals, no `-0`, so the output is deterministic and compact.
 */
const POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

export function fmt(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return '0';
  if (Number.isInteger(n)) return n === 0 ? '0' : String(n);
  const scale = POWERS[digits] ?? 10 ** digits;
  const r = Math.round(n * scale) / scale;
  return r === 0 ? '0' : String(r);
}

function renderChildren(children: readonly Child[], out: string[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (c instanceof Markup) out.push(c.markup);
    else if (Array.isArray(c)) renderChildren(c, out);
    else if (typeof c === 'number') out.push(fmt(c, 6));
    else out.push(escapeText(c as string));
  }
}

export function renderAttrs(attrs: Attrs | undefined): string {
  if (!attrs) return '';
  let s = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (!NAME.test(name)) throw new Error(`invalid attribute name: ${JSON.stringify(name)}`);
    if (value === true) s += ` ${name}`;
    else s += ` ${name}="${escapeAttr(typeof value === 'number' ? fmt(value) : value)}"`;
  }
  return s;
}

/** One element. Numbers in attributes are rounded by `fmt`; pass strings to keep full precision. */
export function el(tag: string, attrs?: Attrs, ...children: Child[]): Markup {
  if (!NAME.test(tag)) throw new Error(`invalid tag name: ${JSON.stringify(tag)}`);
  const open = `<${tag}${renderAttrs(attrs)}`;
  const parts: string[] = [];
  renderChildren(children, parts);
  if (parts.length === 0) {
    if (VOID_HTML.has(tag)) return new Markup(`${open}>`);
    if (SELF_CLOSING.has(tag)) return new Markup(`${open}/>`);
  }
  return new Markup(`${open}>${parts.join('')}</${tag}>`);
}

/** Joins children into one markup node without a wrapper element. */
export function fragment(...children: Child[]): Markup {
  const parts: string[] = [];
  renderChildren(children, parts);
  return new Markup(parts.join(''));
}

export interface SvgDocumentOptions {
  width: number;
  height: number;
  /** Accessible name: becomes `<title>` and `aria-label`. */
  title: string;
  description?: string;
  className?: string;
  /** Font for every `<text>` unless overridden; a list resvg and browsers both understand. */
  fontFamily?: string;
}

export const DEFAULT_FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";
export const MONO_FONT = "'DejaVu Sans Mono', 'Liberation Mono', 'Courier New', monospace";

/** A standalone SVG document (also valid inline in HTML). */
export function svgDocument(options: SvgDocumentOptions, ...children: Child[]): string {
  const { width, height, title } = options;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: fmt(width),
      height: fmt(height),
      viewBox: `0 0 ${fmt(width)} ${fmt(height)}`,
      role: 'img',
      'aria-label': title,
      class: options.className,
      'font-family': options.fontFamily ?? DEFAULT_FONT,
    },
    el('title', {}, title),
    options.description ? el('desc', {}, options.description) : null,
    el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
    ...children,
  ).markup;
}

/**
 * Small SVG charts for the results page, built with createElementNS and textContent only.
 * Every mark carries its own label, so no chart needs a legend.
 */
const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const LEFT = 150;
const RIGHT = 200;
const ROW = 26;
const INK = '#1b1f24';
const MUTED = '#6b7280';
export const COLORS = ['#1f5fa8', '#c2570c'] as const;
const BLUE = COLORS[0];

type Attrs = Record<string, string | number>;

export function svgEl<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

const text = (x: number, y: number, s: string, attrs: Attrs = {}): SVGTextElement =>
  svgEl('text', { x, y, 'font-size': 13, fill: INK, 'dominant-baseline': 'middle', ...attrs }, s);

function frame(rows: number, title: string, extra = 0): SVGSVGElement {
  const h = rows * ROW + 34 + extra;
  return svgEl('svg', {
    viewBox: `0 0 ${W} ${h}`,
    width: '100%',
    role: 'img',
    'aria-label': title,
    class: 'chart',
  });
}

/** A linear scale from [lo, hi] onto the plot area. */
function scale(lo: number, hi: number): (v: number) => number {
  const span = hi - lo || 1;
  return (v) => LEFT + ((Math.min(hi, Math.max(lo, v)) - lo) / span) * (W - LEFT - RIGHT);
}

function axis(
  svg: SVGSVGElement,
  x: (v: number) => number,
  ticks: number[],
  y: number,
  fmt = (v: number) => String(v),
): void {
  svg.append(
    svgEl('line', {
      x1: x(ticks[0] as number),
      x2: x(ticks[ticks.length - 1] as number),
      y1: y,
      y2: y,
      stroke: MUTED,
    }),
  );
  for (const t of ticks) {
    svg.append(
      svgEl('line', { x1: x(t), x2: x(t), y1: y, y2: y + 4, stroke: MUTED }),
      text(x(t), y + 14, fmt(t), { 'text-anchor': 'middle', fill: MUTED, 'font-size': 11 }),
    );
  }
}

function integerTicks(lo: number, hi: number): number[] {
  const step = Math.max(1, Math.ceil((hi - lo) / 8));
  const out: number[] = [];
  for (let v = Math.ceil(lo); v <= hi; v += step) out.push(v);
  return out;
}

export interface IntervalRow {
  label: string;
  value: number | null;
  low?: number | undefined;
  high?: number | undefined;
  note: string;
  color?: string;
}

/** Points with interval bars on a shared axis, one labelled row each. */
export function intervalChart(
  title: string,
  rows: IntervalRow[],
  lo: number,
  hi: number,
  ticks?: number[],
  zero?: number,
): SVGSVGElement {
  const svg = frame(rows.length, title);
  const x = scale(lo, hi);
  const bottom = rows.length * ROW + 8;
  if (zero !== undefined)
    svg.append(
      svgEl('line', {
        x1: x(zero),
        x2: x(zero),
        y1: 4,
        y2: bottom,
        stroke: MUTED,
        'stroke-dasharray': '3 3',
      }),
    );
  rows.forEach((r, i) => {
    const y = i * ROW + ROW / 2 + 4;
    const color = r.color ?? BLUE;
    svg.append(text(LEFT - 10, y, r.label, { 'text-anchor': 'end', 'font-weight': 600 }));
    if (r.value !== null) {
      if (r.low !== undefined && r.high !== undefined) {
        svg.append(
          svgEl('line', { x1: x(r.low), x2: x(r.high), y1: y, y2: y, stroke: color, 'stroke-width': 3 }),
          svgEl('line', {
            x1: x(r.low),
            x2: x(r.low),
            y1: y - 6,
            y2: y + 6,
            stroke: color,
            'stroke-width': 2,
          }),
          svgEl('line', {
            x1: x(r.high),
            x2: x(r.high),
            y1: y - 6,
            y2: y + 6,
            stroke: color,
            'stroke-width': 2,
          }),
        );
      }
      svg.append(svgEl('circle', { cx: x(r.value), cy: y, r: 5.5, fill: color }));
    }
    svg.append(text(W - RIGHT + 12, y, r.note, { fill: r.value === null ? MUTED : INK }));
  });
  axis(svg, x, ticks ?? integerTicks(lo, hi), bottom);
  return svg;
}

export interface BarRow {
  label: string;
  value: number;
  note?: string;
}

/** Horizontal bars from zero, each labelled with its count; an optional labelled marker line. */
export function barChart(
  title: string,
  rows: BarRow[],
  marker?: { at: number; label: string },
): SVGSVGElement {
  const max = Math.max(1, ...rows.map((r) => r.value), marker?.at ?? 0);
  const svg = frame(rows.length, title, marker ? 14 : 0);
  const top = marker ? 14 : 0;
  const x = scale(0, max);
  rows.forEach((r, i) => {
    const y = top + i * ROW + ROW / 2 + 4;
    svg.append(
      text(LEFT - 10, y, r.label, { 'text-anchor': 'end' }),
      svgEl('rect', {
        x: LEFT,
        y: y - 8,
        width: Math.max(0, x(r.value) - LEFT),
        height: 16,
        fill: COLORS[0] as string,
        rx: 2,
      }),
      text(x(r.value) + 6, y, r.note ?? String(r.value)),
    );
  });
  if (marker) {
    const bottom = top + rows.length * ROW + 8;
    svg.append(
      svgEl('line', {
        x1: x(marker.at),
        x2: x(marker.at),
        y1: 12,
        y2: bottom,
        stroke: '#b00020',
        'stroke-dasharray': '4 3',
      }),
      text(x(marker.at), 6, marker.label, { 'text-anchor': 'middle', fill: '#b00020', 'font-size': 12 }),
    );
  }
  axis(svg, x, integerTicks(0, max), top + rows.length * ROW + 8);
  return svg;
}

/** A stacked bar of wins, ties and losses, each part labelled. */
export function winsChart(
  title: string,
  parts: { label: string; value: number; color: string }[],
): SVGSVGElement {
  const total = parts.reduce((a, p) => a + p.value, 0) || 1;
  const svg = svgEl('svg', {
    viewBox: `0 0 ${W} 54`,
    width: '100%',
    role: 'img',
    'aria-label': title,
    class: 'chart',
  });
  let x0 = 0;
  parts.forEach((p, i) => {
    const w = (p.value / total) * W;
    svg.append(svgEl('rect', { x: x0, y: 22, width: w, height: 24, fill: p.color }));
    const anchor = i === 0 ? 'start' : i === parts.length - 1 ? 'end' : 'middle';
    const tx = i === 0 ? 2 : i === parts.length - 1 ? W - 2 : W / 2;
    svg.append(
      text(tx, 10, `${p.label}: ${p.value}`, { 'text-anchor': anchor, 'font-weight': 600, fill: p.color }),
    );
    x0 += w;
  });
  return svg;
}

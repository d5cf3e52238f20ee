/**
 * The report's charts as plain SVG strings: a handful of chart shapes is all the report needs, so
 * writing them costs less than inlining a charting library (tens to hundreds of kB) and keeps the
 * page static, readable without scripts, and free of any request.
 */

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const n2 = (x: number): string => (Math.round(x * 100) / 100).toString();

export const COLORS = { model: '#4c78a8', strategy: '#f58518', best: '#d62728', grid: '#e5e7eb', axis: '#6b7280', text: '#111827' };

function svg(width: number, height: number, label: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${esc(label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${n2(x)}" y="${n2(y)}" ${attrs}>${esc(s)}</text>`;
}

/** A domain around [min, max] on 0.05 steps within [0, 1], so close scores stay distinguishable. */
export function unitDomain(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const lo = Math.max(0, Math.floor((Math.min(...finite) - 0.02) * 20) / 20);
  const hi = Math.min(1, Math.ceil((Math.max(...finite) + 0.02) * 20) / 20);
  return hi - lo < 0.1 ? [Math.max(0, hi - 0.1), Math.max(hi, 0.1)] : [lo, hi];
}

/** Ticks from 0 at a round step (1, 2 or 5 times a power of ten) up to max. */
function niceTicks(max: number): number[] {
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-12; t += step) out.push(t);
  return out;
}

function ticks(lo: number, hi: number, count = 5): number[] {
  const step = (hi - lo) / count;
  return Array.from({ length: count + 1 }, (_, i) => lo + i * step);
}

export interface BarRow {
  name: string;
  kind: 'model' | 'strategy';
  value: number;
  low: number;
  high: number;
  highlight?: boolean;
}

/** Horizontal bars with interval whiskers, one row per entry, in the given order. */
export function barChartWithIntervals(rows: readonly BarRow[], axisLabel: string): string {
  const labelW = Math.min(260, 8 + 6.6 * Math.max(8, ...rows.map((r) => r.name.length)));
  const plotW = 460;
  const rowH = 20;
  const top = 10;
  const width = labelW + plotW + 70;
  const height = top + rows.length * rowH + 40;
  const [lo, hi] = unitDomain(rows.flatMap((r) => [r.low, r.high, r.value]));
  const x = (v: number): number => labelW + ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * plotW;
  let body = '';
  for (const t of ticks(lo, hi)) {
    body += `<line x1="${n2(x(t))}" x2="${n2(x(t))}" y1="${top}" y2="${top + rows.length * rowH}" stroke="${COLORS.grid}"/>`;
    body += text(x(t), top + rows.length * rowH + 14, (100 * t).toFixed(0), `text-anchor="middle" font-size="11" fill="${COLORS.axis}"`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const color = r.highlight ? COLORS.best : COLORS[r.kind];
    body += text(labelW - 6, y + 14, r.name, `text-anchor="end" font-size="12" fill="${COLORS.text}"${r.highlight ? ' font-weight="bold"' : ''}`);
    body += `<rect class="bar" x="${labelW}" y="${y + 4}" width="${n2(Math.max(0.5, x(r.value) - labelW))}" height="${rowH - 8}" fill="${color}" opacity="0.85"><title>${esc(`${r.name}: ${(100 * r.value).toFixed(1)} (95% CI ${(100 * r.low).toFixed(1)}-${(100 * r.high).toFixed(1)})`)}</title></rect>`;
    body += `<line x1="${n2(x(r.low))}" x2="${n2(x(r.high))}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="${COLORS.text}" stroke-width="1.5"/>`;
    for (const v of [r.low, r.high]) body += `<line x1="${n2(x(v))}" x2="${n2(x(v))}" y1="${y + 6}" y2="${y + rowH - 6}" stroke="${COLORS.text}" stroke-width="1.5"/>`;
    body += text(labelW + plotW + 6, y + 14, (100 * r.value).toFixed(1), `font-size="11" fill="${COLORS.axis}"`);
  });
  body += text(labelW + plotW / 2, height - 6, axisLabel, `text-anchor="middle" font-size="12" fill="${COLORS.axis}"`);
  return svg(width, height, axisLabel, body);
}

function heatColor(t: number, diverging: boolean): string {
  const v = Math.max(diverging ? -1 : 0, Math.min(1, t));
  if (diverging && v < 0) {
    const a = -v;
    return `rgb(${Math.round(255 - 40 * a)},${Math.round(255 - 150 * a)},${Math.round(255 - 150 * a)})`;
  }
  return `rgb(${Math.round(255 - 200 * v)},${Math.round(255 - 130 * v)},${Math.round(255 - 60 * v)})`;
}

/**
 * A labelled heatmap. `shade[r][c]` in [0, 1] (or [-1, 1] when diverging) colours a cell, `values`
 * is printed in it.
 */
export function heatmap(rowLabels: readonly string[], colLabels: readonly string[], values: readonly (readonly string[])[], shade: readonly (readonly number[])[], options: { label: string; diverging?: boolean; rowTitle?: string; colTitle?: string }): string {
  const cell = Math.max(26, Math.min(44, 520 / Math.max(1, colLabels.length)));
  const labelW = Math.min(240, 10 + 6.4 * Math.max(4, ...rowLabels.map((l) => l.length)));
  const headH = Math.min(170, 14 + 5.6 * Math.max(4, ...colLabels.map((l) => l.length)));
  // Column labels are rotated 45 degrees: leave room for the last ones to the right.
  const width = labelW + cell * colLabels.length + Math.max(10, headH * 0.75);
  const height = headH + cell * rowLabels.length + (options.rowTitle ? 24 : 10);
  let body = '';
  colLabels.forEach((l, c) => {
    const cx = labelW + c * cell + cell / 2;
    body += text(cx, headH - 6, l, `font-size="11" fill="${COLORS.text}" transform="rotate(-45 ${n2(cx)} ${headH - 6})"`);
  });
  rowLabels.forEach((l, r) => {
    const y = headH + r * cell;
    body += text(labelW - 6, y + cell / 2 + 4, l, `text-anchor="end" font-size="11" fill="${COLORS.text}"`);
    colLabels.forEach((cl, c) => {
      const t = shade[r]?.[c] ?? 0;
      const v = values[r]?.[c] ?? '';
      body += `<rect class="cell" x="${n2(labelW + c * cell)}" y="${n2(y)}" width="${n2(cell - 1)}" height="${n2(cell - 1)}" fill="${heatColor(t, options.diverging ?? false)}"><title>${esc(`${l} / ${cl}: ${v}`)}</title></rect>`;
      body += text(labelW + c * cell + cell / 2, y + cell / 2 + 4, v, `text-anchor="middle" font-size="10" fill="${Math.abs(t) > 0.6 ? '#fff' : COLORS.text}"`);
    });
  });
  if (options.rowTitle) body += text(labelW + (cell * colLabels.length) / 2, height - 6, options.rowTitle, `text-anchor="middle" font-size="11" fill="${COLORS.axis}"`);
  return svg(width, height, options.label, body);
}

/** A reliability diagram: bin confidence against bin accuracy, dots sized by count, the diagonal as reference. */
export function reliabilityDiagram(title: string, bins: readonly { confidence: number; accuracy: number; count: number }[], ece: number | null): string {
  const size = 200;
  const pad = 30;
  const width = size + pad + 10;
  const height = size + pad + 26;
  const x = (v: number): number => pad + v * size;
  const y = (v: number): number => 20 + (1 - v) * size;
  const total = bins.reduce((s, b) => s + b.count, 0) || 1;
  let body = text(width / 2, 13, `${title}${ece === null ? '' : ` (ECE ${ece.toFixed(3)})`}`, `text-anchor="middle" font-size="11" font-weight="bold" fill="${COLORS.text}"`);
  body += `<rect x="${pad}" y="20" width="${size}" height="${size}" fill="none" stroke="${COLORS.grid}"/>`;
  for (const t of [0, 0.5, 1]) {
    body += text(x(t), 20 + size + 12, t.toFixed(1), `text-anchor="middle" font-size="9" fill="${COLORS.axis}"`);
    body += text(pad - 4, y(t) + 3, t.toFixed(1), `text-anchor="end" font-size="9" fill="${COLORS.axis}"`);
  }
  body += `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="${COLORS.axis}" stroke-dasharray="4 3"/>`;
  const pts = [...bins].sort((a, b) => a.confidence - b.confidence);
  if (pts.length > 1) body += `<polyline fill="none" stroke="${COLORS.strategy}" stroke-width="1.5" points="${pts.map((b) => `${n2(x(b.confidence))},${n2(y(b.accuracy))}`).join(' ')}"/>`;
  for (const b of pts) {
    body += `<circle class="dot" cx="${n2(x(b.confidence))}" cy="${n2(y(b.accuracy))}" r="${n2(2 + 6 * Math.sqrt(b.count / total))}" fill="${COLORS.strategy}" opacity="0.8"><title>${esc(`confidence ${b.confidence.toFixed(2)}, accuracy ${b.accuracy.toFixed(2)}, ${b.count} items`)}</title></circle>`;
  }
  body += text(pad + size / 2, height - 2, 'confidence -> accuracy', `text-anchor="middle" font-size="9" fill="${COLORS.axis}"`);
  return svg(width, height, `reliability of ${title}`, body);
}

export interface ScatterPoint {
  name: string;
  kind: 'model' | 'strategy';
  x: number;
  y: number;
  pareto: boolean;
}

/** Quality against cost: models and strategies as dots, the Pareto front as a step line, extra curves as lines. */
export function costQualityChart(points: readonly ScatterPoint[], curves: readonly { name: string; points: readonly { x: number; y: number }[] }[], xLabel: string): string {
  const width = 720;
  const height = 380;
  const left = 50;
  const right = 180;
  const top = 14;
  const bottom = 40;
  const all = [...points, ...curves.flatMap((c) => c.points)];
  const maxX = Math.max(1e-9, ...all.map((p) => p.x)) * 1.08;
  const [lo, hi] = unitDomain(all.map((p) => p.y));
  const x = (v: number): number => left + (v / maxX) * (width - left - right);
  const y = (v: number): number => top + (1 - (v - lo) / (hi - lo)) * (height - top - bottom);
  let body = '';
  for (const t of ticks(lo, hi)) {
    body += `<line x1="${left}" x2="${width - right}" y1="${n2(y(t))}" y2="${n2(y(t))}" stroke="${COLORS.grid}"/>`;
    body += text(left - 6, y(t) + 4, (100 * t).toFixed(0), `text-anchor="end" font-size="11" fill="${COLORS.axis}"`);
  }
  for (const t of niceTicks(maxX)) body += text(x(t), height - bottom + 16, String(Number(t.toPrecision(6))), `text-anchor="middle" font-size="11" fill="${COLORS.axis}"`);
  const front = points.filter((p) => p.pareto).sort((a, b) => a.x - b.x);
  if (front.length > 0) {
    let d = `M${n2(x(front[0]?.x ?? 0))},${n2(y(front[0]?.y ?? 0))}`;
    for (const p of front.slice(1)) d += ` H${n2(x(p.x))} V${n2(y(p.y))}`;
    body += `<path class="pareto" d="${d}" fill="none" stroke="${COLORS.best}" stroke-width="1.5" stroke-dasharray="5 3"/>`;
  }
  const curveColors = ['#54a24b', '#b279a2', '#9d755d'];
  curves.forEach((c, k) => {
    const color = curveColors[k % curveColors.length] as string;
    body += `<polyline class="curve" fill="none" stroke="${color}" stroke-width="2" points="${[...c.points].sort((a, b) => a.x - b.x).map((p) => `${n2(x(p.x))},${n2(y(p.y))}`).join(' ')}"><title>${esc(c.name)}</title></polyline>`;
    body += text(width - right + 10, top + 58 + 14 * k, c.name, `font-size="11" fill="${color}"`);
  });
  // Strategies share one cost (the whole ensemble): list their names beside the column instead of overlapping labels.
  const byX = new Map<string, ScatterPoint[]>();
  for (const p of points) byX.set(`${p.kind}:${p.x}`, [...(byX.get(`${p.kind}:${p.x}`) ?? []), p]);
  for (const p of points) {
    body += `<circle class="dot" cx="${n2(x(p.x))}" cy="${n2(y(p.y))}" r="${p.pareto ? 5 : 3.5}" fill="${COLORS[p.kind]}" stroke="${p.pareto ? COLORS.best : 'none'}" stroke-width="1.5"><title>${esc(`${p.name}: ${(100 * p.y).toFixed(1)} at ${n2(p.x)}`)}</title></circle>`;
  }
  for (const group of byX.values()) {
    const sorted = [...group].sort((a, b) => b.y - a.y);
    const labelled = sorted.length > 3 ? [sorted[0] as ScatterPoint] : sorted;
    for (const p of labelled) {
      const suffix = sorted.length > 3 ? ` (+${sorted.length - 1} more)` : '';
      body += text(x(p.x) + 7, y(p.y) + 4, `${p.name}${suffix}`, `font-size="10" fill="${COLORS.text}"`);
    }
  }
  body += `<circle cx="${width - right + 14}" cy="${top + 4}" r="4" fill="${COLORS.model}"/>${text(width - right + 22, top + 8, 'model', 'font-size="11"')}`;
  body += `<circle cx="${width - right + 14}" cy="${top + 20}" r="4" fill="${COLORS.strategy}"/>${text(width - right + 22, top + 24, 'strategy', 'font-size="11"')}`;
  body += `<line x1="${width - right + 8}" x2="${width - right + 20}" y1="${top + 36}" y2="${top + 36}" stroke="${COLORS.best}" stroke-dasharray="5 3"/>${text(width - right + 22, top + 40, 'Pareto front', 'font-size="11"')}`;
  body += text(left + (width - left - right) / 2, height - 6, xLabel, `text-anchor="middle" font-size="12" fill="${COLORS.axis}"`);
  return svg(width, height, 'accuracy against cost', body);
}

const REASON_COLORS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#9d755d'];

/** One stacked horizontal bar per row, segments by category. */
export function stackedBars(rows: readonly { name: string; counts: Record<string, number> }[], categories: readonly string[], label: string): string {
  const labelW = Math.min(260, 8 + 6.6 * Math.max(8, ...rows.map((r) => r.name.length)));
  const plotW = 420;
  const rowH = 20;
  const max = Math.max(1, ...rows.map((r) => Object.values(r.counts).reduce((s, v) => s + v, 0)));
  const width = labelW + plotW + 60;
  const height = 30 + rows.length * rowH + 20;
  let body = '';
  let lx = labelW;
  categories.forEach((c, k) => {
    body += `<rect x="${n2(lx)}" y="4" width="10" height="10" fill="${REASON_COLORS[k % REASON_COLORS.length]}"/>${text(lx + 14, 13, c, 'font-size="11"')}`;
    lx += 24 + 6.5 * c.length;
  });
  rows.forEach((r, i) => {
    const y = 24 + i * rowH;
    body += text(labelW - 6, y + 14, r.name, `text-anchor="end" font-size="12" fill="${COLORS.text}"`);
    let x0 = labelW;
    let total = 0;
    categories.forEach((c, k) => {
      const v = r.counts[c] ?? 0;
      if (v === 0) return;
      const w = (v / max) * plotW;
      body += `<rect class="bar" x="${n2(x0)}" y="${y + 4}" width="${n2(Math.max(1, w))}" height="${rowH - 8}" fill="${REASON_COLORS[k % REASON_COLORS.length]}"><title>${esc(`${r.name}: ${v} ${c}`)}</title></rect>`;
      x0 += w;
      total += v;
    });
    body += text(x0 + 4, y + 14, String(total), `font-size="11" fill="${COLORS.axis}"`);
  });
  return svg(width, height, label, body);
}

/** Plain horizontal bars from 0 to `max` (default 1), e.g. mixture weights. */
export function simpleBars(rows: readonly { name: string; value: number }[], label: string, max = 1): string {
  const labelW = Math.min(260, 8 + 6.6 * Math.max(8, ...rows.map((r) => r.name.length)));
  const plotW = 360;
  const rowH = 20;
  const width = labelW + plotW + 60;
  const height = rows.length * rowH + 26;
  let body = '';
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = (Math.max(0, r.value) / max) * plotW;
    body += text(labelW - 6, y + 14, r.name, `text-anchor="end" font-size="12" fill="${COLORS.text}"`);
    body += `<rect class="bar" x="${labelW}" y="${y + 4}" width="${n2(Math.max(0.5, w))}" height="${rowH - 8}" fill="${COLORS.strategy}"><title>${esc(`${r.name}: ${r.value.toFixed(3)}`)}</title></rect>`;
    body += text(labelW + w + 4, y + 14, r.value.toFixed(2), `font-size="11" fill="${COLORS.axis}"`);
  });
  body += text(labelW + plotW / 2, height - 4, label, `text-anchor="middle" font-size="12" fill="${COLORS.axis}"`);
  return svg(width, height, label, body);
}

/**
 * Ticks on a round step (1, 2 or 5 times a power of ten) within [lo, hi], at most 11 of them; at
 * least a whole step on a scale at least 2 wide (1-5, 0-10): half scores would suggest a resolution
 * judges' scales rarely have.
 */
export function scaleTicks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 10 || 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const round = ([1, 2, 5, 10].find((m) => m * pow >= raw - 1e-12) ?? 10) * pow;
  const step = hi - lo >= 2 ? Math.max(1, round) : round;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

export interface ScoredPoint {
  item: string;
  /** The gold score (x) and the fused one (y) with its interval. */
  gold: number;
  score: number;
  low: number;
  high: number;
}

/**
 * Fused score against gold on one scale: a dot per item, its interval as a light vertical bar (red
 * when it misses the gold score), the diagonal where a perfect fuser would sit.
 */
export function scoreScatter(points: readonly ScoredPoint[], scale: { min: number; max: number }, label: string): string {
  const size = 360;
  const left = 44;
  const top = 12;
  const width = left + size + 16;
  const height = top + size + 42;
  const span = scale.max - scale.min || 1;
  const clip = (v: number): number => Math.min(scale.max, Math.max(scale.min, v));
  const x = (v: number): number => left + ((clip(v) - scale.min) / span) * size;
  const y = (v: number): number => top + (1 - (clip(v) - scale.min) / span) * size;
  let body = `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="${COLORS.grid}"/>`;
  for (const t of scaleTicks(scale.min, scale.max)) {
    body += `<line x1="${n2(x(t))}" x2="${n2(x(t))}" y1="${top}" y2="${top + size}" stroke="${COLORS.grid}"/><line x1="${left}" x2="${left + size}" y1="${n2(y(t))}" y2="${n2(y(t))}" stroke="${COLORS.grid}"/>`;
    body += text(x(t), top + size + 14, String(Number(t.toPrecision(4))), `text-anchor="middle" font-size="11" fill="${COLORS.axis}"`);
    body += text(left - 6, y(t) + 4, String(Number(t.toPrecision(4))), `text-anchor="end" font-size="11" fill="${COLORS.axis}"`);
  }
  body += `<line x1="${x(scale.min)}" y1="${y(scale.min)}" x2="${x(scale.max)}" y2="${y(scale.max)}" stroke="${COLORS.axis}" stroke-dasharray="4 3"/>`;
  for (const p of points) {
    const held = p.gold >= p.low - 1e-9 && p.gold <= p.high + 1e-9;
    body += `<line class="interval" x1="${n2(x(p.gold))}" x2="${n2(x(p.gold))}" y1="${n2(y(p.low))}" y2="${n2(y(p.high))}" stroke="${held ? COLORS.strategy : COLORS.best}" stroke-width="2" opacity="0.25"/>`;
  }
  for (const p of points) {
    body += `<circle class="dot" cx="${n2(x(p.gold))}" cy="${n2(y(p.score))}" r="2.5" fill="${COLORS.strategy}" opacity="0.8"><title>${esc(`${p.item}: gold ${p.gold}, fused ${p.score.toFixed(2)} [${p.low.toFixed(2)}, ${p.high.toFixed(2)}]`)}</title></circle>`;
  }
  body += text(left + size / 2, height - 6, 'gold score -> fused score', `text-anchor="middle" font-size="12" fill="${COLORS.axis}"`);
  return svg(width, height, label, body);
}

/** Each judge's bias as a dot on a zero line, with a bar of one noise SD either side. */
export function biasNoiseChart(rows: readonly { name: string; bias: number; noise: number }[], label: string): string {
  const labelW = Math.min(260, 8 + 6.6 * Math.max(8, ...rows.map((r) => r.name.length)));
  const plotW = 420;
  const rowH = 20;
  const width = labelW + plotW + 20;
  const height = rows.length * rowH + 44;
  const finite = rows.filter((r) => Number.isFinite(r.bias));
  const reach = Math.max(1e-9, ...finite.map((r) => Math.abs(r.bias) + (Number.isFinite(r.noise) ? r.noise : 0))) * 1.1;
  const x = (v: number): number => labelW + ((Math.min(reach, Math.max(-reach, v)) + reach) / (2 * reach)) * plotW;
  let body = '';
  for (const t of ticks(-reach, reach, 4)) {
    body += `<line x1="${n2(x(t))}" x2="${n2(x(t))}" y1="4" y2="${4 + rows.length * rowH}" stroke="${Math.abs(t) < 1e-12 ? COLORS.axis : COLORS.grid}"/>`;
    body += text(x(t), 4 + rows.length * rowH + 14, t.toFixed(2), `text-anchor="middle" font-size="11" fill="${COLORS.axis}"`);
  }
  rows.forEach((r, i) => {
    const cy = 4 + i * rowH + rowH / 2;
    body += text(labelW - 6, cy + 4, r.name, `text-anchor="end" font-size="12" fill="${COLORS.text}"`);
    if (!Number.isFinite(r.bias)) return;
    const sd = Number.isFinite(r.noise) ? r.noise : 0;
    body += `<line x1="${n2(x(r.bias - sd))}" x2="${n2(x(r.bias + sd))}" y1="${cy}" y2="${cy}" stroke="${COLORS.model}" stroke-width="6" opacity="0.3"/>`;
    body += `<circle class="dot" cx="${n2(x(r.bias))}" cy="${cy}" r="4" fill="${COLORS.model}"><title>${esc(`${r.name}: bias ${r.bias.toFixed(3)}, noise ${sd.toFixed(3)}`)}</title></circle>`;
  });
  body += text(labelW + plotW / 2, height - 6, label, `text-anchor="middle" font-size="12" fill="${COLORS.axis}"`);
  return svg(width, height, label, body);
}

import type { AbstentionReason } from '../../normalize/types.js';
import type { Scale } from './scale.js';

export interface RatingMatrix {
  itemIds: string[];
  /** Model names, in order. */
  judges: string[];
  scale: Scale;
  /** scores[i * judges.length + j]: judge j's score of item i, the mean of its readable samples; NaN when it gave none. */
  scores: Float64Array;
  /** Optional per-sample scores, sampleScores[s][i * J + j] (NaN where that sample is absent): prompt variants or repeated samples. */
  sampleScores?: Float64Array[];
  /** Categorical facts about each item a strategy may use (e.g. the criterion header of the text); null = unknown. */
  features: { name: string; values: (string | null)[] }[];
  /** Items that share a group (e.g. one story rated on several criteria) are kept in one fold; null = ungrouped. */
  groups: (string | null)[] | null;
}

/** What a score reader makes of one answer (the shape of read-score.ts's ScoreReading). */
export type ScoreReading =
  | { kind: 'score'; score: number; method: string }
  | { kind: 'abstain'; reason: AbstentionReason; detail?: string };

export type ScoreReader = (output: string, scale: Scale) => ScoreReading;

export interface RatingAbstention {
  model: string;
  item: string;
  sample: number;
  reason: AbstentionReason;
  detail?: string;
  output: string;
}

export interface RatingInput {
  items: { id: string; text: string }[];
  responses: { item: string; model: string; output: string; sample?: number }[];
  scale: Scale;
}

/** The name of the feature that holds each item's header line. */
export const HEADER_FEATURE = 'header';

/** The rows of `m` (in the order given), with every per-item field cut alike. */
export function selectRatingItems(m: RatingMatrix, rows: readonly number[]): RatingMatrix {
  const J = m.judges.length;
  const cut = (a: Float64Array): Float64Array => {
    const out = new Float64Array(rows.length * J);
    rows.forEach((i, r) => out.set(a.subarray(i * J, (i + 1) * J), r * J));
    return out;
  };
  return {
    itemIds: rows.map((i) => m.itemIds[i] as string),
    judges: m.judges,
    scale: m.scale,
    scores: cut(m.scores),
    ...(m.sampleScores ? { sampleScores: m.sampleScores.map(cut) } : {}),
    features: m.features.map((f) => ({ name: f.name, values: rows.map((i) => f.values[i] ?? null) })),
    groups: m.groups ? rows.map((i) => m.groups?.[i] ?? null) : null,
  };
}

function firstLine(text: string): { head: string; rest: string } | null {
  const cut = text.indexOf('\n');
  if (cut < 0) return null;
  const head = text.slice(0, cut).trim();
  const rest = text.slice(cut + 1).trim();
  return head === '' || rest === '' ? null : { head, rest };
}

/**
 * The header of each item: its first line, when first lines form a small shared vocabulary. A
 * header names what the score means (the criterion or trait the judge was asked about), so the
 * same judge score can mean different gold scores under different headers. It is told from
 * content by how it repeats: a header line is shared by many items and there are few of them
 * (at most the square root of the item count, so each value has on average as many items as
 * there are values), while a first line that is content (a source sentence, a title) is mostly
 * unique. A first line used by a single item is no header (null); a single value for every item
 * tells nothing, so there must be at least two, covering at least half of the items.
 */
export function headerValues(texts: readonly string[]): (string | null)[] | null {
  const heads = texts.map((t) => firstLine(t)?.head ?? null);
  const counts = new Map<string, number>();
  for (const h of heads) if (h !== null) counts.set(h, (counts.get(h) ?? 0) + 1);
  const shared = [...counts].filter(([, c]) => c >= 2);
  const covered = shared.reduce((a, [, c]) => a + c, 0);
  if (shared.length < 2 || shared.length > Math.sqrt(texts.length) || covered * 2 < texts.length) return null;
  const keep = new Set(shared.map(([h]) => h));
  return heads.map((h) => (h !== null && keep.has(h) ? h : null));
}

/**
 * Groups of items whose text is the same once the header is removed (one story rated on several
 * criteria): they share what is rated, so one must never train on an item's siblings while
 * testing on it. Null when no two items share a text.
 */
export function textGroups(texts: readonly string[], headers: readonly (string | null)[] | null): (string | null)[] | null {
  const keys = texts.map((t, i) => (headers?.[i] != null ? (firstLine(t)?.rest ?? t) : t).trim());
  const first = new Map<string, number>();
  const size = new Map<string, number>();
  keys.forEach((k, i) => {
    if (!first.has(k)) first.set(k, i);
    size.set(k, (size.get(k) ?? 0) + 1);
  });
  if ([...size.values()].every((c) => c === 1)) return null;
  return keys.map((k) => ((size.get(k) as number) > 1 ? `g${first.get(k) as number}` : null));
}

/**
 * Reads every answer with `read` and builds the matrix: a judge's score of an item is the mean of
 * its readable samples; answers it cannot read are listed as abstentions with their reason.
 * Judges are in the order of their first answer; answers about unknown items are ignored.
 * Features and groups come from the items' texts only (see headerValues and textGroups).
 */
export function buildRatingMatrix(input: RatingInput, read: ScoreReader): { matrix: RatingMatrix; abstentions: RatingAbstention[] } {
  const { items, responses, scale } = input;
  const row = new Map<string, number>();
  items.forEach((it, i) => row.set(it.id, i));
  const judges: string[] = [];
  const judgeIndex = new Map<string, number>();
  let samples = 1;
  for (const r of responses) {
    if (!row.has(r.item)) continue;
    if (!judgeIndex.has(r.model)) {
      judgeIndex.set(r.model, judges.length);
      judges.push(r.model);
    }
    samples = Math.max(samples, (r.sample ?? 0) + 1);
  }
  const N = items.length;
  const J = judges.length;
  const sum = new Float64Array(N * J);
  const count = new Float64Array(N * J);
  const perSample = responses.some((r) => r.sample !== undefined) ? Array.from({ length: samples }, () => new Float64Array(N * J).fill(Number.NaN)) : null;
  const abstentions: RatingAbstention[] = [];
  for (const r of responses) {
    const i = row.get(r.item);
    if (i === undefined) continue;
    const cell = i * J + (judgeIndex.get(r.model) as number);
    const sample = r.sample ?? 0;
    const reading = read(r.output, scale);
    if (reading.kind === 'abstain') {
      abstentions.push({ model: r.model, item: r.item, sample, reason: reading.reason, ...(reading.detail !== undefined ? { detail: reading.detail } : {}), output: r.output });
      continue;
    }
    sum[cell] = (sum[cell] as number) + reading.score;
    count[cell] = (count[cell] as number) + 1;
    if (perSample) (perSample[sample] as Float64Array)[cell] = reading.score;
  }
  const scores = new Float64Array(N * J);
  for (let x = 0; x < N * J; x++) scores[x] = (count[x] as number) > 0 ? (sum[x] as number) / (count[x] as number) : Number.NaN;
  const texts = items.map((it) => it.text);
  const headers = headerValues(texts);
  const matrix: RatingMatrix = {
    itemIds: items.map((it) => it.id),
    judges,
    scale,
    scores,
    ...(perSample && samples > 1 ? { sampleScores: perSample } : {}),
    features: headers ? [{ name: HEADER_FEATURE, values: headers }] : [],
    groups: textGroups(texts, headers),
  };
  return { matrix, abstentions };
}

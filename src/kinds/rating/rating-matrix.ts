import { type AbstentionReason, CUT_READING } from '../../normalize/types.js';
import type { ScoreReading } from './read-score.js';
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

export type { ScoreReading };

/** How a judge's raw answer is read into a score (readScore, or a stand-in in tests). */
export type ScoreReader = (output: string, scale: Scale) => ScoreReading;

/** `answer` read with `read`, unless the tool cut it at its length limit (CUT_READING): every reader of rating answers goes through here. */
export function readAnswerScore(read: ScoreReader, answer: { output: string; cut?: boolean }, scale: Scale): ScoreReading {
  return answer.cut ? CUT_READING : read(answer.output, scale);
}

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
  /** `reading`: the answer already read (by a caller that shows each answer's score too), so it is not read again. */
  responses: { item: string; model: string; output: string; sample?: number; cut?: boolean; reading?: ScoreReading }[];
  scale: Scale;
}

/** The name of the feature that holds each item's header line. */
export const HEADER_FEATURE = 'header';
/** The name of the feature that holds each item's field labels. */
export const FIELDS_FEATURE = 'fields';

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

/** The matrix with only the named judges, in that order (a name `m` lacks: a column of NaN), every item kept. */
export function selectJudges(m: RatingMatrix, names: readonly string[]): RatingMatrix {
  const J = m.judges.length;
  const K = names.length;
  const N = m.itemIds.length;
  const cols = names.map((n) => m.judges.indexOf(n));
  const cut = (a: Float64Array): Float64Array => {
    const out = new Float64Array(N * K).fill(Number.NaN);
    for (let i = 0; i < N; i++) cols.forEach((c, k) => c >= 0 && (out[i * K + k] = a[i * J + c] as number));
    return out;
  };
  return { ...m, judges: [...names], scores: cut(m.scores), ...(m.sampleScores ? { sampleScores: m.sampleScores.map(cut) } : {}) };
}

function firstLine(text: string): { head: string; rest: string } | null {
  const cut = text.indexOf('\n');
  if (cut < 0) return null;
  const head = text.slice(0, cut).trim();
  const rest = text.slice(cut + 1).trim();
  return head === '' || rest === '' ? null : { head, rest };
}

/**
 * The values of a categorical fact about the items when they form a small shared vocabulary, null
 * elsewhere: a value counts when at least sqrt(n) items carry it (so there are at most sqrt(n)
 * such values, each backed by as many items as there can be values), there must be two or more
 * (one value for every item tells nothing) and they must cover at least half of the items.
 * Content (a source sentence, a story, one story's six copies) is unique or rare and never passes.
 */
export function sharedVocabulary(values: readonly (string | null)[]): (string | null)[] | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  const least = Math.sqrt(values.length);
  const shared = [...counts].filter(([, c]) => c >= 2 && c >= least);
  const covered = shared.reduce((a, [, c]) => a + c, 0);
  if (shared.length < 2 || covered * 2 < values.length) return null;
  const keep = new Set(shared.map(([v]) => v));
  return values.map((v) => (v !== null && keep.has(v) ? v : null));
}

/**
 * The header of each item: its first line, when first lines form a shared vocabulary
 * (sharedVocabulary). A header names what the score means (the criterion or trait the judge was
 * asked about), so the same judge score can mean a different gold score under another header.
 */
export function headerValues(texts: readonly string[]): (string | null)[] | null {
  return sharedVocabulary(texts.map((t) => firstLine(t)?.head ?? null));
}

const FIELD_LABEL = /^\s*([^:\n]{1,40}?)\s*:(?:\s|$)/;

/**
 * The fields of each item: the labels of its labelled lines in order (`Source (English)`,
 * `Translation (Chinese)`), when they form a shared vocabulary. Like a header, the field labels of
 * a structured text name what is rated (a language pair, whose scores run on a scale of their own);
 * a text whose labels are all the same across items yields no feature.
 */
export function fieldValues(texts: readonly string[]): (string | null)[] | null {
  return sharedVocabulary(
    texts.map((t) => {
      const labels = t.split('\n').flatMap((line) => {
        const m = FIELD_LABEL.exec(line);
        return m ? [m[1] as string] : [];
      });
      return labels.length > 0 ? labels.join(' | ') : null;
    }),
  );
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

/** How many groups textGroups makes of `texts` (an item without siblings is a group of its own): the units rating folds split. */
export function textGroupCount(texts: readonly string[]): number {
  const groups = textGroups(texts, headerValues(texts));
  return groups ? groups.filter((g) => g === null).length + new Set(groups.filter((g) => g !== null)).size : texts.length;
}

/**
 * Reads every answer with `read` and builds the matrix: a judge's score of an item is the mean of
 * its readable samples; answers it cannot read are listed as abstentions with their reason.
 * Judges are in the order of their first answer; answers about unknown items are ignored.
 * Features and groups come from the items' texts only (see headerValues, fieldValues and textGroups).
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
    const reading = r.reading ?? readAnswerScore(read, r, scale);
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
  const fields = fieldValues(texts);
  const matrix: RatingMatrix = {
    itemIds: items.map((it) => it.id),
    judges,
    scale,
    scores,
    ...(perSample && samples > 1 ? { sampleScores: perSample } : {}),
    features: [...(headers ? [{ name: HEADER_FEATURE, values: headers }] : []), ...(fields ? [{ name: FIELDS_FEATURE, values: fields }] : [])],
    groups: textGroups(texts, headers),
  };
  return { matrix, abstentions };
}

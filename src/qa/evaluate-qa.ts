import { kFold, trainIndices } from '../eval/cross-validation.js';
import type { AbstentionReason } from '../normalize/types.js';
import { InputError } from '../task/errors.js';
import type { QaFolder } from '../task/load-folder.js';
import type { Choice, QaAnswerType, RecordedResponse } from '../task/schema.js';
import { readChoice } from '../normalize/qa/multiple-choice.js';
import { type BuiltItem, buildItemAnswers, type RawQaOutput } from './build-items.js';
import { QA_STRATEGIES } from './fusion/registry.js';
import { bestTokenF1, exactMatch, goldCorrect } from './scoring.js';
import { type AnswerCorrectness, type FittedQaStrategy, type QaItemAnswers, type QaPick, type QaStrategy, QaUsageError } from './types.js';

export interface QaEvalOptions {
  folds: number;
  seed: number;
  /** Strategy names to run; all by default. */
  strategies?: readonly string[];
  onProgress?: (done: number, total: number, what: string) => void;
  /** Receives each item's answers and their correctness behind the scores (for the HTML report). */
  onOutcomes?: (outcomes: QaOutcomes) => void;
}

/** One model's or strategy's answer on each item (null: none) and whether it is right (1) or not (0). */
export interface QaEntryOutcomes {
  answers: (string | null)[];
  correct: Uint8Array;
}

/** The per-item outcomes behind a QA evaluation's scores; `scored[i]` is 1 where item i has gold or judgements. */
export interface QaOutcomes {
  itemIds: string[];
  scored: Uint8Array;
  models: QaEntryOutcomes[];
  strategies: QaEntryOutcomes[];
}

export interface QaScore {
  /** Share of scored items whose answer is right (human judgement where given, else gold); no answer counts as wrong. */
  accuracy: number;
  /** Always null for QA: kept so QA and classification rows share one leaderboard shape. */
  macroF1: null;
  /** Share of items with an answer. */
  coverage: number;
  /** Exact match against the gold aliases, after normalization. */
  exactMatch: number;
  /** Mean best token F1 against the gold aliases. */
  f1: number;
}

export interface QaModelEntry extends QaScore {
  name: string;
  abstentions: Partial<Record<AbstentionReason, number>>;
}

export interface QaStrategyEntry extends QaScore {
  name: string;
  supervised: boolean;
  scoredOn: 'out-of-fold';
  /** Share of scored items whose winning cluster holds at least one right answer. */
  clusterAccuracy: number;
  /** What each fold's `auto` chose. */
  picks?: string[];
}

export interface QaEvalResult {
  task: string;
  kind: 'qa';
  answerType: QaAnswerType;
  items: number;
  /** Items with a gold answer or judgements, i.e. the ones scored. */
  scoredItems: number;
  /** `human` when responses carry `correct` judgements, `gold` when scored against gold aliases. */
  scoredBy: 'human' | 'gold';
  folds: number;
  seed: number;
  models: QaModelEntry[];
  strategies: QaStrategyEntry[];
  /** Strategy with the highest accuracy (ties to the first listed). */
  best: string | null;
  /** The best single model with hindsight (highest accuracy on all items): an optimistic baseline. */
  bestSingle: { name: string; accuracy: number } | null;
  /** Share of scored items on which at least one answer is right. */
  oracle: number;
  /** Mean number of answer clusters per item. */
  meanClusters: number;
  /** Unreadable outputs, up to 20 per model and reason, for the report. */
  rejected: { model: string; item: string; reason: AbstentionReason; detail?: string; output: string }[];
  elapsedMs: number;
}

/** The folder's answers, ready for fusion: one entry per item, gold-free. */
export interface PreparedQa {
  models: string[];
  built: BuiltItem[];
  /** Per item, per readable answer: right or wrong, or null where unknown. Kept apart from the items. */
  correct: AnswerCorrectness[];
  /** Per item: the gold answer and its aliases (for exact match and token F1), empty when unknown. */
  gold: string[][];
  /** Per item: its raw responses in input order. */
  responsesByItem: RecordedResponse[][];
  /** `human` when any response carries a `correct` judgement (used for that answer), else `gold`. */
  scoredBy: 'human' | 'gold';
}

/** Multiple-choice gold given as a choice's text ("Paris") is read as that choice's label. */
function goldAliases(answers: readonly string[], choices: readonly Choice[] | undefined): string[] {
  if (!choices || choices.length === 0) return [...answers];
  const labels = new Set(choices.map((c) => c.label.toUpperCase()));
  return answers.map((g) => {
    if (labels.has(g.trim().toUpperCase())) return g.trim().toUpperCase();
    const r = readChoice(g, choices);
    return r.kind === 'choice' ? r.label : g;
  });
}

/** Reads every output, clusters per item and records each answer's correctness (kept apart from the items). */
export function prepareQa(folder: QaFolder): PreparedQa {
  const models: string[] = [];
  const modelIndex = new Map<string, number>();
  const byItem = new Map<string, RecordedResponse[]>();
  for (const r of folder.responses) {
    if (!modelIndex.has(r.model)) {
      modelIndex.set(r.model, models.length);
      models.push(r.model);
    }
    const list = byItem.get(r.item);
    if (list) list.push(r);
    else byItem.set(r.item, [r]);
  }
  const human = folder.responses.some((r) => r.correct !== undefined);
  const built: BuiltItem[] = [];
  const correct: AnswerCorrectness[] = [];
  const gold: string[][] = [];
  const responsesByItem: RecordedResponse[][] = [];
  for (const item of folder.items) {
    const responses = byItem.get(item.id) ?? [];
    const outputs: RawQaOutput[] = responses.map((r) => ({ model: modelIndex.get(r.model) as number, ...(r.sample === undefined ? {} : { sample: r.sample }), output: r.output }));
    const b = buildItemAnswers(item.id, item.question, { answerType: folder.task.answerType, ...(item.choices ? { choices: item.choices } : {}) }, outputs, models.length);
    const aliases = goldAliases(item.answers ?? [], item.choices);
    const corr: (boolean | null)[] = new Array(b.item.answers.length).fill(null);
    responses.forEach((r, k) => {
      const a = b.answerIndex[k] as number;
      if (a < 0) return;
      const reading = b.item.answers[a]?.reading;
      if (r.correct !== undefined) corr[a] = r.correct;
      else if (aliases.length > 0 && reading) corr[a] = goldCorrect(reading, aliases);
    });
    built.push(b);
    correct.push(corr);
    gold.push(aliases);
    responsesByItem.push(responses);
  }
  return { models, built, correct, gold, responsesByItem, scoredBy: human ? 'human' : 'gold' };
}

function isScored(p: PreparedQa, i: number): boolean {
  return (p.gold[i]?.length ?? 0) > 0 || (p.responsesByItem[i] ?? []).some((r) => r.correct !== undefined);
}

interface Tally {
  hit: number;
  answered: number;
  em: number;
  f1: number;
}

function finish(t: Tally, scored: number, items: number): QaScore {
  return {
    accuracy: scored === 0 ? 0 : t.hit / scored,
    macroF1: null,
    coverage: items === 0 ? 0 : t.answered / items,
    exactMatch: scored === 0 ? 0 : t.em / scored,
    f1: scored === 0 ? 0 : t.f1 / scored,
  };
}

/** A model's own answer on an item: the cluster most of its samples fall in, stated by its first sample there. */
function modelAnswer(item: QaItemAnswers, m: number): number {
  const C = item.clusters.length;
  let bestC = -1;
  for (let c = 0; c < C; c++) if (bestC < 0 || (item.share[m * C + c] as number) > (item.share[m * C + bestC] as number) + 1e-12) bestC = c;
  if (bestC < 0 || (item.share[m * C + bestC] as number) === 0) return -1;
  return item.clusters[bestC]?.members.find((a) => item.answers[a]?.model === m) ?? -1;
}

/** Out-of-fold picks of one strategy, in item order. */
export function crossValidatePicks(strategy: QaStrategy, p: PreparedQa, folds: readonly number[][], seed: number): { picks: (QaPick | null)[]; fitted: FittedQaStrategy[] } {
  const n = p.built.length;
  const picks: (QaPick | null)[] = new Array(n).fill(null);
  const fitted: FittedQaStrategy[] = [];
  for (const test of folds) {
    const train = trainIndices(n, test);
    const f = strategy.fit(
      train.map((i) => (p.built[i] as BuiltItem).item),
      train.map((i) => p.correct[i] ?? []),
      { seed, models: p.models },
    );
    fitted.push(f);
    for (const i of test) picks[i] = f.pick((p.built[i] as BuiltItem).item);
  }
  return { picks, fitted };
}

/**
 * Evaluates every QA fusion strategy on a folder: out-of-fold (plain seeded k-fold) for all of
 * them, so supervised and unsupervised strategies are compared on the same footing, against each
 * model alone, the hindsight best single model and the oracle.
 */
export async function evaluateQaFolder(folder: QaFolder, opts: QaEvalOptions): Promise<QaEvalResult> {
  const t0 = Date.now();
  const unknown = (opts.strategies ?? []).filter((n) => !QA_STRATEGIES.some((s) => s.name === n));
  if (unknown.length > 0) throw new QaUsageError(`unknown QA strategy ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${QA_STRATEGIES.map((s) => s.name).join(', ')})`);
  const strategies = opts.strategies ? QA_STRATEGIES.filter((s) => opts.strategies?.includes(s.name)) : QA_STRATEGIES;
  const total = strategies.length + 1;
  const p = prepareQa(folder);
  opts.onProgress?.(1, total, 'read and clustered answers');
  const n = p.built.length;
  const scoredIdx = p.built.map((_, i) => i).filter((i) => isScored(p, i));
  if (scoredIdx.length === 0) {
    throw new InputError([{ file: `${folder.dir}/items.jsonl`, field: 'answers', message: 'no item has gold answers and no response has a `correct` judgement: nothing to score' }]);
  }
  if (n < opts.folds) throw new InputError([{ file: `${folder.dir}/items.jsonl`, message: `cannot make ${opts.folds} folds from ${n} items` }]);

  const outcomesOf = (answerOf: (i: number) => number): QaEntryOutcomes => ({
    answers: p.built.map((b, i) => {
      const a = answerOf(i);
      return a < 0 ? null : (b.item.answers[a]?.reading.text ?? null);
    }),
    correct: Uint8Array.from(p.built, (_, i) => {
      const a = answerOf(i);
      return a >= 0 && p.correct[i]?.[a] === true ? 1 : 0;
    }),
  });
  const modelOutcomes: QaEntryOutcomes[] = [];
  const strategyOutcomes: QaEntryOutcomes[] = [];

  const scoreAnswer = (i: number, a: number, t: Tally): void => {
    if (a < 0) return;
    t.answered++;
    if (!isScored(p, i)) return;
    if (p.correct[i]?.[a] === true) t.hit++;
    const reading = p.built[i]?.item.answers[a]?.reading;
    const gold = p.gold[i] ?? [];
    if (reading && gold.length > 0) {
      if (exactMatch(reading, gold)) t.em++;
      t.f1 += bestTokenF1(reading, gold);
    }
  };

  const models: QaModelEntry[] = p.models.map((name, m) => {
    const t: Tally = { hit: 0, answered: 0, em: 0, f1: 0 };
    const abstentions: Partial<Record<AbstentionReason, number>> = {};
    p.built.forEach((b, i) => {
      scoreAnswer(i, modelAnswer(b.item, m), t);
      for (const ab of b.abstentions) if (ab.model === m) abstentions[ab.reason] = (abstentions[ab.reason] ?? 0) + 1;
    });
    if (opts.onOutcomes) modelOutcomes.push(outcomesOf((i) => modelAnswer((p.built[i] as BuiltItem).item, m)));
    return { name, ...finish(t, scoredIdx.length, n), abstentions };
  });

  const folds = kFold(n, opts.folds, opts.seed);
  const entries: QaStrategyEntry[] = [];
  strategies.forEach((s, k) => {
    const { picks, fitted } = crossValidatePicks(s, p, folds, opts.seed);
    if (opts.onOutcomes) strategyOutcomes.push(outcomesOf((i) => picks[i]?.representative ?? -1));
    const t: Tally = { hit: 0, answered: 0, em: 0, f1: 0 };
    let clusterHit = 0;
    picks.forEach((pick, i) => {
      scoreAnswer(i, pick ? pick.representative : -1, t);
      if (pick && isScored(p, i) && (p.built[i]?.item.clusters[pick.cluster]?.members ?? []).some((a) => p.correct[i]?.[a] === true)) clusterHit++;
    });
    const entry: QaStrategyEntry = {
      name: s.name,
      ...finish(t, scoredIdx.length, n),
      supervised: s.supervised,
      scoredOn: 'out-of-fold',
      clusterAccuracy: clusterHit / scoredIdx.length,
    };
    if (s.name === 'auto') entry.picks = fitted.map((f) => String((f.state() as { chosen?: string }).chosen ?? '?'));
    entries.push(entry);
    opts.onProgress?.(k + 2, total, s.name);
  });

  opts.onOutcomes?.({ itemIds: p.built.map((b) => b.item.itemId), scored: Uint8Array.from(p.built, (_, i) => (isScored(p, i) ? 1 : 0)), models: modelOutcomes, strategies: strategyOutcomes });
  let oracleHits = 0;
  for (const i of scoredIdx) if ((p.correct[i] ?? []).some((c) => c === true)) oracleHits++;
  const rejected: QaEvalResult['rejected'] = [];
  const shown = new Map<string, number>();
  p.built.forEach((b, i) => {
    for (const ab of b.abstentions) {
      const key = `${ab.model}\u0000${ab.reason}`;
      const c = shown.get(key) ?? 0;
      if (c >= 20) continue;
      shown.set(key, c + 1);
      const r = (p.responsesByItem[i] ?? []).find((x) => x.model === p.models[ab.model] && (x.sample ?? 0) === ab.sample);
      rejected.push({ model: p.models[ab.model] as string, item: b.item.itemId, reason: ab.reason, ...(ab.detail ? { detail: ab.detail } : {}), output: r?.output ?? '' });
    }
  });
  let best: QaStrategyEntry | null = null;
  for (const e of entries) if (!best || e.accuracy > best.accuracy + 1e-12) best = e;
  let top: QaModelEntry | null = null;
  for (const m of models) if (!top || m.accuracy > top.accuracy + 1e-12) top = m;
  const meanClusters = p.built.reduce((s, b) => s + b.item.clusters.length, 0) / Math.max(1, n);
  return {
    task: folder.task.name,
    kind: 'qa',
    answerType: folder.task.answerType,
    items: n,
    scoredItems: scoredIdx.length,
    scoredBy: p.scoredBy,
    folds: opts.folds,
    seed: opts.seed,
    models,
    strategies: entries,
    best: best?.name ?? null,
    bestSingle: top ? { name: top.name, accuracy: top.accuracy } : null,
    oracle: oracleHits / scoredIdx.length,
    meanClusters,
    rejected,
    elapsedMs: Date.now() - t0,
  };
}

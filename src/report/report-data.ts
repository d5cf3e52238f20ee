import { hardVote } from '../fuse/answer-matrix.js';
import type { ClassificationEvalResult, EvalPredictions } from '../eval/evaluate.js';
import { leaderboardRows } from '../eval/leaderboard.js';
import type { ClassMetrics } from '../eval/metrics.js';
import { decisions } from '../eval/metrics.js';
import { type MixtureSummary, summarizePicks } from '../eval/mixture-summary.js';
import type { QaEvalResult, QaOutcomes } from '../qa/evaluate-qa.js';
import { accuracyOf, bootstrapResamples, type Interval, macroF1Of, percentileInterval } from '../validation/bootstrap.js';
import { effectiveVoters, errorCorrelation } from '../validation/error-correlation.js';
import { comparePaired, describeComparison, type PairedComparison } from '../validation/paired-test.js';
import { type ReliabilityBin, confusionMatrix, reliabilityBins } from '../validation/reliability.js';
import { isGraded, macroOvrAuc } from '../validation/roc-auc.js';
import type { ModelCost } from './model-costs.js';
import { paretoFront } from './pareto.js';

/** One row of the leaderboard, with its intervals and the panels that apply to it. */
export interface ReportEntry {
  name: string;
  kind: 'model' | 'strategy';
  accuracy: number;
  accuracyCi: Interval;
  /** Null for QA (no classes). */
  macroF1: number | null;
  macroF1Ci: Interval | null;
  coverage: number;
  /** One-vs-rest macro ROC-AUC; null when the entry gives only hard answers, or for QA. */
  rocAuc: number | null;
  ece: number | null;
  brier: number | null;
  note: string;
  perClass: ClassMetrics[] | null;
  /** Reliability diagram (strategies and graded models, classification). */
  reliability: ReliabilityBin[] | null;
}

/** A point of the cost/quality chart; `x` is cost per item (USD) or calls per item (see `axis`). */
export interface CostPoint {
  name: string;
  kind: 'model' | 'strategy';
  x: number;
  accuracy: number;
  pareto: boolean;
}

/** An extra cost/quality curve (e.g. an adaptive strategy's budget sweep), drawn as a line. */
export interface CostCurve {
  name: string;
  points: { x: number; accuracy: number }[];
}

export interface ContestedItem {
  item: string;
  /** Gold label (classification) or null. */
  gold: string | null;
  /** Each model's answer, in model order; null = abstained. */
  answers: (string | null)[];
  fused: string | null;
  fusedRight: boolean;
  explanation: string;
}

export interface ReportData {
  format: 'llm-fusion/report';
  version: 1;
  task: string;
  kind: 'classification' | 'qa';
  items: number;
  /** Items with gold (or judgements): the ones every score and interval is computed on. */
  scoredItems: number;
  labels: string[] | null;
  folds: number;
  seed: number;
  bootstrap: { resamples: number; seed: number; level: number; method: 'percentile, items resampled with replacement' };
  /** Leaderboard order: macro-F1 (accuracy for QA), best first. */
  entries: ReportEntry[];
  best: string | null;
  /** The best single model with hindsight (macro-F1, accuracy for QA, on all items). */
  bestModel: string | null;
  /** Share of scored items some model got right. */
  oracle: number;
  comparison: (PairedComparison & { strategy: string; model: string; text: string }) | null;
  confusion: { strategy: string; labels: string[]; counts: number[][] } | null;
  agreement: {
    models: string[];
    /** Cohen's kappa between models (classification), null for QA. */
    kappa: number[][] | null;
    fleissKappa: number | null;
    /** Correlation of the models' error indicators (wrong or abstained = 1). */
    errorCorrelation: number[][];
    meanErrorCorrelation: number;
    effectiveVoters: number;
  };
  cost: { axis: 'cost' | 'calls'; points: CostPoint[]; curves: CostCurve[] };
  abstentions: { model: string; counts: Record<string, number>; examples: { item: string; reason: string; output: string }[] }[];
  contested: { total: number; shown: ContestedItem[]; models: string[]; strategy: string | null };
  auto: (MixtureSummary & { strategy: string }) | null;
}

export interface ReportOptions {
  resamples?: number;
  seed?: number;
  costs?: readonly ModelCost[];
  curves?: readonly CostCurve[];
  /** At most this many contested items in the page (default 500). */
  contestedLimit?: number;
}

/** What both kinds of evaluation offer the report, per entry and item. */
interface EntryItems {
  name: string;
  kind: 'model' | 'strategy';
  correct: Uint8Array;
  pred?: Int32Array;
  probs?: Float64Array;
  decided?: Uint8Array;
}

const EXAMPLES_PER_REASON = 3;

function classificationItems(result: ClassificationEvalResult, p: EvalPredictions): EntryItems[] {
  const K = result.labels.length;
  const one = (name: string, kind: 'model' | 'strategy', pr: { probs: Float64Array; decided: Uint8Array }): EntryItems => {
    const pred = decisions(pr.probs, pr.decided, K);
    return { name, kind, pred, probs: pr.probs, decided: pr.decided, correct: Uint8Array.from(pred, (v, i) => (v >= 0 && v === p.gold[i] ? 1 : 0)) };
  };
  return [
    ...result.models.map((m, j) => one(m.name, 'model', p.models[j] as EvalPredictions['models'][number])),
    ...result.strategies.map((s, j) => one(s.name, 'strategy', p.strategies[j] as EvalPredictions['strategies'][number])),
  ];
}

function qaItems(result: QaEvalResult, o: QaOutcomes): EntryItems[] {
  return [
    ...result.models.map((m, j) => ({ name: m.name, kind: 'model' as const, correct: (o.models[j] as QaOutcomes['models'][number]).correct })),
    ...result.strategies.map((s, j) => ({ name: s.name, kind: 'strategy' as const, correct: (o.strategies[j] as QaOutcomes['strategies'][number]).correct })),
  ];
}

function pick<T>(values: ArrayLike<T>, rows: readonly number[]): T[] {
  return rows.map((i) => values[i] as T);
}

function best<T extends { accuracy: number; macroF1?: number | null }>(xs: readonly T[]): T | null {
  let top: T | null = null;
  for (const x of xs) {
    const key = x.macroF1 ?? x.accuracy;
    const topKey = top ? (top.macroF1 ?? top.accuracy) : -Infinity;
    if (!top || key > topKey + 1e-12 || (Math.abs(key - topKey) <= 1e-12 && x.accuracy > top.accuracy)) top = x;
  }
  return top;
}

function costPoints(result: ClassificationEvalResult | QaEvalResult, costs: readonly ModelCost[]): ReportData['cost'] {
  const byModel = new Map(costs.map((c) => [c.model, c]));
  const axis = result.models.length > 0 && result.models.every((m) => byModel.get(m.name)?.costPerItem !== null && byModel.has(m.name)) ? 'cost' : 'calls';
  const xOf = (name: string): number => {
    const c = byModel.get(name);
    return axis === 'cost' ? (c?.costPerItem ?? 0) : (c?.callsPerItem ?? 1);
  };
  // Every strategy asks every model: its cost is the whole ensemble's.
  const ensemble = result.models.reduce((s, m) => s + xOf(m.name), 0);
  const points = [
    ...result.models.map((m) => ({ name: m.name, kind: 'model' as const, x: xOf(m.name), accuracy: m.accuracy })),
    ...result.strategies.map((s) => ({ name: s.name, kind: 'strategy' as const, x: ensemble, accuracy: s.accuracy })),
  ];
  const front = new Set(paretoFront(points.map((q) => ({ x: q.x, y: q.accuracy }))));
  return { axis, points: points.map((q, i) => ({ ...q, pareto: front.has(i) })), curves: [] };
}

function contestedClassification(result: ClassificationEvalResult, p: EvalPredictions, items: EntryItems[], limit: number): ReportData['contested'] {
  const { matrix, gold } = p;
  const labels = result.labels;
  const M = matrix.models.length;
  const K = labels.length;
  const strategy = result.best;
  const fusedItems = items.find((e) => e.kind === 'strategy' && e.name === strategy);
  const explanations = new Map((result.strategies.find((s) => s.name === strategy)?.explanations ?? []).map((e) => [e.item, e]));
  const shown: ContestedItem[] = [];
  let total = 0;
  for (let i = 0; i < matrix.itemIds.length; i++) {
    const votes: number[] = [];
    for (let j = 0; j < M; j++) votes.push(hardVote(matrix, i, j));
    if (new Set(votes.filter((v) => v >= 0)).size < 2) continue;
    total++;
    if (shown.length >= limit) continue;
    const f = fusedItems?.pred?.[i] ?? -1;
    const fused = f >= 0 ? (labels[f] as string) : null;
    const conf = f >= 0 && fusedItems?.probs ? (fusedItems.probs[i * K + f] as number) : 0;
    const ex = explanations.get(matrix.itemIds[i] as string);
    const explanation = ex
      ? ex.contributions
          .filter((c) => c.answer !== null)
          .sort((a, b) => Math.abs(b.influence) - Math.abs(a.influence))
          .slice(0, 3)
          .map((c) => `${c.model} (${c.answer}) ${c.influence >= 0 ? '+' : ''}${c.influence.toFixed(2)}`)
          .join('; ')
      : fused === null
        ? 'no decision'
        : `p(${fused}) = ${conf.toFixed(2)}; ${votes.filter((v) => v === f).length} of ${votes.filter((v) => v >= 0).length} answering models chose it`;
    shown.push({
      item: matrix.itemIds[i] as string,
      gold: (gold[i] as number) >= 0 ? (labels[gold[i] as number] as string) : null,
      answers: votes.map((v) => (v >= 0 ? (labels[v] as string) : null)),
      fused,
      fusedRight: f >= 0 && f === gold[i],
      explanation: ex ? `influence on ${fused}: ${explanation}` : explanation,
    });
  }
  return { total, shown, models: [...matrix.models], strategy };
}

function contestedQa(result: QaEvalResult, o: QaOutcomes, limit: number): ReportData['contested'] {
  const strategy = result.best;
  const s = result.strategies.findIndex((e) => e.name === strategy);
  const fusedOut = s >= 0 ? o.strategies[s] : undefined;
  const shown: ContestedItem[] = [];
  let total = 0;
  o.itemIds.forEach((item, i) => {
    const answers = o.models.map((m) => m.answers[i] ?? null);
    if (new Set(answers.filter((a): a is string => a !== null).map((a) => a.trim().toLowerCase())).size < 2) return;
    total++;
    if (shown.length >= limit) return;
    const fused = fusedOut?.answers[i] ?? null;
    const right = o.models.filter((m) => m.correct[i] === 1).length;
    shown.push({
      item,
      gold: null,
      answers,
      fused,
      fusedRight: fusedOut?.correct[i] === 1,
      explanation: `${right} of ${answers.filter((a) => a !== null).length} answering models are right`,
    });
  });
  return { total, shown, models: [...result.models.map((m) => m.name)], strategy };
}

/**
 * Everything the HTML report shows (and `--json` carries), from an evaluation result and the
 * per-item predictions behind it: classification results take `predictions`, QA results `outcomes`.
 * Intervals use one seeded set of bootstrap resamples of the scored items for every entry, so the
 * paired comparison and the intervals agree.
 */
export function buildReportData(
  result: ClassificationEvalResult | QaEvalResult,
  details: { predictions: EvalPredictions } | { outcomes: QaOutcomes },
  options: ReportOptions = {},
): ReportData {
  const seed = options.seed ?? result.seed;
  const resampleCount = options.resamples ?? 1000;
  const isClassification = result.kind === 'classification';
  const items = 'predictions' in details && isClassification ? classificationItems(result, details.predictions) : qaItems(result as QaEvalResult, (details as { outcomes: QaOutcomes }).outcomes);
  const gold = 'predictions' in details ? details.predictions.gold : null;
  const scoredMask = gold ? Uint8Array.from(gold, (g) => (g >= 0 ? 1 : 0)) : (details as { outcomes: QaOutcomes }).outcomes.scored;
  const rows: number[] = [];
  scoredMask.forEach((s, i) => s && rows.push(i));
  const resamples = bootstrapResamples(rows.length, { seed, resamples: resampleCount });
  const goldRows = gold ? Int32Array.from(pick(gold, rows)) : null;
  const K = isClassification ? result.labels.length : 0;
  const byName = new Map(items.map((e) => [`${e.kind}:${e.name}`, e]));
  const correctRows = (e: EntryItems): Uint8Array => Uint8Array.from(pick(e.correct, rows));

  const scored = new Map<string, (typeof result.models)[number] | (typeof result.strategies)[number]>([
    ...result.models.map((m) => [`model:${m.name}`, m] as const),
    ...result.strategies.map((s) => [`strategy:${s.name}`, s] as const),
  ]);
  const entries: ReportEntry[] = leaderboardRows(result).map((row) => {
    const key = `${row.kind}:${row.name}`;
    const e = byName.get(key) as EntryItems;
    const source = scored.get(key);
    const correct = correctRows(e);
    const accuracyCi = percentileInterval(resamples, (idx) => accuracyOf(correct, idx));
    let macroF1Ci: Interval | null = null;
    let rocAuc: number | null = null;
    let reliability: ReliabilityBin[] | null = null;
    if (goldRows && gold && e.pred && e.probs && e.decided) {
      const predRows = Int32Array.from(pick(e.pred, rows));
      macroF1Ci = percentileInterval(resamples, (idx) => macroF1Of(goldRows, predRows, K, idx));
      const graded = isGraded(e.probs, e.decided, K);
      if (graded) {
        // An abstention ranks no item above another: it scores every label 1/K.
        const filled = Float64Array.from(e.probs);
        e.decided.forEach((d, i) => d || filled.fill(1 / K, i * K, (i + 1) * K));
        rocAuc = macroOvrAuc(filled, K, gold);
        if (Number.isNaN(rocAuc)) rocAuc = null;
      }
      if (e.kind === 'strategy' || graded) reliability = reliabilityBins(e.probs, e.decided, gold, K).bins;
    }
    const s = source as Partial<{ ece: number; brier: number; perClass: ClassMetrics[] }> | undefined;
    const picks = (source as { picks?: string[] } | undefined)?.picks;
    return {
      name: row.name,
      kind: row.kind,
      accuracy: row.accuracy,
      accuracyCi,
      macroF1: row.macroF1,
      macroF1Ci,
      coverage: row.coverage,
      rocAuc,
      ece: e.kind === 'strategy' || reliability ? (s?.ece ?? null) : null,
      brier: e.kind === 'strategy' || reliability ? (s?.brier ?? null) : null,
      note: picks ? `${(source as { scoredOn?: string }).scoredOn ?? ''}; mix: ${summarizePicks(picks).text}` : row.note,
      perClass: s?.perClass ?? null,
      reliability,
    };
  });

  const bestModel = best<{ name: string; accuracy: number; macroF1?: number | null }>(result.models)?.name ?? null;
  const bestItems = result.best ? byName.get(`strategy:${result.best}`) : undefined;
  const modelItems = bestModel ? byName.get(`model:${bestModel}`) : undefined;
  let comparison: ReportData['comparison'] = null;
  if (bestItems && modelItems && result.best && bestModel) {
    const c = comparePaired(correctRows(bestItems), correctRows(modelItems), resamples);
    comparison = { strategy: result.best, model: bestModel, ...c, text: describeComparison(result.best, bestModel, c) };
  }

  let confusion: ReportData['confusion'] = null;
  if (isClassification && gold && bestItems?.pred && result.best) {
    confusion = { strategy: result.best, labels: [...result.labels], counts: confusionMatrix(gold, bestItems.pred, K) };
  }

  const models = result.models.map((m) => m.name);
  const errors = models.map((name) => {
    const c = correctRows(byName.get(`model:${name}`) as EntryItems);
    return Uint8Array.from(c, (v) => 1 - v);
  });
  const errorCorr = errors.map((a, x) => errors.map((b, y) => (x === y ? 1 : errorCorrelation(a, b))));
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < models.length; a++) for (let b = a + 1; b < models.length; b++) (sum += errorCorr[a]?.[b] as number), pairs++;
  const meanErrorCorrelation = pairs === 0 ? 0 : sum / pairs;
  let kappa: number[][] | null = null;
  if (isClassification) {
    const k = new Map(result.agreement.pairwise.flatMap((p) => [[`${p.a}\u0000${p.b}`, p.kappa] as const, [`${p.b}\u0000${p.a}`, p.kappa] as const]));
    kappa = models.map((a) => models.map((b) => (a === b ? 1 : (k.get(`${a}\u0000${b}`) ?? 0))));
  }

  const cost = costPoints(result, options.costs ?? []);
  cost.curves = [...(options.curves ?? [])];

  const abstentions = result.models.map((m) => {
    const counts: Record<string, number> = {};
    for (const [reason, n] of Object.entries(m.abstentions)) if (n) counts[reason] = n;
    const perReason = new Map<string, number>();
    const examples = result.rejected
      .filter((r) => r.model === m.name)
      .filter((r) => {
        const c = perReason.get(r.reason) ?? 0;
        perReason.set(r.reason, c + 1);
        return c < EXAMPLES_PER_REASON;
      })
      .map((r) => ({ item: r.item, reason: r.reason, output: r.output.length > 300 ? `${r.output.slice(0, 300)}…` : r.output }));
    return { model: m.name, counts, examples };
  });

  const limit = options.contestedLimit ?? 500;
  const contested =
    'predictions' in details && isClassification ? contestedClassification(result, details.predictions, items, limit) : contestedQa(result as QaEvalResult, (details as { outcomes: QaOutcomes }).outcomes, limit);

  const autoEntry = result.strategies.find((s) => s.picks && s.picks.length > 0);
  const auto = autoEntry?.picks ? { strategy: autoEntry.name, ...summarizePicks(autoEntry.picks, 5) } : null;

  return {
    format: 'llm-fusion/report',
    version: 1,
    task: result.task,
    kind: result.kind,
    items: result.items,
    scoredItems: rows.length,
    labels: isClassification ? [...result.labels] : null,
    folds: result.folds,
    seed: result.seed,
    bootstrap: { resamples: resampleCount, seed, level: 0.95, method: 'percentile, items resampled with replacement' },
    entries,
    best: result.best,
    bestModel,
    oracle: result.oracle,
    comparison,
    confusion,
    agreement: {
      models,
      kappa,
      fleissKappa: isClassification ? result.agreement.fleissKappa : null,
      errorCorrelation: errorCorr,
      meanErrorCorrelation,
      effectiveVoters: effectiveVoters(models.length, meanErrorCorrelation),
    },
    cost,
    abstentions,
    contested,
    auto,
  };
}

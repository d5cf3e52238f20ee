import type { EvalPredictions, StrategyEntry } from '../eval/evaluate.js';
import type { EvalResult, ModelEntryCore, StrategyEntryCore } from '../eval/eval-result.js';
import { leaderboardRows } from '../eval/leaderboard.js';
import type { CoveragePoint } from '../eval/risk-coverage.js';
import type { ClassMetrics } from '../validation/metrics.js';
import { decisions } from '../validation/metrics.js';
import { type MixtureSummary, summarizePicks } from '../eval/mixture-summary.js';
import { strategyCurves } from './strategy-curves.js';
import type { QaOutcomes } from '../eval/answer-score.js';
import { accuracyOf, bootstrapResamples, type Interval, macroF1Of, percentileInterval } from '../validation/bootstrap.js';
import { effectiveVoters, errorCorrelation } from '../validation/error-correlation.js';
import { comparePaired, describeComparison, type PairedComparison } from '../validation/paired-test.js';
import { type ReliabilityBin, confusionMatrix, reliabilityBins } from '../validation/reliability.js';
import { isGraded, macroOvrAuc } from '../validation/roc-auc.js';
import { type ContestedItems, contestedClassification, contestedQa, type ItemTexts } from './contested-items.js';
import { type CostChart, type CostCurve, costQuality } from './cost-quality.js';
import { type ModelCost, withModelCosts } from './model-costs.js';
import { bestRanked } from '../eval/ranking.js';

export type { ContestedItem, ContestedItems } from './contested-items.js';
export type { CostChart, CostCurve, CostPoint } from './cost-quality.js';

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
  /** Calls (each sample a call) and USD per item, as in the terminal leaderboard; null where unknown. */
  callsPerItem: number | null;
  costPerItem: number | null;
  /** One-vs-rest macro ROC-AUC; null when the entry gives only hard answers, or for QA. */
  rocAuc: number | null;
  ece: number | null;
  brier: number | null;
  note: string;
  perClass: ClassMetrics[] | null;
  /** Ordered labels only (`"ordered": true`): mean absolute rank error and quadratic weighted kappa, as in the terminal leaderboard. */
  rankMae?: number;
  qwk?: number | null;
  /** Reliability diagram (strategies and graded models, classification). */
  reliability: ReliabilityBin[] | null;
}

export interface ReportData {
  format: 'llm-fusion/report';
  version: 1;
  task: string;
  /** The task kind (task.json's `kind`). */
  kind: string;
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
  /** Quality against recorded cost per item, or calls per item when some model has no recorded cost. */
  cost: CostChart;
  /** Quality against calls per item, when `cost` is drawn against recorded cost. */
  calls: CostChart | null;
  /** Each strategy's accuracy on its most confident 100/90/80/50% of the scored items, and the fused probability at each cut. */
  riskCoverage: { strategy: string; points: CoveragePoint[] }[];
  abstentions: { model: string; counts: Record<string, number>; examples: { item: string; reason: string; output: string }[] }[];
  contested: ContestedItems;
  auto: (MixtureSummary & { strategy: string }) | null;
}

export interface ReportOptions {
  resamples?: number;
  seed?: number;
  costs?: readonly ModelCost[];
  curves?: readonly CostCurve[];
  /** At most this many contested items in the page (default 500). */
  contestedLimit?: number;
  /** Each item's text or question by id (`itemTexts` of src/task/item-text.ts): the contested table shows it. */
  itemTexts?: ItemTexts;
}

/** A scored row the categorical report reads: the core fields and the accuracy every categorical kind has (macro-F1, calibration and per-class scores where the kind has them). */
interface ReportedEntry {
  accuracy: number;
  macroF1?: number;
  costPerItem?: number | null;
  ece?: number;
  brier?: number;
  perClass?: ClassMetrics[];
}

/** An evaluation of a kind whose answers are right or wrong (classification, QA): what the report reads of it. */
export type CategoricalEvalResult = EvalResult<unknown, ModelEntryCore & ReportedEntry, StrategyEntryCore & ReportedEntry & Pick<StrategyEntry, 'riskCoverage' | 'curve' | 'explanations'>>;

/**
 * What the kind's plug-in hands the report beside the result: the share of items some model got
 * right, and the per-item predictions behind the scores, either the fused label distributions (with
 * the models' pairwise agreement) or each entry's named answers and their correctness.
 */
export type ReportDetails = { oracle: number } & ({ predictions: EvalPredictions; agreement: { fleissKappa: number; pairwise: readonly { a: string; b: string; kappa: number }[] } } | { outcomes: QaOutcomes });

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

function classificationItems(result: CategoricalEvalResult, p: EvalPredictions): EntryItems[] {
  const K = p.matrix.labels.length;
  const one = (name: string, kind: 'model' | 'strategy', pr: { probs: Float64Array; decided: Uint8Array }): EntryItems => {
    const pred = decisions(pr.probs, pr.decided, K);
    return { name, kind, pred, probs: pr.probs, decided: pr.decided, correct: Uint8Array.from(pred, (v, i) => (v >= 0 && v === p.gold[i] ? 1 : 0)) };
  };
  return [
    ...result.models.map((m, j) => one(m.name, 'model', p.models[j] as EvalPredictions['models'][number])),
    ...result.strategies.map((s, j) => one(s.name, 'strategy', p.strategies[j] as EvalPredictions['strategies'][number])),
  ];
}

function qaItems(result: CategoricalEvalResult, o: QaOutcomes): EntryItems[] {
  return [
    ...result.models.map((m, j) => ({ name: m.name, kind: 'model' as const, correct: (o.models[j] as QaOutcomes['models'][number]).correct })),
    ...result.strategies.map((s, j) => ({ name: s.name, kind: 'strategy' as const, correct: (o.strategies[j] as QaOutcomes['strategies'][number]).correct })),
  ];
}

function pick<T>(values: ArrayLike<T>, rows: readonly number[]): T[] {
  return rows.map((i) => values[i] as T);
}

/**
 * Everything the HTML report shows (and `--json` carries), from an evaluation result and the
 * per-item predictions behind it: classification results take `predictions`, QA results `outcomes`.
 * Intervals use one seeded set of bootstrap resamples of the scored items for every entry, so the
 * paired comparison and the intervals agree.
 */
export function buildReportData(
  result: CategoricalEvalResult,
  details: ReportDetails,
  options: ReportOptions = {},
): ReportData {
  const seed = options.seed ?? result.seed;
  const resampleCount = options.resamples ?? 1000;
  const labelled = 'predictions' in details ? details : null;
  const labels = labelled ? [...labelled.predictions.matrix.labels] : null;
  const items = 'predictions' in details ? classificationItems(result, details.predictions) : qaItems(result, details.outcomes);
  const gold = labelled ? labelled.predictions.gold : null;
  const scoredMask = gold ? Uint8Array.from(gold, (g) => (g >= 0 ? 1 : 0)) : 'outcomes' in details ? details.outcomes.scored : new Uint8Array(0);
  const rows: number[] = [];
  scoredMask.forEach((s, i) => s && rows.push(i));
  const resamples = bootstrapResamples(rows.length, { seed, resamples: resampleCount });
  const goldRows = gold ? Int32Array.from(pick(gold, rows)) : null;
  const K = labels ? labels.length : 0;
  const byName = new Map(items.map((e) => [`${e.kind}:${e.name}`, e]));
  const correctRows = (e: EntryItems): Uint8Array => Uint8Array.from(pick(e.correct, rows));

  const scored = new Map<string, (typeof result.models)[number] | (typeof result.strategies)[number]>([
    ...result.models.map((m) => [`model:${m.name}`, m] as const),
    ...result.strategies.map((s) => [`strategy:${s.name}`, s] as const),
  ]);
  // Ranked as the terminal leaderboard ranks them: with each model's recorded calls and cost per item.
  const ranked = withModelCosts({ ...result, oracle: details.oracle }, options.costs ?? []);
  const entries: ReportEntry[] = leaderboardRows(ranked).map((row) => {
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
      callsPerItem: row.callsPerItem,
      costPerItem: row.costPerItem,
      rocAuc,
      ece: e.kind === 'strategy' || reliability ? (s?.ece ?? null) : null,
      brier: e.kind === 'strategy' || reliability ? (s?.brier ?? null) : null,
      note: picks ? `${(source as { scoredOn?: string }).scoredOn ?? ''}; mix: ${summarizePicks(picks).text}` : row.note,
      perClass: s?.perClass ?? null,
      ...(row.rankMae === undefined ? {} : { rankMae: row.rankMae, qwk: row.qwk ?? null }),
      reliability,
    };
  });

  // The best single model by the one order of every leaderboard (src/eval/ranking.ts).
  const bestModel = bestRanked(ranked.models)?.name ?? null;
  const bestItems = result.best ? byName.get(`strategy:${result.best}`) : undefined;
  const modelItems = bestModel ? byName.get(`model:${bestModel}`) : undefined;
  let comparison: ReportData['comparison'] = null;
  if (bestItems && modelItems && result.best && bestModel) {
    const c = comparePaired(correctRows(bestItems), correctRows(modelItems), resamples);
    comparison = { strategy: result.best, model: bestModel, ...c, text: describeComparison(result.best, bestModel, c) };
  }

  let confusion: ReportData['confusion'] = null;
  if (labels && gold && bestItems?.pred && result.best) {
    confusion = { strategy: result.best, labels, counts: confusionMatrix(gold, bestItems.pred, K) };
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
  if (labelled) {
    const k = new Map(labelled.agreement.pairwise.flatMap((p) => [[`${p.a}\u0000${p.b}`, p.kappa] as const, [`${p.b}\u0000${p.a}`, p.kappa] as const]));
    kappa = models.map((a) => models.map((b) => (a === b ? 1 : (k.get(`${a}\u0000${b}`) ?? 0))));
  }

  const costs = options.costs ?? [];
  const costed = result.models.length > 0 && result.models.every((m) => (costs.find((c) => c.model === m.name)?.costPerItem ?? null) !== null);
  const curves = [...(options.curves ?? []), ...strategyCurves(result)];
  const cost = costQuality(result, costs, costed ? 'cost' : 'calls', curves);
  const calls = costed ? costQuality(result, costs, 'calls', curves) : null;

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
    'predictions' in details
      ? contestedClassification(result, details.predictions, bestItems?.pred && bestItems.probs ? { pred: bestItems.pred, probs: bestItems.probs } : undefined, limit, options.itemTexts)
      : contestedQa(result, details.outcomes, limit, options.itemTexts);

  const autoEntry = result.strategies.find((s) => s.picks && s.picks.length > 0);
  const auto = autoEntry?.picks ? { strategy: autoEntry.name, ...summarizePicks(autoEntry.picks, 5) } : null;

  return {
    format: 'llm-fusion/report',
    version: 1,
    task: result.task,
    kind: result.kind,
    items: result.items,
    scoredItems: rows.length,
    labels,
    folds: result.folds,
    seed: result.seed,
    bootstrap: { resamples: resampleCount, seed, level: 0.95, method: 'percentile, items resampled with replacement' },
    entries,
    best: result.best,
    bestModel,
    oracle: details.oracle,
    comparison,
    confusion,
    agreement: {
      models,
      kappa,
      fleissKappa: labelled ? labelled.agreement.fleissKappa : null,
      errorCorrelation: errorCorr,
      meanErrorCorrelation,
      effectiveVoters: effectiveVoters(models.length, meanErrorCorrelation),
    },
    cost,
    calls,
    riskCoverage: result.strategies.map((s) => ({ strategy: s.name, points: s.riskCoverage })),
    abstentions,
    contested,
    auto,
  };
}

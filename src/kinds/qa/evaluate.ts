import { QA_METRIC } from './fit.js';
import { answerOutcomes, type QaEntryOutcomes, type QaEvalResult, type QaOutcomes, type QaModelEntry, type QaStrategyEntry, scoreAnswers, scoredOutcomes, type Voice } from '../../eval/answer-score.js';
import { estimateCallPrices } from '../../eval/call-prices.js';
import { type EvalOptions, parallelFoldFits, requireFoldable, runStrategy, selectStrategies, strategyVoice } from '../../eval/evaluate.js';
import { bestRanked } from '../../eval/ranking.js';
import { riskCoverage } from '../../eval/risk-coverage.js';
import { meanCalls } from '../../fuse/adaptive/usage.js';
import { expandSamples, modelPrediction } from '../../fuse/answer-matrix.js';
import type { FittedStrategy, FusedPrediction } from '../../fuse/strategy.js';
import type { AbstentionReason } from '../../normalize/types.js';
import { isScored, prepareQa } from '../../qa/prepare.js';
import { InputError } from '../../task/errors.js';
import type { QaFolder } from './folder.js';

export interface QaEvalOptions extends EvalOptions {
  /** Receives each item's named answers and their correctness behind the scores (for the HTML report). */
  onOutcomes?: (outcomes: QaOutcomes) => void;
}

/**
 * Evaluates every strategy of the one registry on a QA folder through the same path as
 * classification: the items become a candidate matrix (option letters, or each item's answer
 * clusters), strategies predict a column, and the QA scorer judges the answer it names. Strategies
 * that need a fixed label set are refused on free-form and numeric QA (listed in `refused`; an
 * error when asked for by name).
 */
export async function evaluateQaFolder(folder: QaFolder, opts: QaEvalOptions): Promise<QaEvalResult> {
  const t0 = Date.now();
  const p = prepareQa(folder);
  const { matrix } = p.candidates;
  const gold = p.goldColumn;
  const { run, refused } = selectStrategies(matrix, opts.strategies);
  const total = run.length + 1;
  opts.onProgress?.(1, total, 'read and clustered answers');
  const n = p.built.length;
  const scoredIdx = p.built.map((_, i) => i).filter((i) => isScored(p, i));
  if (scoredIdx.length === 0) {
    throw new InputError([{ file: `${folder.dir}/items.jsonl`, field: 'answers', message: 'no item has gold answers and no response has a `correct` judgement: nothing to score' }]);
  }
  requireFoldable(folder.dir, n, opts.folds, run);

  const modelOutcomes: QaEntryOutcomes[] = [];
  const strategyOutcomes: QaEntryOutcomes[] = [];
  const answered = new Set(folder.responses.map((r) => `${r.item}\u0000${r.model}`));
  const models: QaModelEntry[] = p.models.map((name, j) => {
    if (opts.onOutcomes) modelOutcomes.push(answerOutcomes(p, modelPrediction(matrix, j), { speaker: j }));
    const abstentions: Partial<Record<AbstentionReason, number>> = {};
    for (const b of p.built) for (const ab of b.abstentions) if (ab.model === j) abstentions[ab.reason] = (abstentions[ab.reason] ?? 0) + 1;
    // As for classification: an item the model has no recorded answer for is a `missing` abstention.
    const missing = folder.items.reduce((k, it) => k + (answered.has(`${it.id}\u0000${name}`) ? 0 : 1), 0);
    if (missing > 0) abstentions.missing = missing;
    const { clusterAccuracy: _unused, ...score } = scoreAnswers(p, modelPrediction(matrix, j), { speaker: j });
    return { name, ...score, abstentions };
  });

  const prices = estimateCallPrices(folder, p.models);
  const foldFits = parallelFoldFits(run, matrix, gold, { ...opts, right: p.rightColumns, metric: QA_METRIC });
  const entries: QaStrategyEntry[] = run.map((s, k) => {
    const fits = foldFits?.get(s);
    // Whose words state each answer depends on the fitted strategies: the QA scorer hears them in that voice.
    let voice: Voice = {};
    const qualityOf = (scored: { fitted: FittedStrategy[]; folds: number[][] | null }) => {
      voice = strategyVoice(scored.fitted, scored.folds, matrix, p.models);
      return (q: FusedPrediction) => {
        const a = scoreAnswers(p, q, voice).accuracy;
        return { score: a, accuracy: a };
      };
    };
    const { scored, shared } = runStrategy(s, matrix, gold, { folds: opts.folds, seed: opts.seed, right: p.rightColumns, metric: QA_METRIC, pricePerCall: prices, explain: opts.explain ?? 0, ...(fits ? { foldFits: fits } : {}) }, qualityOf);
    opts.onProgress?.(k + 2, total, s.name);
    const outcomes = answerOutcomes(p, scored.prediction, voice);
    if (opts.onOutcomes) strategyOutcomes.push(outcomes);
    const { supervised, scoredOn, callsPerItem, costPerItem, ...rest } = shared;
    return {
      name: s.name,
      ...scoreAnswers(p, scored.prediction, voice),
      supervised,
      scoredOn,
      callsPerItem,
      costPerItem,
      riskCoverage: riskCoverage(scoredOutcomes(p, outcomes)),
      ...rest,
    };
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
  const best: QaStrategyEntry | null = bestRanked(entries) ?? null;
  let top: QaModelEntry | null = null;
  for (const m of models) if (!top || m.accuracy > top.accuracy + 1e-12) top = m;
  return {
    task: folder.task.name,
    kind: folder.kind,
    items: n,
    folds: opts.folds,
    seed: opts.seed,
    models,
    strategies: entries,
    best: best?.name ?? null,
    callsPerItem: meanCalls(expandSamples(matrix).present, n),
    allCallsPerItem: expandSamples(matrix).models.length,
    rejected,
    extras: {
      answerType: folder.task.answerType,
      scoredItems: scoredIdx.length,
      scoredBy: p.scoredBy,
      refused,
      bestSingle: top ? { name: top.name, accuracy: top.accuracy } : null,
      oracle: oracleHits / scoredIdx.length,
      meanClusters: p.built.reduce((s, b) => s + b.item.clusters.length, 0) / Math.max(1, n),
      elapsedMs: Date.now() - t0,
    },
  };
}


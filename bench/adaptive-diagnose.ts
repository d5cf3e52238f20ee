/**
 * Why `adaptive` asks what it asks on one set: per outer fold, the training-fold curve it chose
 * from (calls, loss, its standard error and bound per setting) and, on the test fold, each
 * checkpoint's prefix decision (the policy capped there, no early stop) against `auto`'s decision
 * with every model: agreement and macro-F1. Prints one JSON line per set.
 *
 *   npx tsx bench/adaptive-diagnose.ts [--set toxicity-en-all] [--folds 5] [--seed 1] [--out FILE] [--refine-grid false] [--checkpoint-growth 1.414] [--prefix-vote true]
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setArgs } from './set-args.js';
import { buildAnswerMatrix } from '../src/eval/build-matrix.js';
import { crossValidateStrategy } from '../src/fuse/cross-validate.js';
import { autoStrategy } from '../src/fuse/auto.js';
import { memoizeFits } from '../src/fuse/memo-fits.js';
import { createAdaptive, DEFAULT_PREFIX, type FittedAdaptive } from '../src/fuse/adaptive/adaptive-strategy.js';
import type { CurvePoint } from '../src/fuse/adaptive/operating-point.js';
import { weightedVoteStrategy } from '../src/fuse/weighted-vote.js';
import { selectItems } from '../src/fuse/answer-matrix.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import { decisions, scoreClassification } from '../src/validation/metrics.js';

const { values } = parseArgs({
  options: {
    ...setArgs('set', 'toxicity-en-all'),
    out: { type: 'string' },
    /** `false`: the fixed grid of settings only (adaptive's default refines it). */
    'refine-grid': { type: 'string' },
    /** Factor between checkpoints past the first 8 (adaptive's default 2). */
    'checkpoint-growth': { type: 'string' },
    /** `true`: the weighted vote joins the prefix fusion candidates. */
    'prefix-vote': { type: 'string' },
  },
});
const folds = Number(values.folds);
const seed = Number(values.seed);
const set = values.set as string;
const started = Date.now();
const folder = loadEvalFolder(join(values.data as string, set));
if (folder.kind !== 'classification') throw new Error(`${set}: not a classification folder`);
const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
const { gold } = folder;
const K = matrix.labels.length;
const M = matrix.models.length;
const auto = memoizeFits(autoStrategy);
const autoCv = crossValidateStrategy(auto, matrix, gold, { folds, seed });
const autoSeconds = Math.round((Date.now() - started) / 1000);
const cv = crossValidateStrategy(createAdaptive({
    final: auto,
    ...(values['refine-grid'] === 'false' ? { refineGrid: false } : {}),
    ...(values['checkpoint-growth'] ? { checkpointGrowth: Number(values['checkpoint-growth']) } : {}),
    ...(values['prefix-vote'] === 'true' ? { prefix: [...DEFAULT_PREFIX, weightedVoteStrategy] } : {}),
  }), matrix, gold, { folds, seed });
const autoDecisions = decisions(autoCv.prediction.probs, autoCv.prediction.decided, K);
const r3 = (x: number) => +x.toFixed(4);
const perFold = cv.folds.map((test, f) => {
  const policy = cv.fitted[f] as FittedAdaptive;
  const st = policy.state() as { picked: string; checkpoints: number[]; curve: CurvePoint[]; order: string[] };
  const part = selectItems(matrix, test);
  const g = Int32Array.from(test, (i) => gold[i] as number);
  const checkpoints = st.checkpoints.map((t) => {
    const r = policy.withMaxCalls(t).withRule({ kind: 'agreement', tau: Infinity }).replay(part);
    const d = decisions(r.prediction.probs, r.prediction.decided, K);
    let agree = 0;
    test.forEach((i, row) => (agree += d[row] === autoDecisions[i] ? 1 : 0));
    return { t, agree: r3(agree / test.length), macroF1: r3(scoreClassification(g, r.prediction, matrix.labels).macroF1) };
  });
  const chosen = policy.replay(part);
  return {
    picked: st.picked,
    testCallShare: r3(chosen.calls.reduce((a, b) => a + b, 0) / test.length / M),
    order: st.order.slice(0, 10),
    curve: st.curve.map((p) => ({ tau: (p.rule as { tau: number }).tau, calls: r3(p.calls), loss: r3(p.loss), se: r3(p.lossSe ?? 0), bound: r3(p.lossBound) })),
    checkpoints,
  };
});
const line = JSON.stringify({
  set,
  seed,
  refineGrid: values['refine-grid'] ?? 'default',
  checkpointGrowth: values['checkpoint-growth'] ?? 'default',
  prefixVote: values['prefix-vote'] ?? 'false',
  folds,
  items: matrix.itemIds.length,
  models: M,
  autoMacroF1: r3(scoreClassification(gold, autoCv.prediction, matrix.labels).macroF1),
  adaptiveMacroF1: r3(scoreClassification(gold, cv.prediction, matrix.labels).macroF1),
  autoSeconds,
  seconds: Math.round((Date.now() - started) / 1000),
  perFold,
});
console.log(line);
if (values.out) appendFileSync(values.out, `${line}\n`);

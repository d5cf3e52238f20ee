/**
 * What `adaptive`'s out-of-fold evaluation costs next to `auto`'s, in CPU seconds
 * (process.cpuUsage: the machine is shared, wall time says little), as `fusion eval` runs them:
 * `auto` memoised, so `adaptive`'s final stage reuses its fits; then the quality of both.
 *
 *   npx tsx bench/adaptive-cost.ts [--set policy-topic-en] [--folds 5] [--seed 1]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setArgs } from './set-args.js';
import { buildAnswerMatrix } from '../src/eval/build-matrix.js';
import { crossValidateStrategy } from '../src/fuse/cross-validate.js';
import { autoStrategy } from '../src/fuse/auto.js';
import { memoizeFits } from '../src/fuse/memo-fits.js';
import { createAdaptive, type FittedAdaptive } from '../src/fuse/adaptive/adaptive-strategy.js';
import { meanCalls } from '../src/fuse/adaptive/usage.js';
import { selectItems } from '../src/fuse/answer-matrix.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import { scoreClassification } from '../src/validation/metrics.js';

const { values } = parseArgs({
  options: {
    ...setArgs('set', 'policy-topic-en'),
  },
});
const folds = Number(values.folds);
const seed = Number(values.seed);
const folder = loadEvalFolder(join(values.data as string, values.set as string));
if (folder.kind !== 'classification') throw new Error(`${values.set}: not a classification folder`);
const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
const { gold } = folder;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const auto = memoizeFits(autoStrategy);
let t = cpu();
const autoCv = crossValidateStrategy(auto, matrix, gold, { folds, seed });
const autoSeconds = cpu() - t;
t = cpu();
const cv = crossValidateStrategy(createAdaptive({ final: auto }), matrix, gold, { folds, seed });
const adaptiveSeconds = cpu() - t;
const N = matrix.itemIds.length;
const M = matrix.models.length;
const asked = new Uint8Array(N * M);
cv.folds.forEach((test, f) => {
  const r = (cv.fitted[f] as FittedAdaptive).replay(selectItems(matrix, test));
  test.forEach((i, row) => asked.set(r.asked.subarray(row * M, (row + 1) * M), i * M));
});
// Why the operating point sits where it does: per fold, on the training rows, the chosen point and
// the cheapest point whose loss alone (without the standard-error term) is within the target.
const why = cv.fitted.map((f) => {
  const st = f.state() as { picked: string; curve: { calls: number; loss: number; lossBound: number }[] };
  const r3 = (x: number) => +x.toFixed(3);
  const byCalls = [...st.curve].sort((a, b) => b.calls - a.calls);
  const chosen = st.curve.find((p) => st.picked.includes(`tau=${(p as unknown as { rule: { tau: number } }).rule.tau})`));
  let lossOnly = byCalls[0];
  for (const p of byCalls) {
    if (p.loss > 0.005) break;
    lossOnly = p;
  }
  return {
    chosen: chosen && { calls: r3(chosen.calls), loss: r3(chosen.loss), bound: r3(chosen.lossBound) },
    lossOnly: lossOnly && { calls: r3(lossOnly.calls), loss: r3(lossOnly.loss), bound: r3(lossOnly.lossBound) },
  };
});
const f1 = (p: typeof cv.prediction) => scoreClassification(gold, p, matrix.labels).macroF1;
console.log(
  JSON.stringify({
    set: values.set,
    folds,
    seed,
    autoCpuSeconds: +autoSeconds.toFixed(1),
    adaptiveCpuSeconds: +adaptiveSeconds.toFixed(1),
    autoMacroF1: +f1(autoCv.prediction).toFixed(4),
    adaptiveMacroF1: +f1(cv.prediction).toFixed(4),
    adaptiveCallShare: +(meanCalls(asked, N) / M).toFixed(3),
    picks: cv.fitted.map((f) => (f.state() as { picked: string }).picked),
    why,
  }),
);

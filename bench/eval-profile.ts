/**
 * Where `fusion eval`'s time goes on a classification folder, in CPU seconds (process.cpuUsage:
 * the machine is shared, wall time says little): per strategy, its fit on each outer fold, then
 * the rest of its scoring (predictions, explanations, usage, the adaptive curve), in the order
 * and with the shared fits `fusion eval` uses (one thread).
 *
 *   nice -n 10 npx tsx bench/eval-profile.ts [--set policy-topic-en] [--folds 5] [--seed 1]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setArgs } from './set-args.js';
import { buildAnswerMatrix } from '../src/eval/build-matrix.js';
import { scoreStrategy, selectStrategies } from '../src/eval/evaluate.js';
import { estimateCallPrices } from '../src/eval/call-prices.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import type { FusionStrategy } from '../src/fuse/strategy.js';

const { values } = parseArgs({
  options: {
    ...setArgs('set', 'policy-topic-en'),
  },
});
const folds = Number(values.folds);
const seed = Number(values.seed);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let t = cpu();
const folder = loadEvalFolder(join(values.data as string, values.set as string));
if (folder.kind !== 'classification') throw new Error(`${values.set}: not a classification folder`);
const built = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
const pricePerCall = estimateCallPrices(folder, built.matrix.models);
console.log(`load and read: ${(cpu() - t).toFixed(2)} s`);
const { run } = selectStrategies(built.matrix);
let total = 0;
for (const s of run) {
  const fits: number[] = [];
  const timed: FusionStrategy = {
    ...s,
    fit(train, gold, options) {
      const t0 = cpu();
      const f = s.fit(train, gold, options);
      fits.push(cpu() - t0);
      return f;
    },
  };
  t = cpu();
  const e = scoreStrategy(timed, built, folder.gold, { folds, seed, pricePerCall });
  const all = cpu() - t;
  total += all;
  const fitSum = fits.reduce((a, b) => a + b, 0);
  console.log(`${s.name.padEnd(24)} total ${all.toFixed(2)} s  fits ${fitSum.toFixed(2)} s [${fits.map((x) => x.toFixed(2)).join(' ')}]  rest ${(all - fitSum).toFixed(2)} s  macroF1 ${e.macroF1.toFixed(4)}`);
}
console.log(`strategies: ${total.toFixed(2)} s`);

/**
 * How many calls exact early stops save on their own: a policy whose final decision is the
 * weighted vote of every model stops on an item once the models not asked yet cannot overturn the
 * leader whatever they answer (the `settled` rule with slack 1). Out-of-fold per set: the share of
 * the models asked, and the number of items whose decision differs from the full vote (0 by
 * construction). Prints one JSON line per set.
 *
 *   npx tsx bench/adaptive-exact-stops.ts [--sets a,b] [--folds 5] [--seed 1]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setArgs } from './set-args.js';
import { buildAnswerMatrix } from '../src/eval/build-matrix.js';
import { crossValidateStrategy } from '../src/fuse/cross-validate.js';
import { createAdaptive, type FittedAdaptive } from '../src/fuse/adaptive/adaptive-strategy.js';
import { selectItems } from '../src/fuse/answer-matrix.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import { decisions } from '../src/validation/metrics.js';

const { values } = parseArgs({ options: setArgs('sets', 'raop,emotion,ibc,flute,wiki-politeness,toxicity-en,fiqa-sentiment,implicit-hate,policy-topic-en') });
const folds = Number(values.folds);
const seed = Number(values.seed);

for (const set of (values.sets as string).split(',').filter(Boolean)) {
  const folder = loadEvalFolder(join(values.data as string, set));
  if (folder.kind !== 'classification') throw new Error(`${set}: not a classification folder`);
  const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
  const N = matrix.itemIds.length;
  const M = matrix.models.length;
  const K = matrix.labels.length;
  const cv = crossValidateStrategy(createAdaptive({ rule: { kind: 'settled', slack: 1 } }), matrix, folder.gold, { folds, seed });
  let calls = 0;
  let changed = 0;
  cv.folds.forEach((test, f) => {
    const policy = cv.fitted[f] as FittedAdaptive;
    const answers = selectItems(matrix, test);
    const exact = policy.replay(answers);
    const all = policy.withRule({ kind: 'settled', slack: Infinity }).replay(answers);
    const a = decisions(exact.prediction.probs, exact.prediction.decided, K);
    const b = decisions(all.prediction.probs, all.prediction.decided, K);
    calls += exact.calls.reduce((x, y) => x + y, 0);
    a.forEach((d, r) => (changed += d === b[r] ? 0 : 1));
  });
  console.log(JSON.stringify({ set, folds, seed, items: N, models: M, exactCallShare: +(calls / N / M).toFixed(3), decisionsChanged: changed }));
}

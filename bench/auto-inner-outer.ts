/**
 * Per outer fold of a QA or classification set: every `auto` candidate's inner cross-validated score
 * (what the mixture and its check see on the training folds) against the same candidate's score
 * on the outer test fold (what is judged), and the mixture's weights. The evidence behind issue 19's
 * question "why does `auto` trust a candidate that holds out worse than it looked".
 *
 *   npx tsx bench/auto-inner-outer.ts --set mot-gsm8k [--seed 1] [--folds 5]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setArgs } from './set-args.js';
import { buildAnswerMatrix } from '../src/eval/build-matrix.js';
import { autoStrategy } from '../src/fuse/auto.js';
import { selectItems, selectRows, type AnswerMatrix } from '../src/fuse/answer-matrix.js';
import { innerScore } from '../src/fuse/inner-cv.js';
import { getStrategy } from '../src/fuse/registry.js';
import { createStacking } from '../src/fuse/stacking.js';
import type { FusionStrategy } from '../src/fuse/strategy.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { prepareQa } from '../src/qa/prepare.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import { selectGold } from '../src/validation/folds.js';
import { makeFolds } from '../src/validation/out-of-fold.js';

const { values } = parseArgs({
  options: {
    ...setArgs('set', 'mot-gsm8k'),
  },
});
const folder = loadEvalFolder(join(values.data as string, values.set as string));
let matrix: AnswerMatrix;
let gold: Int32Array;
let right: Uint8Array | undefined;
if (folder.kind === 'qa') {
  const p = prepareQa(folder);
  matrix = p.candidates.matrix;
  gold = p.goldColumn;
  right = p.rightColumns;
} else if (folder.kind === 'classification') {
  matrix = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task)).matrix;
  gold = folder.gold;
} else throw new Error(`${values.set}: ${folder.kind} not supported`);
const K = matrix.labels.length;
const seed = Number(values.seed);
const outer = makeFolds(gold.length, Number(values.folds), seed, { strata: gold });

/** A candidate of `auto` by the name its state reports. */
function candidate(name: string): FusionStrategy {
  const m = /^stacking\(candidates,C=([\d.]+)\)$/.exec(name);
  if (m) return createStacking({ configs: [{ C: Number(m[1]), classWeighting: 'none' }], name: 'stacking', candidateWise: true });
  const s = /^stacking\((.*)\)$/.exec(name);
  if (s) throw new Error(`not handled: ${name}`);
  return getStrategy(name);
}

outer.forEach((test, f) => {
  const testSet = new Set(test);
  const train = Array.from({ length: gold.length }, (_, i) => i).filter((i) => !testSet.has(i));
  const options = { seed: seed + 1000 * (f + 1), ...(right ? { right: selectRows(right, K, train) } : {}) };
  const trainM = selectItems(matrix, train);
  const trainGold = selectGold(gold, train);
  const fitted = autoStrategy.fit(trainM, trainGold, options);
  const st = fitted.state() as { picked: string; innerScores: Record<string, number>; weights: Record<string, number>; check?: { why: string } };
  const testM = selectItems(matrix, test);
  const testGold = selectGold(gold, test);
  const testRight = right ? selectRows(right, K, test) : undefined;
  const autoOuter = innerScore(testGold, fitted.predict(testM), testM, testRight);
  console.log(`fold ${f}: auto outer ${autoOuter.toFixed(3)}  ${st.picked}`);
  console.log(`  ${st.check?.why ?? ''}`);
  for (const [name, inner] of Object.entries(st.innerScores).sort((a, b) => b[1] - a[1])) {
    let outerScore = NaN;
    try {
      const s = candidate(name);
      const p = s.fit(trainM, trainGold, options).predict(testM);
      outerScore = innerScore(testGold, p, testM, testRight);
    } catch {
      // not measured
    }
    console.log(`  ${name.padEnd(34)} inner ${inner.toFixed(3)} outer ${outerScore.toFixed(3)} weight ${(st.weights[name] ?? 0).toFixed(2)}`);
  }
});

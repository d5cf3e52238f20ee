/**
 * The outer-fold items where `auto`'s decision is not right while a right answer is among the candidates: per
 * item, the right and the decided columns, every mixture component's probability on both (times
 * its weight), and each model's answer. What tells a decision made by a tie, by a light component
 * breaking a heavy one's indifference, or by a target that is not what is scored.
 *
 *   npx tsx bench/auto-misses.ts --set mot-gsm8k [--seed 1] [--folds 5]
 */
import { autoCandidate as candidate, qaSetFolds } from './qa-set.js';
import { autoStrategy } from '../src/fuse/auto.js';
import { argmax, isRight, selectItems, selectRows } from '../src/fuse/answer-matrix.js';
import { selectGold } from '../src/validation/folds.js';

const { matrix, gold, right, seed, outer } = qaSetFolds('mot-gsm8k');
const K = matrix.labels.length;
const M = matrix.models.length;

const label = (i: number, k: number) => (matrix.candidates ? (matrix.candidates[i]?.[k] ?? `#${k}`) : (matrix.labels[k] as string));
let autoRight = 0;
outer.forEach((test, f) => {
  const testSet = new Set(test);
  const train = Array.from({ length: gold.length }, (_, i) => i).filter((i) => !testSet.has(i));
  const options = { seed: seed + 1000 * (f + 1), right: selectRows(right, K, train) };
  const trainM = selectItems(matrix, train);
  const trainGold = selectGold(gold, train);
  const fitted = autoStrategy.fit(trainM, trainGold, options);
  const st = fitted.state() as { picked: string; components: { name: string; weight: number }[] };
  const testM = selectItems(matrix, test);
  const testGold = selectGold(gold, test);
  const testRight = selectRows(right, K, test);
  const pa = fitted.predict(testM);
  const parts = st.components.map((c) => ({ name: c.name, weight: c.weight, pred: candidate(c.name).fit(trainM, trainGold, options).predict(testM) }));
  console.log(`fold ${f}: ${st.picked}`);
  test.forEach((item, r) => {
    const dec = pa.decided[r] === 1 ? argmax(pa.probs, r * K, K) : -1;
    const ok = isRight(testGold, testRight, K, r, dec);
    if (ok) autoRight++;
    const rightCols = Array.from({ length: K }, (_, k) => k).filter((k) => isRight(testGold, testRight, K, r, k));
    const partOk = parts.map((c) => isRight(testGold, testRight, K, r, c.pred.decided[r] === 1 ? argmax(c.pred.probs, r * K, K) : -1));
    if (ok || rightCols.length === 0) return;
    const cols = [...new Set([dec, ...rightCols])].filter((k) => k >= 0);
    console.log(`  item ${matrix.itemIds[item]}: decided ${label(item, dec)} (auto ${cols.map((k) => `${label(item, k)}=${(pa.probs[r * K + k] as number).toFixed(3)}`).join(' ')}), right ${rightCols.map((k) => label(item, k)).join('/')}`);
    parts.forEach((c, idx) => console.log(`    ${c.name.padEnd(30)} w ${c.weight.toFixed(2)} ${partOk[idx] ? 'right' : 'wrong'} ${cols.map((k) => `${label(item, k)}=${(c.pred.probs[r * K + k] as number).toFixed(3)}`).join(' ')}`));
    const answers: string[] = [];
    for (let j = 0; j < M; j++) {
      const at = (r * M + j);
      answers.push(`${matrix.models[j]}:${testM.present[at] === 1 ? label(item, argmax(testM.probs, at * K, K)) : '-'}`);
    }
    console.log(`    answers ${answers.join(' ')}`);
  });
});
console.log(`auto right on ${autoRight} of ${gold.length}`);

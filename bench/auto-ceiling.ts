/**
 * Where `auto` stands between the best single model and what its own candidates could reach, per
 * QA (or classification-free) set and fold seed. Per outer fold: `auto` fitted on the training folds
 * (what it picked, whether it fell back and why), and every candidate it mixes refitted on the same
 * training folds and scored on the test fold. Then, over all items:
 * - `auto`, the hindsight best single model, every candidate out-of-fold, the best candidate with
 *   hindsight, and the oracle over candidates (an item counts when any candidate's decision is right):
 *   the ceiling of any selection or mixture of these candidates that decides per item;
 * - the items where `auto` loses to the best single model (it is right, `auto` is not) and the items
 *   it wins, and on the lost ones how many some candidate (and which) got right.
 * Accuracy is the scorer's, as in bench/quality.ts: the stated answer (a single model's own words, a
 * strategy's cluster's most central member, its trust in the models breaking ties) judged against
 * gold or the human judgement. `auto`'s accuracy by its learning target is printed beside it: the
 * decided column against the right columns (`isRight`: the cluster's most central member, no trust).
 *
 *   npx tsx bench/auto-ceiling.ts --set mot-gsm8k [--seed 1] [--folds 5]
 */
import { qaSetFolds, autoCandidate as candidate } from './qa-set.js';
import { answerOutcomes, type Voice } from '../src/eval/answer-score.js';
import { trustVector } from '../src/eval/evaluate.js';
import { autoStrategy, FALLBACK_PREFIX } from '../src/fuse/auto.js';
import { argmax, isRight, modelPrediction, selectItems, selectRows } from '../src/fuse/answer-matrix.js';
import type { FusedPrediction } from '../src/fuse/strategy.js';
import { isScored } from '../src/qa/prepare.js';
import { selectGold } from '../src/validation/folds.js';

const { set, p, matrix, gold, right, seed, outer } = qaSetFolds('mot-gsm8k');
const K = matrix.labels.length;
const N = gold.length;

const rightAt = (pred: FusedPrediction, r: number, i: number): boolean => pred.decided[r] === 1 && isRight(gold, right, K, i, argmax(pred.probs, r * K, K));
const scored = Array.from({ length: N }, (_, i) => i).filter((i) => isScored(p, i));
const S = scored.length;
/** 1 on the scored items whose stated answer is right, in scored order. */
const judged = (pred: FusedPrediction, voice: Voice): Uint8Array => {
  const c = answerOutcomes(p, pred, voice).correct;
  return Uint8Array.from(scored, (i) => c[i] as number);
};

// The hindsight best single model, each in its own words.
let bestModel = -1;
let bestModelHits = -1;
const modelRight: Uint8Array[] = matrix.models.map((_, j) => {
  const ok = judged(modelPrediction(matrix, j), { speaker: j });
  const hits = ok.reduce((a, b) => a + b, 0);
  if (hits > bestModelHits) {
    bestModelHits = hits;
    bestModel = j;
  }
  return ok;
});
const single = modelRight[bestModel] as Uint8Array;

/** Out-of-fold predictions over all items and each item's fold's trust in the models. */
interface Oof {
  probs: Float64Array;
  decided: Uint8Array;
  trust: (Float64Array | undefined)[];
}
const blank = (): Oof => ({ probs: new Float64Array(N * K), decided: new Uint8Array(N), trust: new Array(N) });
const place = (o: Oof, test: readonly number[], pred: FusedPrediction, trust: Float64Array | undefined): void =>
  test.forEach((i, r) => {
    o.probs.set(pred.probs.subarray(r * K, (r + 1) * K), i * K);
    o.decided[i] = pred.decided[r] as number;
    o.trust[i] = trust;
  });
const judgedOof = (o: Oof): Uint8Array => judged(o, { trust: (i) => o.trust[i] });
/** The named answer's cluster on each scored item (-1: none), in scored order. */
const clusterOf = (pred: FusedPrediction, voice: Voice): Int32Array => {
  const c = answerOutcomes(p, pred, voice).cluster;
  return Int32Array.from(scored, (i) => c[i] as number);
};
/** Scored items whose decided column is right by the learning target (the right columns). */
const targetHits = (o: Oof): number => scored.reduce((a, i) => a + (rightAt(o, i, i) ? 1 : 0), 0);

const auto = blank();
/**
 * Two other procedures `auto` could have followed on the same fits, for comparison: `pick` always uses
 * the candidate its check names best on the inner rows (no mixture); `higher` uses whichever of the
 * mixture and that candidate scored higher held out on the inner rows (the check without its noise margin).
 */
const pick = blank();
const higher = blank();
const cands = new Map<string, Oof>();
outer.forEach((test, f) => {
  const testSet = new Set(test);
  const train = Array.from({ length: N }, (_, i) => i).filter((i) => !testSet.has(i));
  const options = { seed: seed + 1000 * (f + 1), right: selectRows(right, K, train) };
  const trainM = selectItems(matrix, train);
  const trainGold = selectGold(gold, train);
  const testM = selectItems(matrix, test);
  const fitted = autoStrategy.fit(trainM, trainGold, options);
  const st = fitted.state() as { picked: string; innerScores: Record<string, number>; check?: { why: string; best: string; mixtureScore: number; bestScore: number } };
  const pa = fitted.predict(testM);
  place(auto, test, pa, trustVector(fitted, p.models));
  const fb = st.picked.startsWith(FALLBACK_PREFIX);
  console.log(`fold ${f}${fb ? ' FELL BACK' : ''}: ${st.picked}`);
  if (st.check) console.log(`  check: ${st.check.why}`);
  for (const name of Object.keys(st.innerScores)) {
    const c = candidate(name).fit(trainM, trainGold, options);
    const o = cands.get(name) ?? blank();
    const pc = c.predict(testM);
    place(o, test, pc, trustVector(c, p.models));
    cands.set(name, o);
    if (st.check?.best === name) {
      place(pick, test, pc, trustVector(c, p.models));
      if (st.check.bestScore > st.check.mixtureScore) place(higher, test, pc, trustVector(c, p.models));
      else place(higher, test, pa, trustVector(fitted, p.models));
    }
  }
});
const autoRight = judgedOof(auto);
const candRight = new Map([...cands].map(([n, o]) => [n, judgedOof(o)] as const));

const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
const pct = (hits: number) => (hits / S).toFixed(3);
const names = [...candRight.keys()];
const oracle = Uint8Array.from({ length: S }, (_, i) => (names.some((n) => (candRight.get(n) as Uint8Array)[i] === 1) ? 1 : 0));
const anyModel = Uint8Array.from({ length: S }, (_, i) => (modelRight.some((m) => m[i] === 1) ? 1 : 0));
console.log(`\n${set} seed ${seed}: ${N} items, ${S} scored`);
console.log(`auto ${pct(sum(autoRight))}  best single ${matrix.models[bestModel]} ${pct(bestModelHits)}  margin ${(100 * (sum(autoRight) - bestModelHits) / S).toFixed(2)} points; auto by its learning target (right columns) ${pct(targetHits(auto))}`);
const ranked = names.map((n) => [n, sum(candRight.get(n) as Uint8Array)] as const).sort((a, b) => b[1] - a[1]);
for (const [n, hits] of ranked) console.log(`  candidate ${n.padEnd(34)} ${pct(hits)} (by the learning target ${pct(targetHits(cands.get(n) as Oof))})`);
console.log(`best candidate (hindsight) ${ranked[0]?.[0]} ${pct(ranked[0]?.[1] ?? 0)}; oracle over candidates ${pct(sum(oracle))}; some model right ${pct(sum(anyModel))}`);
{
  // The gap to the hindsight best candidate in paired items: McNemar's z (that candidate was picked with hindsight among many, so this overstates it).
  const top = candRight.get(ranked[0]?.[0] ?? '') as Uint8Array;
  let b = 0;
  let c = 0;
  for (let r = 0; r < S; r++) {
    if (top[r] === 1 && autoRight[r] === 0) b++;
    if (top[r] === 0 && autoRight[r] === 1) c++;
  }
  console.log(`auto against the hindsight best candidate, paired: it is right on ${b} items auto is not, auto on ${c} it is not (z ${b + c > 0 ? ((b - c) / Math.sqrt(b + c)).toFixed(2) : '0'})`);
}
console.log(`other procedures on the same fits: always the inner-best candidate ${pct(sum(judgedOof(pick)))}; the higher of mixture and inner-best candidate held out ${pct(sum(judgedOof(higher)))}`);
const lost = Array.from({ length: S }, (_, i) => i).filter((i) => single[i] === 1 && autoRight[i] === 0);
const won = Array.from({ length: S }, (_, i) => i).filter((i) => single[i] === 0 && autoRight[i] === 1);
const lostGot = lost.filter((i) => oracle[i] === 1);
// A lost item where `auto` names the best model's own cluster is lost in the wording: the scorer judges the
// cluster's most central member, which the judges marked otherwise than the best model's own words.
const autoCluster = clusterOf(auto, { trust: (i) => auto.trust[i] });
const singleCluster = clusterOf(modelPrediction(matrix, bestModel), { speaker: bestModel });
const inWording = (r: number): boolean => (autoCluster[r] as number) >= 0 && autoCluster[r] === singleCluster[r];
const sameCluster = lost.filter(inWording).length;
const sameWon = won.filter(inWording).length;
console.log(`of the ${lost.length} lost, ${sameCluster} name the best single model's own cluster (lost in the wording, not the choice); of the ${won.length} won, ${sameWon} (won in the wording)`);
// `best-model` answers as the best single model wherever it ranks it first: the lost items it gets are no news.
const fusing = names.filter((n) => n !== 'best-model');
const lostFused = lost.filter((i) => fusing.some((n) => (candRight.get(n) as Uint8Array)[i] === 1));
console.log(`auto loses ${lost.length} items to the best single model, wins ${won.length}; of the lost, some candidate right on ${lostGot.length}, some candidate other than best-model on ${lostFused.length}`);
for (const [n] of ranked) {
  const c = candRight.get(n) as Uint8Array;
  const l = lost.filter((i) => c[i] === 1).length;
  const w = won.filter((i) => c[i] === 1).length;
  if (l > 0) console.log(`  ${n.padEnd(34)} right on ${l} lost, ${w} won`);
}

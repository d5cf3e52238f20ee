/**
 * Prototype, synthetic crowds only: does choosing the next model from the answers so far (an
 * adaptive order) ask fewer models than a fixed order for the same realised loss? Every policy
 * here shares one fusion that accepts any subset of models (naive Bayes on per-model confusion
 * matrices estimated on the training items, Laplace-smoothed, with the class prior) and one
 * stopping rule (stop once the fused posterior's top label reaches a threshold), so only the
 * order differs:
 *
 * - `fixed`: the product's greedy order (`learnOrder` against the labels);
 * - `tree`: after the fixed order's first model, a greedy order per label that first model gave,
 *   learned on the training items where it gave it (a small tree of orders);
 * - `voi`: after the same first model, the unasked model with the largest expected rise of the
 *   fused posterior's top probability (myopic value of information under the fusion's own model);
 * - `flip`: the unasked model most likely to change the current decision, under the same model.
 *
 * Per world and draw, each policy is replayed on new items for a grid of thresholds; the realised
 * loss is the full fusion's (every model) macro-F1 minus the policy's. Printed per world and
 * policy: mean over draws of the share of calls at the cheapest threshold whose realised loss is
 * within 0.5 point (picked in hindsight on the new items, the same for every policy: a comparison
 * of orders, not of operating points), and the curve's mean loss @ calls at a few thresholds.
 *
 *   npx tsx bench/adaptive-order-worlds.ts [--draws 5] [--train 400] [--test 3000] [--worlds 0,1,2,3]
 */
import { parseArgs } from 'node:util';
import { selectItems } from '../src/fuse/answer-matrix.js';
import { learnOrder } from '../src/fuse/adaptive/order.js';
import { hardVotes } from '../src/fuse/votes.js';
import { scoreClassification } from '../src/validation/metrics.js';
import { makeWorld, type WorldSpec } from '../test/support/crowd-worlds.js';
import { ADAPTIVE_WORLDS, MANY_MODEL_WORLD } from '../test/support/adaptive-worlds.js';

const { values } = parseArgs({
  options: {
    draws: { type: 'string', default: '5' },
    train: { type: 'string', default: '400' },
    test: { type: 'string', default: '3000' },
    worlds: { type: 'string', default: '0,1,2,3' },
  },
});
const draws = Number(values.draws);
const trainN = Number(values.train);
const testN = Number(values.test);
const WORLDS: WorldSpec[] = [...ADAPTIVE_WORLDS, MANY_MODEL_WORLD];
const THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999];
const POLICIES = ['fixed', 'tree', 'voi', 'flip'] as const;
type Policy = (typeof POLICIES)[number];

/** Naive-Bayes fusion: log prior and log confusion[j][y][a] from labelled votes (Laplace +1). */
function fitNaiveBayes(votes: Int32Array, gold: Int32Array, M: number, K: number) {
  const N = gold.length;
  const prior = new Float64Array(K).fill(1);
  const conf = new Float64Array(M * K * K).fill(1);
  for (let i = 0; i < N; i++) {
    const y = gold[i] as number;
    prior[y] = (prior[y] as number) + 1;
    for (let j = 0; j < M; j++) {
      const a = votes[i * M + j] as number;
      if (a >= 0) conf[(j * K + y) * K + a] = (conf[(j * K + y) * K + a] as number) + 1;
    }
  }
  const logPrior = Float64Array.from(prior, (p) => Math.log(p / (N + K)));
  const logConf = new Float64Array(M * K * K);
  for (let j = 0; j < M; j++)
    for (let y = 0; y < K; y++) {
      let row = 0;
      for (let a = 0; a < K; a++) row += conf[(j * K + y) * K + a] as number;
      for (let a = 0; a < K; a++) logConf[(j * K + y) * K + a] = Math.log((conf[(j * K + y) * K + a] as number) / row);
    }
  return { logPrior, logConf };
}

function posterior(log: Float64Array): Float64Array {
  const max = Math.max(...log);
  const e = Float64Array.from(log, (v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const argmax = (p: ArrayLike<number>) => {
  let b = 0;
  for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[b] as number)) b = k;
  return b;
};

/**
 * One item's path under a policy: after each model asked, the fused decision and its top
 * probability. The path does not depend on the threshold (the order is chosen from the answers),
 * so every threshold is read off one path: stop at the first step whose top probability reaches it.
 */
function itemPath(policy: Policy, votes: Int32Array, i: number, M: number, K: number, nb: ReturnType<typeof fitNaiveBayes>, fixed: readonly number[], tree: readonly (readonly number[])[], stopAt: number) {
  const log = Float64Array.from(nb.logPrior);
  const asked = new Uint8Array(M);
  const top: number[] = [];
  const decision: number[] = [];
  const add = (j: number) => {
    asked[j] = 1;
    const a = votes[i * M + j] as number;
    if (a >= 0) for (let y = 0; y < K; y++) log[y] = (log[y] as number) + (nb.logConf[(j * K + y) * K + a] as number);
    const p = posterior(log);
    const d = argmax(p);
    decision.push(d);
    top.push(p[d] as number);
  };
  const first = fixed[0] as number;
  add(first);
  const branch = tree[Math.max(0, votes[i * M + first] as number)] ?? fixed;
  let cursor = 0;
  while (decision.length < M) {
    if ((top[top.length - 1] as number) >= stopAt) break;
    let next = -1;
    if (policy === 'fixed' || policy === 'tree') {
      const seq = policy === 'fixed' ? fixed : branch;
      while (cursor < seq.length && asked[seq[cursor] as number]) cursor++;
      next = seq[cursor] as number;
    } else {
      const p = posterior(log);
      const d = argmax(p);
      let best = -Infinity;
      for (let j = 0; j < M; j++) {
        if (asked[j]) continue;
        // P(answer a) = sum_y p(y) C_j[y][a]; after it, the posterior is p(y) C_j[y][a] / P(a).
        let value = 0;
        for (let a = 0; a < K; a++) {
          let pa = 0;
          let bestJoint = -1;
          let bestY = 0;
          for (let y = 0; y < K; y++) {
            const joint = (p[y] as number) * Math.exp(nb.logConf[(j * K + y) * K + a] as number);
            pa += joint;
            if (joint > bestJoint) {
              bestJoint = joint;
              bestY = y;
            }
          }
          value += policy === 'voi' ? bestJoint : bestY !== d ? pa : 0;
        }
        if (value > best) {
          best = value;
          next = j;
        }
      }
    }
    add(next);
  }
  return { top, decision };
}

function draw(spec: WorldSpec, seed: number) {
  const world = makeWorld({ ...spec, items: trainN + testN }, seed);
  const M = world.matrix.models.length;
  const K = world.matrix.labels.length;
  const tr = Array.from({ length: trainN }, (_, r) => r);
  const te = Array.from({ length: testN }, (_, r) => trainN + r);
  const train = selectItems(world.matrix, tr);
  const trainGold = Int32Array.from(tr, (i) => world.gold[i] as number);
  const testGold = Int32Array.from(te, (i) => world.gold[i] as number);
  const votes = hardVotes(selectItems(world.matrix, te));
  const trainVotes = hardVotes(train);
  const nb = fitNaiveBayes(trainVotes, trainGold, M, K);
  const fixed = learnOrder(train, trainGold);
  const first = fixed[0] as number;
  const tree = Array.from({ length: K }, (_, k) => {
    const rows = tr.filter((_, r) => trainVotes[r * M + first] === k);
    if (rows.length < 20) return fixed;
    return learnOrder(selectItems(train, rows), Int32Array.from(rows, (r) => trainGold[r] as number));
  });
  const f1 = (d: Int32Array) => {
    const probs = new Float64Array(testN * K);
    d.forEach((k, r) => (probs[r * K + k] = 1));
    return scoreClassification(testGold, { probs, decided: new Uint8Array(testN).fill(1) }, world.matrix.labels).macroF1;
  };
  const fullPaths = Array.from({ length: testN }, (_, r) => itemPath('fixed', votes, r, M, K, nb, fixed, tree, Infinity));
  const full = f1(Int32Array.from(fullPaths, (p) => p.decision[M - 1] as number));
  const maxThreshold = THRESHOLDS[THRESHOLDS.length - 1] as number;
  return Object.fromEntries(
    POLICIES.map((policy) => {
      const paths = policy === 'fixed' ? fullPaths : Array.from({ length: testN }, (_, r) => itemPath(policy, votes, r, M, K, nb, fixed, tree, maxThreshold));
      const curve = THRESHOLDS.map((theta) => {
        let calls = 0;
        const d = Int32Array.from(paths, (p) => {
          let t = p.top.findIndex((v) => v >= theta);
          if (t < 0) t = p.top.length - 1;
          calls += t + 1;
          return p.decision[t] as number;
        });
        return { theta, loss: full - f1(d), share: calls / testN / M };
      });
      return [policy, curve];
    }),
  ) as Record<Policy, { theta: number; loss: number; share: number }[]>;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
for (const w of (values.worlds as string).split(',').map(Number)) {
  const spec = WORLDS[w] as WorldSpec;
  const runs = Array.from({ length: draws }, (_, d) => draw(spec, 2000 + d));
  const out = POLICIES.map((policy) => {
    // Hindsight: the cheapest threshold within 0.5 point on the new items, per draw.
    const cheapest = runs.map((r) => Math.min(...r[policy].filter((p) => p.loss <= 0.005).map((p) => p.share), 1));
    const at = (theta: number) => {
      const pts = runs.map((r) => r[policy].find((p) => p.theta === theta) as { loss: number; share: number });
      return `${(100 * mean(pts.map((p) => p.loss))).toFixed(2)} @ ${mean(pts.map((p) => p.share)).toFixed(3)}`;
    };
    return { policy, hindsightShareWithinHalfPoint: +mean(cheapest).toFixed(3), 'theta=0.9': at(0.9), 'theta=0.97': at(0.97), 'theta=0.99': at(0.99), 'theta=0.999': at(0.999) };
  });
  console.log(JSON.stringify({ world: spec.name, draws, train: trainN, test: testN, policies: out }));
}

/**
 * Where the dependence-weighted Dawid-Skene EM ends depending on where it starts (issue 19, branch
 * ds14): on the synthetic crowds of test/support/crowd-world-specs.ts (known truth), the full
 * variant with the dependence test started from the vote shares (what the strategy does), from the
 * posteriors of the same EM without the test, and from the truth itself (a start no user has: it
 * shows whether the truth is a fixed point at all). Per start: macro-F1, and three statistics of the
 * fixed point that an unsupervised choice between starts could use: the weighted log-likelihood per
 * unit of voter weight (per item), the number of pairs the test finds dependent given the fixed point's latent
 * class, and their summed copy rates. Prints a Markdown table, seeds 1-3.
 *
 *   npx tsx bench/dawid-skene-fixed-points.ts [--worlds "a strong few,families"]
 */
import { parseArgs } from 'node:util';
import { bernsteinExcess, pairAgreement } from '../src/fuse/dawid-skene-dependence.js';
import { type DawidSkeneResult, dawidSkene } from '../src/fuse/dawid-skene-em.js';
import { majorityVoteStrategy } from '../src/fuse/majority-vote.js';
import { hardVotes } from '../src/fuse/votes.js';
import { scoreClassification } from '../src/validation/metrics.js';
import { STRONG_FEW_WORLD, WORLDS } from '../test/support/crowd-world-specs.js';
import { makeWorld } from '../test/support/crowd-worlds.js';

const { values } = parseArgs({ options: { worlds: { type: 'string' } } });
const wanted = values.worlds?.split(',');
const specs = [...WORLDS, STRONG_FEW_WORLD].filter((s) => !wanted || wanted.some((w) => s.name.startsWith(w)));

console.log('| world | seed | vote | start | macro-F1 | log-likelihood per item and unit weight | dependent pairs | summed copy rate |');
console.log('|---|---|---|---|---|---|---|---|');
for (const spec of specs) {
  for (const seed of [1, 2, 3]) {
    const w = makeWorld(spec, seed);
    const N = w.gold.length;
    const M = w.matrix.models.length;
    const K = w.matrix.labels.length;
    const votes = hardVotes(w.matrix);
    const f1 = (T: Float64Array) => scoreClassification(w.gold, { probs: T, decided: new Uint8Array(N).fill(1) }, w.matrix.labels).macroF1;
    const vote = scoreClassification(w.gold, majorityVoteStrategy.fit(w.matrix, new Int32Array(N).fill(-1), { seed: 1 }).predict(w.matrix), w.matrix.labels).macroF1;
    const table = pairAgreement(votes, N, M, new Float64Array(M).fill(1));
    const logLikelihood = (r: DawidSkeneResult): number => {
      let total = 0;
      for (let i = 0; i < N; i++) {
        let z = 0;
        for (let k = 0; k < K; k++) {
          let log = Math.log(r.priors[k] as number);
          for (let j = 0; j < M; j++) {
            const v = votes[i * M + j] as number;
            if (v >= 0) log += (r.weights[j] as number) * Math.log(r.confusion[(j * K + k) * K + v] as number);
          }
          z += Math.exp(log);
        }
        total += Math.log(z);
      }
      return total / N / r.weights.reduce((a, b) => a + b, 0);
    };
    /** The test of dawid-skene-dependence.ts given the fixed point's latent: pairs found dependent and their summed copy rates. */
    const dependence = (r: DawidSkeneResult): [number, number] => {
      let pairs = 0;
      let phi = 0;
      for (let p = 0; p < table.both.length; p++) {
        const n = table.both[p] as number;
        const a = table.pairs[2 * p] as number;
        const b = table.pairs[2 * p + 1] as number;
        let expected = 0;
        for (const i of table.items) {
          if ((votes[i * M + a] as number) < 0 || (votes[i * M + b] as number) < 0) continue;
          for (let k = 0; k < K; k++) {
            let chance = 0;
            for (let l = 0; l < K; l++) chance += (r.confusion[(a * K + k) * K + l] as number) * (r.confusion[(b * K + k) * K + l] as number);
            expected += (r.posteriors[i * K + k] as number) * chance;
          }
        }
        const excess = (table.same[p] as number) - expected;
        if (n - expected <= 0 || excess <= bernsteinExcess(n, expected / n, table.logOdds)) continue;
        pairs++;
        phi += Math.min(1, excess / (n - expected));
      }
      return [pairs, phi];
    };
    const plain = dawidSkene(votes, N, M, K, { variant: 'full' });
    const truth = new Float64Array(N * K);
    w.gold.forEach((g, i) => (truth[i * K + g] = 1));
    for (const [name, start] of [['vote', undefined], ['EM without the test', plain.posteriors], ['truth', truth]] as const) {
      const r = dawidSkene(votes, N, M, K, { variant: 'full', dependence: true, ...(start ? { start } : {}) });
      const [pairs, phi] = dependence(r);
      console.log(`| ${spec.name} | ${seed} | ${vote.toFixed(3)} | ${name} | ${f1(r.posteriors).toFixed(3)} | ${logLikelihood(r).toFixed(3)} | ${pairs} | ${phi.toFixed(1)} |`);
    }
  }
}

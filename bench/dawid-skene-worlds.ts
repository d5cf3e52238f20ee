/**
 * Unsupervised Dawid-Skene on the synthetic crowds of test/support/crowd-world-specs.ts (known
 * truth; seeds 1-3): macro-F1 of the vote, the textbook EM and both variants, mean over seeds, and
 * the worst seed's gap to the vote. Prints a Markdown table; the last world is STRONG_FEW_WORLD.
 *
 *   npx tsx bench/dawid-skene-worlds.ts
 */
import { dawidSkeneStrategy, oneCoinDawidSkeneStrategy } from '../src/fuse/dawid-skene.js';
import { majorityVoteStrategy } from '../src/fuse/majority-vote.js';
import type { FusedPrediction } from '../src/fuse/strategy.js';
import { scoreClassification } from '../src/validation/metrics.js';
import { STRONG_FEW_WORLD, WORLDS } from '../test/support/crowd-world-specs.js';
import { makeWorld } from '../test/support/crowd-worlds.js';
import { textbookDawidSkene } from '../test/support/textbook-dawid-skene.js';

const SEEDS = [1, 2, 3];
const COLUMNS = ['majority-vote', 'textbook EM', 'dawid-skene', 'dawid-skene-one-coin'] as const;
const f3 = (x: number) => x.toFixed(3);
const lines = [`| world | items | voters | ${COLUMNS.join(' | ')} | worst seed: dawid-skene / one-coin minus the vote |`, `|---|---|---|${COLUMNS.map(() => '---|').join('')}---|`];
const totals = new Map<string, number>();
const specs = [...WORLDS, STRONG_FEW_WORLD];
for (const spec of specs) {
  const sums = new Map<string, number>();
  const worst = [Infinity, Infinity];
  let voters = 0;
  for (const seed of SEEDS) {
    const w = makeWorld(spec, seed);
    voters = w.matrix.models.length;
    const un = new Int32Array(w.gold.length).fill(-1);
    const f1 = (p: FusedPrediction) => scoreClassification(w.gold, p, w.matrix.labels).macroF1;
    const scores = [
      f1(majorityVoteStrategy.fit(w.matrix, un, { seed: 1 }).predict(w.matrix)),
      f1(textbookDawidSkene(w.matrix)),
      f1(dawidSkeneStrategy.fit(w.matrix, un, { seed: 1 }).predict(w.matrix)),
      f1(oneCoinDawidSkeneStrategy.fit(w.matrix, un, { seed: 1 }).predict(w.matrix)),
    ];
    COLUMNS.forEach((c, k) => sums.set(c, (sums.get(c) ?? 0) + (scores[k] as number) / SEEDS.length));
    worst[0] = Math.min(worst[0] as number, (scores[2] as number) - (scores[0] as number));
    worst[1] = Math.min(worst[1] as number, (scores[3] as number) - (scores[0] as number));
  }
  for (const c of COLUMNS) totals.set(c, (totals.get(c) ?? 0) + (sums.get(c) as number) / specs.length);
  lines.push(`| ${spec.name} | ${spec.items} | ${voters} | ${COLUMNS.map((c) => f3(sums.get(c) as number)).join(' | ')} | ${worst.map((x) => (x >= 0 ? '+' : '') + f3(x)).join(' / ')} |`);
  console.error(lines[lines.length - 1]);
}
lines.push(`| mean | | | ${COLUMNS.map((c) => f3(totals.get(c) as number)).join(' | ')} | |`);
console.log(lines.join('\n'));

/**
 * Whether `adaptive`'s promise holds on items it has never seen, in synthetic crowds with known
 * truth: per world and draw, a policy is fitted on `train` labelled items and replayed on many
 * new items of the same crowd; its realised loss is the full strategy's macro-F1 minus the
 * policy's on those new items. Each way of bounding the training-fold loss re-chooses its setting
 * from the same fitted curve. Prints, per world and variant, the mean realised loss over draws
 * (with its standard error), the share of draws over the target, and the share of calls.
 *
 *   npx tsx bench/adaptive-worlds.ts [--draws 20] [--train 400] [--test 4000] [--agreement-model pooled|per-checkpoint] [--worlds 0,1,2,3]
 */
import { parseArgs } from 'node:util';
import type { StopTarget } from '../src/fuse/adaptive/adaptive-strategy.js';
import type { AgreementModelKind } from '../src/fuse/adaptive/agreement.js';
import type { WorldSpec } from '../test/support/crowd-worlds.js';
import { ADAPTIVE_WORLDS, type BoundVariant, MANY_MODEL_WORLD, RARE_DISAGREEMENT_WORLDS, realisedLosses } from '../test/support/adaptive-worlds.js';

const { values } = parseArgs({
  options: {
    draws: { type: 'string', default: '20' },
    train: { type: 'string', default: '400' },
    test: { type: 'string', default: '4000' },
    'stop-target': { type: 'string' },
    /** How the agreement model reads a step (adaptive's default when absent): pooled | per-checkpoint. */
    'agreement-model': { type: 'string' },
    /** Which worlds (indices into ADAPTIVE_WORLDS followed by MANY_MODEL_WORLD and RARE_DISAGREEMENT_WORLDS; default every one). */
    worlds: { type: 'string' },
  },
});
const draws = Number(values.draws);
const train = Number(values.train);
const test = Number(values.test);

const VARIANTS: BoundVariant[] = [
  { name: 'labels+1se', estimate: 'labels', caution: 1, unseen: 'none' },
  { name: 'labels+1se pseudo', estimate: 'labels', caution: 1, unseen: 'pseudo' },
  { name: 'labels+1se fixed grid', estimate: 'labels', caution: 1, fixedGrid: true },
  { name: 'labels+0.5se', estimate: 'labels', caution: 0.5 },
  { name: 'labels', estimate: 'labels', caution: 0 },
  { name: 'expected+1se', estimate: 'expected', caution: 1 },
  { name: 'expected', estimate: 'expected', caution: 0 },
];

const stopTarget = { ...(values['stop-target'] ? { stopTarget: values['stop-target'] as StopTarget } : {}), ...(values['agreement-model'] ? { agreementModel: values['agreement-model'] as AgreementModelKind } : {}) };
const realised = (spec: WorldSpec, seed: number) => realisedLosses(spec, seed, { train, test }, VARIANTS, stopTarget);

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const WORLDS = [...ADAPTIVE_WORLDS, MANY_MODEL_WORLD, ...RARE_DISAGREEMENT_WORLDS];
const chosen = values.worlds ? values.worlds.split(',').map((w) => WORLDS[Number(w)] as WorldSpec) : WORLDS;
for (const spec of chosen) {
  const runs = Array.from({ length: draws }, (_, d) => realised(spec, 1000 + d));
  const out = VARIANTS.map((v, q) => {
    const losses = runs.map((r) => (r[q] as { loss: number }).loss);
    const m = mean(losses);
    const sd = Math.sqrt(mean(losses.map((x) => (x - m) ** 2)) * (losses.length / Math.max(1, losses.length - 1)));
    return {
      variant: v.name,
      meanLossPoints: +(100 * m).toFixed(2),
      seMeanPoints: +((100 * sd) / Math.sqrt(losses.length)).toFixed(2),
      overTarget: +(losses.filter((x) => x > 0.005).length / losses.length).toFixed(2),
      callShare: +mean(runs.map((r) => (r[q] as { calls: number }).calls)).toFixed(3),
    };
  });
  console.log(JSON.stringify({ world: spec.name, stopTarget: values['stop-target'] ?? 'default', agreementModel: values['agreement-model'] ?? 'default', train, test, draws, variants: out }));
}

/**
 * How far `adaptive`'s training-fold curve is from what its chosen setting realises on new items,
 * per kind of agreement model, in the synthetic crowds: per world and draw, a policy fitted on 400
 * labelled items (weighted votes as its fusions) and replayed on 4000 new ones; prints per kind the
 * chosen setting's cross-fitted training loss, its realised loss and the gap (points), and the share
 * of calls.
 *
 *   npx tsx bench/adaptive-curve-gap.ts [--draws 3]
 */
import { parseArgs } from 'node:util';
import { selectItems } from '../src/fuse/answer-matrix.js';
import { createAdaptive, type FittedAdaptive } from '../src/fuse/adaptive/adaptive-strategy.js';
import type { AgreementModelKind } from '../src/fuse/adaptive/agreement.js';
import type { CurvePoint } from '../src/fuse/adaptive/operating-point.js';
import type { StopRule } from '../src/fuse/adaptive/stop-rule.js';
import { weightedVoteStrategy } from '../src/fuse/weighted-vote.js';
import { scoreClassification } from '../src/validation/metrics.js';
import { makeWorld } from '../test/support/crowd-worlds.js';
import { ADAPTIVE_WORLDS } from '../test/support/adaptive-worlds.js';

const { values } = parseArgs({ options: { draws: { type: 'string', default: '3' } } });
const KINDS: AgreementModelKind[] = ['pooled', 'staged', 'per-checkpoint'];
const gaps = new Map<AgreementModelKind, number[]>(KINDS.map((k) => [k, []]));
ADAPTIVE_WORLDS.forEach((spec, w) => {
  for (let d = 0; d < Number(values.draws); d++) {
    const seed = 1000 + d;
    const world = makeWorld({ ...spec, items: 4400 }, seed);
    const tr = Array.from({ length: 400 }, (_, r) => r);
    const te = Array.from({ length: 4000 }, (_, r) => 400 + r);
    const answers = selectItems(world.matrix, te);
    const gold = Int32Array.from(te, (i) => world.gold[i] as number);
    const f1 = (p: { probs: Float64Array; decided: Uint8Array }) => scoreClassification(gold, p, world.matrix.labels).macroF1;
    for (const kind of KINDS) {
      const strategy = createAdaptive({ final: weightedVoteStrategy, prefix: weightedVoteStrategy, agreementModel: kind });
      const policy = strategy.fit(selectItems(world.matrix, tr), Int32Array.from(tr, (i) => world.gold[i] as number), { seed }) as FittedAdaptive;
      const full = f1(policy.withRule({ kind: 'agreement', tau: Infinity }).replay(answers).prediction);
      const st = policy.state() as { curve: CurvePoint[]; rule: StopRule };
      const point = st.curve.find((p) => JSON.stringify(p.rule) === JSON.stringify(st.rule)) as CurvePoint;
      const r = policy.replay(answers);
      const realised = 100 * (full - f1(r.prediction));
      const gap = realised - 100 * point.loss;
      gaps.get(kind)?.push(gap);
      const calls = r.calls.reduce((a, b) => a + b, 0) / r.calls.length / world.matrix.models.length;
      console.log(JSON.stringify({ world: w, seed, kind, rule: st.rule, trainLoss: +(100 * point.loss).toFixed(2), realisedLoss: +realised.toFixed(2), gap: +gap.toFixed(2), callShare: +calls.toFixed(3) }));
    }
  }
});
for (const [kind, g] of gaps) console.log(JSON.stringify({ kind, meanGapPoints: +(g.reduce((a, b) => a + b, 0) / Math.max(1, g.length)).toFixed(2), draws: g.length }));

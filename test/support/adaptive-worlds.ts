import { selectItems } from '../../src/fuse/answer-matrix.js';
import { type AdaptiveOptions, createAdaptive, type FittedAdaptive } from '../../src/fuse/adaptive/adaptive-strategy.js';
import { chooseOperatingPoint, type CurvePoint, type LossEstimate, lossBoundOf, type Target, type UnseenDisagreement } from '../../src/fuse/adaptive/operating-point.js';
import { ruleGrid } from '../../src/fuse/adaptive/stop-rule.js';
import { weightedVoteStrategy } from '../../src/fuse/weighted-vote.js';
import { scoreClassification } from '../../src/validation/metrics.js';
import { seededRandom } from '../../src/util/random.js';
import { makeWorld, type World, type WorldSpec } from './crowd-worlds.js';

/**
 * Crowds of the size adaptive querying is used on (a dozen models), with known truth: items of
 * which some are hard (an attractive wrong answer many voters fall for), near-copies, spammers,
 * one-label voters, skewed classes. `items` is set by the caller (training plus new items).
 */
export const ADAPTIVE_WORLDS: WorldSpec[] = [
  {
    name: 'a few strong models among weaker ones (4 labels, 12 models)',
    items: 0,
    classes: [0.4, 0.3, 0.2, 0.1],
    voters: [
      { kind: 'skilled', count: 3, min: 0.75, max: 0.9, attraction: 0.7 },
      { kind: 'skilled', count: 7, min: 0.45, max: 0.7, attraction: 0.7 },
      { kind: 'spammer', count: 1 },
      { kind: 'one-label', count: 1, label: 0, share: 0.9 },
    ],
    abstain: 0.03,
  },
  {
    name: 'near-copies and a skewed binary task (2 labels, 12 models)',
    items: 0,
    classes: [0.8, 0.2],
    voters: [
      { kind: 'skilled', count: 4, min: 0.7, max: 0.88 },
      { kind: 'copies', count: 5, accuracy: 0.75, fidelity: 0.85 },
      { kind: 'biased', count: 2, label: 0, bias: 0.4, accuracy: 0.75 },
      { kind: 'spammer', count: 1 },
    ],
  },
  {
    name: 'a weak crowd, hard items (3 labels, 10 models)',
    items: 0,
    classes: [1, 1, 1],
    voters: [
      { kind: 'skilled', count: 8, min: 0.45, max: 0.65, attraction: 0.8 },
      { kind: 'copies', count: 2, accuracy: 0.6, fidelity: 0.7 },
    ],
  },
];

/**
 * Strong crowds whose models rarely decide otherwise than the full strategy: on a few hundred
 * training items most cheap settings show no disagreement at all, though on new items they have
 * some, and each costs much when it falls on a rare label. The worlds where a bound that counts
 * only the disagreements the rows show picks the cheapest of many settings that merely look perfect.
 */
export const RARE_DISAGREEMENT_WORLDS: WorldSpec[] = [
  {
    name: 'a strong crowd and a rare label (3 labels, 8 models)',
    items: 0,
    classes: [0.85, 0.12, 0.03],
    voters: [{ kind: 'skilled', count: 8, min: 0.93, max: 0.98 }],
  },
  {
    name: 'a strong crowd with a family of copies (2 labels, 10 models)',
    items: 0,
    classes: [0.6, 0.4],
    voters: [
      { kind: 'skilled', count: 6, min: 0.95, max: 0.99 },
      { kind: 'copies', count: 4, accuracy: 0.9, fidelity: 0.95 },
    ],
  },
];

/**
 * A crowd of the size of the recorded `-all` sets (over a hundred models): a few strong models,
 * families of near-copies, many middling and weak voters, spammers and one-label voters. With a
 * hundred models a fixed grid of stopping thresholds spans the calls unevenly (see `refineGrid`).
 */
export const MANY_MODEL_WORLD: WorldSpec = {
  name: 'a hundred models: a few strong, copies, spammers (3 labels, 110 models)',
  items: 0,
  classes: [0.5, 0.3, 0.2],
  voters: [
    { kind: 'skilled', count: 3, min: 0.85, max: 0.92, attraction: 0.6 },
    { kind: 'copies', count: 12, accuracy: 0.78, fidelity: 0.9, attraction: 0.6 },
    { kind: 'copies', count: 8, accuracy: 0.7, fidelity: 0.8, attraction: 0.6 },
    { kind: 'skilled', count: 60, min: 0.45, max: 0.8, attraction: 0.6 },
    { kind: 'spammer', count: 15 },
    { kind: 'one-label', count: 8, label: 0, share: 0.9 },
    { kind: 'biased', count: 4, label: 1, bias: 0.5, accuracy: 0.7 },
  ],
  abstain: 0.02,
};

/** A way of bounding the training-fold loss: what it is scored against and how many standard errors are added. */
export interface BoundVariant {
  name: string;
  estimate: LossEstimate;
  caution: number;
  /** Whether the bound counts one disagreement the rows did not show (adaptive's default when absent). */
  unseen?: UnseenDisagreement;
  /** Choose among the settings of the rule's fixed grid only (the curve before `refineGrid`). */
  fixedGrid?: boolean;
}

/** The points of a fitted curve that are settings of the rule's fixed grid (`ruleGrid`), in curve order. */
export function onFixedGrid(curve: readonly CurvePoint[]): CurvePoint[] {
  const first = curve[0];
  if (!first) return [];
  const grid = ruleGrid(first.rule.kind).map((r) => JSON.stringify(r));
  return curve.filter((p) => grid.includes(JSON.stringify(p.rule)));
}

/**
 * One draw of a world: a policy fitted on `train` labelled items (weighted votes as its fusions, so
 * that many draws stay cheap), then replayed on `test` new items of the same crowd. Per variant,
 * the setting it chooses from the policy's training-fold curve, and the realised loss on the new
 * items (macro-F1 of the full strategy minus the policy's) with the share of calls.
 */
export function realisedLosses(
  spec: WorldSpec,
  seed: number,
  sizes: { train: number; test: number },
  variants: readonly BoundVariant[],
  options: AdaptiveOptions = {},
): { loss: number; calls: number }[] {
  const world = makeWorld({ ...spec, items: sizes.train + sizes.test }, seed);
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, r) => from + r);
  const tr = rows(0, sizes.train);
  const te = rows(sizes.train, sizes.test);
  const strategy = createAdaptive({ final: weightedVoteStrategy, prefix: weightedVoteStrategy, ...options });
  const policy = strategy.fit(selectItems(world.matrix, tr), Int32Array.from(tr, (i) => world.gold[i] as number), { seed }) as FittedAdaptive;
  const answers = selectItems(world.matrix, te);
  const gold = Int32Array.from(te, (i) => world.gold[i] as number);
  const f1 = (p: { probs: Float64Array; decided: Uint8Array }) => scoreClassification(gold, p, world.matrix.labels).macroF1;
  const full = f1(policy.withRule({ kind: 'agreement', tau: Infinity }).replay(answers).prediction);
  const st = policy.state() as { curve: CurvePoint[]; target: Target };
  const M = world.matrix.models.length;
  return variants.map((v) => {
    const curve = v.fixedGrid ? onFixedGrid(st.curve) : st.curve;
    const bounds = lossBoundOf(curve, v);
    const point = chooseOperatingPoint(
      curve.map((p, i) => ({ ...p, lossBound: bounds[i] as number })),
      st.target,
    );
    const r = policy.withRule(point.rule).replay(answers);
    return { loss: full - f1(r.prediction), calls: r.calls.reduce((a, b) => a + b, 0) / sizes.test / M };
  });
}

/**
 * The world's items with texts: a few filler words from a vocabulary shared by every label on each
 * item, and on a share `cued` of the items (drawn at random) two cue words of its true label, words
 * no other label's items carry. With `cued` 0 the texts are noise: nothing in them foretells the label.
 */
export function withTexts(world: World, cued: number, seed: number): World {
  const random = seededRandom(seed);
  const texts = Array.from(world.gold, (g) => {
    const words = Array.from({ length: 6 }, () => `filler${Math.floor(random() * 300)}`);
    if (random() < cued) words.push(`cue${g}x${Math.floor(random() * 3)}`, `cue${g}y${Math.floor(random() * 3)}`);
    return words.sort(() => random() - 0.5).join(' ');
  });
  return { ...world, matrix: { ...world.matrix, texts } };
}

/**
 * One draw of a world with texts: the policy fitted with a checkpoint 0 (`textCheckpoint`) on
 * `train` labelled items, replayed on `test` new ones as fitted (`text`) and without its
 * checkpoint 0 (`base`, the same fit): realised loss against the full strategy, share of calls, and
 * the share of new items decided from their text with no call.
 */
export function textCheckpointLosses(spec: WorldSpec, cued: number, seed: number, sizes: { train: number; test: number }, options: AdaptiveOptions = {}): { text: { loss: number; calls: number; fromText: number }; base: { loss: number; calls: number }; policy: FittedAdaptive } {
  const world = withTexts(makeWorld({ ...spec, items: sizes.train + sizes.test }, seed), cued, seed + 1);
  const tr = Array.from({ length: sizes.train }, (_, r) => r);
  const te = Array.from({ length: sizes.test }, (_, r) => sizes.train + r);
  const strategy = createAdaptive({ final: weightedVoteStrategy, prefix: weightedVoteStrategy, textCheckpoint: true, ...options });
  const policy = strategy.fit(selectItems(world.matrix, tr), Int32Array.from(tr, (i) => world.gold[i] as number), { seed }) as FittedAdaptive;
  const answers = selectItems(world.matrix, te);
  const gold = Int32Array.from(te, (i) => world.gold[i] as number);
  const f1 = (p: { probs: Float64Array; decided: Uint8Array }) => scoreClassification(gold, p, world.matrix.labels).macroF1;
  const full = f1(policy.withoutText().withRule({ kind: 'agreement', tau: Infinity }).replay(answers).prediction);
  const M = world.matrix.models.length;
  const measured = (p: FittedAdaptive) => {
    const r = p.replay(answers);
    return { loss: full - f1(r.prediction), calls: r.calls.reduce((a, b) => a + b, 0) / sizes.test / M, fromText: r.calls.filter((c) => c === 0).length / sizes.test };
  };
  const base = measured(policy.withoutText());
  return { text: measured(policy), base: { loss: base.loss, calls: base.calls }, policy };
}

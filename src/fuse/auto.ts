import { z } from 'zod';
import { selectGold } from '../validation/folds.js';
import { argmax, candidateCount, hasSharedLabels, selectItems, selectRows } from './answer-matrix.js';
import { CANDIDATE_STACKING_GRID, innerCandidatePredictions } from './candidate-stacking.js';
import { centralStrategy } from './central.js';
import { bestModelStrategy } from './best-model.js';
import { calibrated } from './calibration.js';
import { oneCoinDawidSkeneStrategy } from './dawid-skene.js';
import { fullDawidSkeneStrategy } from './shared-labels.js';
import { innerCvRows, innerFolds, innerScore, outOfFold } from './inner-cv.js';
import { type InnerOutOfFold, mixRows } from './inner-out-of-fold.js';
import { fitMixtureWeights, pruneWeights } from './mixture-weights.js';
import { checkMixture, collapseRight, type MixtureCheck } from './mixture-check.js';
import { fitTieGate, gatePrediction, type TieGate } from './tie-gate.js';
import { majorityVoteStrategy } from './majority-vote.js';
import { softVoteStrategy } from './soft-vote.js';
import { configName, createStacking, innerConfigPredictions, STACKING_GRID, type StackingConfig, stackingStrategy } from './stacking.js';
import { createStackingText, innerTextConfigPredictions, stackingTextStrategy, TEXT_STACKING_GRID } from './stacking-text.js';
import { requireLabelledRows, type FittedStrategy, type FusedPrediction, type FusionStrategy, type ModelContribution, predictionRows } from './strategy.js';
import type { AnswerMatrix } from './answer-matrix.js';
import { parseState, StrategyStateError } from './strategy-state.js';
import { weightedVoteStrategy } from './weighted-vote.js';

const NAME = 'auto';
/** Marks a pick where the mixture lost to its best candidate on the training data (`summarizePicks` counts them). */
export const FALLBACK_PREFIX = 'fallback:';

/** Strategies `auto` cross-validates directly; stacking is cross-validated per grid setting on the same folds. */
const CANDIDATES: readonly FusionStrategy[] = [
  majorityVoteStrategy,
  weightedVoteStrategy,
  calibrated(softVoteStrategy),
  fullDawidSkeneStrategy,
  oneCoinDawidSkeneStrategy,
  bestModelStrategy,
];

/**
 * Where candidates differ per item, the ones that need a fixed label set drop out and the
 * label-symmetric ones join: the soft vote (a model's samples split its vote) and `central`.
 */
const CANDIDATE_WISE: readonly FusionStrategy[] = [
  ...CANDIDATES.filter((s) => s.needsSharedLabels !== true),
  softVoteStrategy,
  centralStrategy,
];

/** Restorable strategies by name (a stacking pick restores with plain `stacking`: its state holds its setting). */
const RESTORE = new Map<string, FusionStrategy>([
  ...[...CANDIDATES, ...CANDIDATE_WISE].map((s) => [s.name, s] as const),
  [stackingStrategy.name, stackingStrategy],
  [stackingTextStrategy.name, stackingTextStrategy],
]);

const ComponentSchema = z.object({
  /** What the component is, e.g. `dawid-skene` or `stacking(C=1,balanced)`. */
  name: z.string(),
  /** The strategy whose `load` restores `inner`. */
  strategy: z.string(),
  /** Share in the mixture (zero for a component only the tie gate uses). */
  weight: z.number().min(0).max(1),
  /** Share in the rows where the `tieOf` component is tied (`tie-gate.ts`); absent when there is no gate. */
  tieWeight: z.number().min(0).max(1).optional(),
  inner: z.unknown(),
});

const StateSchema = z.object({
  /** The mixture, heaviest component first, e.g. `stacking(C=0.1,none)*0.62+weighted-vote*0.38`: shown per fold by `fusion eval`. */
  picked: z.string(),
  /**
   * Score of every candidate on the labelled training rows (for the report; the weights come from the
   * likelihood): inner-CV for a supervised candidate, its fit on all training items for one that reads no label.
   */
  innerScores: z.record(z.string(), z.number()),
  /** Mixture weight of every candidate before pruning. */
  weights: z.record(z.string(), z.number()),
  /**
   * The check of the mixture against its best candidate on the training data (absent when there was
   * nothing to check, and in states saved before it existed): which was used and why.
   */
  check: z
    .object({
      tieGate: z.boolean().optional(),
      gateScores: z.object({ plain: z.number(), gated: z.number() }).optional(),
      chosen: z.enum(['mixture', 'best-candidate']),
      best: z.string(),
      mixtureScore: z.number(),
      bestScore: z.number(),
      standardError: z.number(),
      why: z.string(),
    })
    .optional(),
  /** The component whose tied rows the gate decides with `tieWeight`s (`tie-gate.ts`); absent when there is no gate. */
  tieOf: z.string().optional(),
  components: z.array(ComponentSchema).min(1),
});
type AutoState = z.infer<typeof StateSchema>;

interface Component {
  name: string;
  strategy: string;
  weight: number;
  tieWeight?: number;
  fitted: FittedStrategy;
}

function mixtureName(components: readonly Component[], tieOf: string | undefined): string {
  const main = components.filter((c) => c.weight > 0).map((c) => `${c.name}*${c.weight.toFixed(2)}`).join('+');
  if (tieOf === undefined) return main;
  const gate = components.filter((c) => (c.tieWeight ?? 0) > 0).map((c) => `${c.name}*${(c.tieWeight ?? 0).toFixed(2)}`).join('+');
  return `${main} (${tieOf} tied: ${gate})`;
}

/** Uniform rows (over the item's candidates) where a prediction is undecided: a component with no answer has no preference. */
function filled(pred: FusedPrediction, answers: AnswerMatrix): Float64Array {
  const K = answers.labels.length;
  const out = Float64Array.from(pred.probs);
  for (let i = 0; i < pred.decided.length; i++) {
    if (pred.decided[i] !== 0) continue;
    const c = Math.max(1, candidateCount(answers, i));
    out.fill(1 / c, i * K, i * K + c);
  }
  return out;
}

function wrap(state: Omit<AutoState, 'components'>, components: readonly Component[]): FittedStrategy {
  const predict = (answers: AnswerMatrix): FusedPrediction => {
    const K = answers.labels.length;
    const N = answers.itemIds.length;
    const predictions = components.map((c) => c.fitted.predict(answers));
    const rows = predictions.map((p) => filled(p, answers));
    const decisions = predictions.map((p) => p.decided);
    const mixed = mixRows(rows, decisions, components.map((c) => c.weight), K);
    const of = components.findIndex((c) => c.name === state.tieOf);
    if (of < 0) return mixed;
    const gate: TieGate = { of, weights: components.map((c) => c.tieWeight ?? 0) };
    return gatePrediction(mixed, rows, gate, K);
  };
  return {
    name: NAME,
    predict,
    state: () => ({
      ...state,
      components: components.map((c) => ({ name: c.name, strategy: c.strategy, weight: c.weight, ...(c.tieWeight !== undefined ? { tieWeight: c.tieWeight } : {}), inner: c.fitted.state() })),
    }),
    // Each component's trust scaled to a top of 1, weighted by the component's share of the mixture.
    modelTrust() {
      const out: Record<string, number> = {};
      for (const c of components) {
        const t = c.fitted.modelTrust?.();
        if (!t) continue;
        const top = Math.max(...Object.values(t).map(Math.abs), 1e-12);
        for (const [m, v] of Object.entries(t)) out[m] = (out[m] ?? 0) + (c.weight * v) / top;
      }
      return out;
    },
    // Each model's contribution in each component, weighted by the component's share of the mixture.
    explain(answers, item): ModelContribution[] {
      const out: ModelContribution[] = [];
      const M = answers.models.length;
      const K = answers.labels.length;
      for (let j = 0; j < M; j++) {
        const answer = answers.present[item * M + j] === 1 ? (answers.labels[argmax(answers.probs, (item * M + j) * K, K)] as string) : null;
        out.push({ model: answers.models[j] as string, answer, weight: 0, influence: 0 });
      }
      for (const c of components) {
        const parts = c.fitted.explain?.(answers, item) ?? [];
        parts.forEach((part, j) => {
          const o = out[j];
          if (!o) return;
          o.weight += c.weight * part.weight;
          o.influence += c.weight * part.influence;
        });
      }
      return out;
    },
  };
}

interface Candidate {
  name: string;
  strategy: FusionStrategy;
  /** Inner-CV out-of-fold distributions on the inner rows, undecided rows uniform. */
  probs: Float64Array;
  decided: Uint8Array;
  score: number;
}

/**
 * A mixture of all candidates (every strategy in CANDIDATES, every stacking grid setting and, when
 * the items' texts are given, every text-stacking setting),
 * weighted to maximize the likelihood of the training labels under their inner cross-validation
 * predictions, computed on the training items only; the candidates with weight are then refitted
 * on all of them. A mixture rather than one pick: on a few hundred items the inner-CV winner is
 * partly luck, and averaging near-equal candidates removes that variance. A candidate that reads no
 * label is judged by its fit on all training items (the one used), not by inner-fold fits: those
 * are other fits, and an unsupervised estimate can take another side in them. The mixture's weights are
 * a second fit on the same rows, so it is checked held out against its best candidate on the
 * training data (`checkMixture`) and replaced by that candidate when it loses by more than noise:
 * `auto` is never worse than its best candidate by more than the noise of the training data.
 */
export const autoStrategy: FusionStrategy = {
  name: NAME,
  supervised: true,
  fit(train, gold, { seed, right, metric }) {
    requireLabelledRows(NAME, gold);
    const K = train.labels.length;
    const rows = innerCvRows(gold, seed);
    const innerRight = right && selectRows(right, K, rows);
    const y = Int32Array.from(rows, (i) => gold[i] as number);
    const folds = innerFolds(y, seed);
    const candidates: Candidate[] = [];
    /** The unsupervised candidates' fits on all training items: what `auto` uses if it keeps them (fitted once). */
    const unsupervisedFits = new Map<string, FittedStrategy>();
    const shared = hasSharedLabels(train);
    if (folds) {
      const sub = selectItems(train, rows);
      for (const candidate of shared ? CANDIDATES : CANDIDATE_WISE) {
        let probs: Float64Array;
        let decided: Uint8Array;
        if (candidate.supervised) {
          ({ probs, decided } = outOfFold(rows.length, K, folds, (tr, test, f) => {
            const options = { seed: seed + f + 1, ...(innerRight ? { right: selectRows(innerRight, K, tr) } : {}), ...(metric ? { metric } : {}) };
            return candidate.fit(selectItems(sub, tr), selectGold(y, tr), options).predict(selectItems(sub, test));
          }));
        } else {
          // A candidate that reads no label is judged by the fit `auto` would use: on every training
          // item, asked about them all, scored on the labelled rows. Its inner folds would be other,
          // smaller fits, whose unsupervised estimates (which of near-equal models is the better)
          // can fall the other way than this one's: an estimate of another fit than the one used.
          const fitted = candidate.fit(train, new Int32Array(gold.length).fill(-1), { seed });
          unsupervisedFits.set(candidate.name, fitted);
          ({ probs, decided } = predictionRows(fitted.predict(train), rows, K));
        }
        const score = innerScore(y, { probs, decided }, train, innerRight, metric);
        candidates.push({ name: candidate.name, strategy: candidate, probs: filled({ probs, decided }, sub), decided, score });
      }
      // Candidate-wise stacking per C, on the same inner rows and folds: wherever candidates differ per
      // item, and for QA on option letters too (its answers carry centrality), where a letter is no class.
      if (!shared || train.centrality !== undefined) {
        const inner = innerCandidatePredictions(train, gold, CANDIDATE_STACKING_GRID, seed, right);
        inner?.probs.forEach((probs, idx) => {
          const C = CANDIDATE_STACKING_GRID[idx] as number;
          candidates.push({
            name: `stacking(candidates,C=${C})`,
            strategy: createStacking({ configs: [{ C, classWeighting: 'none' }], name: 'stacking', candidateWise: true }),
            probs: filled({ probs, decided: inner.decided }, sub),
            decided: inner.decided,
            score: innerScore(inner.y, { probs, decided: inner.decided }, train, innerRight, metric),
          });
        });
      }
      const stacked = !shared ? null : innerConfigPredictions(train, gold, STACKING_GRID, { shares: true, tiedVotes: true }, seed);
      stacked?.probs.forEach((probs, idx) => {
        const config = STACKING_GRID[idx] as StackingConfig;
        candidates.push({
          name: `stacking(${configName(config)})`,
          strategy: createStacking({ configs: [config], name: 'stacking' }),
          probs: filled({ probs, decided: stacked.decided }, sub),
          decided: stacked.decided,
          score: innerScore(stacked.y, { probs, decided: stacked.decided }, train, undefined, metric),
        });
      });
      // With the items' texts, stackers that also read them join, on the same inner rows and folds.
      const texted = !shared ? null : innerTextConfigPredictions(train, gold, TEXT_STACKING_GRID, seed);
      texted?.probs.forEach((probs, idx) => {
        const config = TEXT_STACKING_GRID[idx] as StackingConfig;
        candidates.push({
          name: `stacking-text(${configName(config)})`,
          strategy: createStackingText({ configs: [config] }),
          probs: filled({ probs, decided: texted.decided }, sub),
          decided: texted.decided,
          score: innerScore(texted.y, { probs, decided: texted.decided }, train, undefined, metric),
        });
      });
    }
    const innerScores: Record<string, number> = {};
    const weights: Record<string, number> = {};
    let chosen: { candidate: Candidate | null; weight: number; tieWeight?: number }[];
    let gate: TieGate | null = null;
    let inner: InnerOutOfFold | null = null;
    let check: MixtureCheck | undefined;
    if (candidates.length === 0) {
      // Too few labelled items to cross-validate: the reliability-weighted vote needs the least data.
      chosen = [{ candidate: null, weight: 1 }];
    } else {
      const likelihood = candidates.map((c) => (innerRight ? collapseRight(c.probs, y, innerRight, K) : c.probs));
      const raw = fitMixtureWeights(likelihood, y, K);
      const kept = pruneWeights(raw);
      candidates.forEach((c, idx) => {
        innerScores[c.name] = c.score;
        weights[c.name] = raw[idx] as number;
      });
      chosen = candidates.map((candidate, idx) => ({ candidate, weight: kept[idx] as number })).filter((c) => c.weight > 0);
      // The mixture against its best candidate, both held out on the inner rows of the training data.
      if (candidates.length > 1) {
        const score = (at: ArrayLike<number>, prediction: FusedPrediction) =>
          innerScore(Int32Array.from(at, (r) => y[r] as number), prediction, train, innerRight && selectRows(innerRight, K, at), metric);
        const checked = candidates.map((c, idx) => ({ name: c.name, probs: c.probs, decided: c.decided, likelihood: likelihood[idx] as Float64Array }));
        check = checkMixture(checked, y, K, score, seed);
        const fallback = candidates.find((c) => c.name === check?.best);
        if (check.chosen === 'best-candidate' && fallback) chosen = [{ candidate: fallback, weight: 1 }];
        else if (check.tieGate === true) {
          // The gate the check found better held out, fitted on all inner rows: its candidates join as components.
          gate = fitTieGate(checked, y, K, Array.from(y, (_, r) => r), kept);
          const g = gate;
          if (g) chosen = candidates.map((candidate, idx) => ({ candidate, weight: kept[idx] as number, tieWeight: g.weights[idx] as number })).filter((c) => c.weight > 0 || c.tieWeight > 0);
        }
      }
      // auto's own inner out-of-fold decisions (the mixture's, or the fallback candidate's), kept for
      // strategies that need auto's decisions on its training items.
      const fellBack = check?.chosen === 'best-candidate' ? candidates.findIndex((c) => c.name === check?.best) : -1;
      const used = fellBack >= 0 ? candidates.map((_, idx) => (idx === fellBack ? 1 : 0)) : kept;
      const mixed = mixRows(candidates.map((c) => c.probs), candidates.map((c) => c.decided), used, K);
      const prediction = gate ? gatePrediction(mixed, candidates.map((c) => c.probs), gate, K) : mixed;
      inner = { rows, folds: folds ?? [], prediction };
    }
    const components: Component[] = chosen
      .map(({ candidate, weight, tieWeight }) => {
        const strategy = candidate ? candidate.strategy : weightedVoteStrategy;
        const fitted = (candidate && unsupervisedFits.get(candidate.name)) ?? strategy.fit(train, gold, { seed, ...(right ? { right } : {}), ...(metric ? { metric } : {}) });
        return { name: candidate ? candidate.name : weightedVoteStrategy.name, strategy: strategy.name, weight, ...(tieWeight !== undefined ? { tieWeight } : {}), fitted };
      })
      .sort((a, b) => b.weight - a.weight || (b.tieWeight ?? 0) - (a.tieWeight ?? 0));
    const tieOf = gate ? candidates[gate.of]?.name : undefined;
    const name = mixtureName(components, tieOf);
    const picked = check?.chosen === 'best-candidate' ? `${FALLBACK_PREFIX}${name}` : name;
    const fitted = wrap({ picked, innerScores, weights, ...(check ? { check } : {}), ...(tieOf !== undefined ? { tieOf } : {}) }, components);
    const keptInner = inner;
    return keptInner ? { ...fitted, innerOutOfFold: () => keptInner } : fitted;
  },
  load(raw, labels) {
    const s = parseState(NAME, StateSchema, raw);
    const total = s.components.reduce((a, c) => a + c.weight, 0);
    if (Math.abs(total - 1) > 1e-6) throw new StrategyStateError(NAME, [{ field: 'components', message: `weights must sum to 1, got ${total}` }]);
    const components = s.components.map((c, idx): Component => {
      const restore = RESTORE.get(c.strategy);
      if (!restore) throw new StrategyStateError(NAME, [{ field: `components.${idx}.strategy`, message: `unknown strategy "${c.strategy}"` }]);
      try {
        return { name: c.name, strategy: c.strategy, weight: c.weight, ...(c.tieWeight !== undefined ? { tieWeight: c.tieWeight } : {}), fitted: restore.load(c.inner, labels) };
      } catch (e) {
        if (e instanceof StrategyStateError) {
          throw new StrategyStateError(NAME, e.issues.map((i) => ({ field: i.field ? `components.${idx}.inner.${i.field}` : `components.${idx}.inner`, message: i.message })));
        }
        throw e;
      }
    });
    if (s.tieOf !== undefined) {
      const tieTotal = s.components.reduce((a, c) => a + (c.tieWeight ?? 0), 0);
      if (Math.abs(tieTotal - 1) > 1e-6) throw new StrategyStateError(NAME, [{ field: 'components', message: `tie weights must sum to 1, got ${tieTotal}` }]);
      if (!s.components.some((c) => c.name === s.tieOf)) throw new StrategyStateError(NAME, [{ field: 'tieOf', message: `no component named "${s.tieOf}"` }]);
    }
    const { picked, innerScores, weights, check, tieOf } = s;
    return wrap({ picked, innerScores, weights, ...(check ? { check } : {}), ...(tieOf !== undefined ? { tieOf } : {}) }, components);
  },
};

import { z } from 'zod';
import { selectGold, trainIndices } from '../eval/cross-validation.js';
import { selectItems } from './answer-matrix.js';
import { bestModelStrategy } from './best-model.js';
import { calibrated } from './calibration.js';
import { dawidSkeneStrategy, oneCoinDawidSkeneStrategy } from './dawid-skene.js';
import { innerCvRows, innerFolds, innerScore } from './inner-cv.js';
import { majorityVoteStrategy } from './majority-vote.js';
import { softVoteStrategy } from './soft-vote.js';
import { configName, createStacking, scoreConfigs, STACKING_GRID, type StackingConfig, stackingStrategy } from './stacking.js';
import { StrategyError, type FittedStrategy, type FusedPrediction, type FusionStrategy } from './strategy.js';
import { parseState, StrategyStateError } from './strategy-state.js';
import { labelledCount } from './votes.js';
import { weightedVoteStrategy } from './weighted-vote.js';

const NAME = 'auto';

/** Strategies `auto` scores directly by inner CV; stacking is scored per grid setting on the same folds. */
const CANDIDATES: readonly FusionStrategy[] = [
  majorityVoteStrategy,
  weightedVoteStrategy,
  calibrated(softVoteStrategy),
  dawidSkeneStrategy,
  oneCoinDawidSkeneStrategy,
  bestModelStrategy,
];

/** Restorable strategies by name (a stacking pick restores with plain `stacking`: its state holds its setting). */
const RESTORE = new Map<string, FusionStrategy>([...CANDIDATES.map((s) => [s.name, s] as const), [stackingStrategy.name, stackingStrategy]]);

const StateSchema = z.object({
  /** What was picked, e.g. `dawid-skene` or `stacking(C=1,balanced)`: shown per fold by `fusion eval`. */
  picked: z.string(),
  /** The strategy whose `load` restores `inner`. */
  strategy: z.string(),
  /** Inner-CV macro-F1 of every candidate on the training data. */
  innerScores: z.record(z.string(), z.number()),
  inner: z.unknown(),
});
type AutoState = z.infer<typeof StateSchema>;

function wrap(state: AutoState, inner: FittedStrategy): FittedStrategy {
  return {
    name: NAME,
    predict: (answers) => inner.predict(answers),
    state: () => ({ ...state, inner: inner.state() }),
    ...(inner.explain ? { explain: inner.explain.bind(inner) } : {}),
  };
}

/**
 * Picks the candidate with the best out-of-fold macro-F1 under inner cross-validation on the
 * training items only, then refits it on all of them. Ties go to the earlier, simpler candidate.
 */
export const autoStrategy: FusionStrategy = {
  name: NAME,
  supervised: true,
  fit(train, gold, { seed }) {
    if (labelledCount(gold) === 0) throw new StrategyError(`${NAME} needs labelled training items`);
    const K = train.labels.length;
    const rows = innerCvRows(gold, seed);
    const y = Int32Array.from(rows, (i) => gold[i] as number);
    const folds = innerFolds(y, seed);
    const scores: { name: string; score: number; strategy: FusionStrategy }[] = [];
    if (folds) {
      const sub = selectItems(train, rows);
      for (const candidate of CANDIDATES) {
        const probs = new Float64Array(rows.length * K);
        const decided = new Uint8Array(rows.length);
        folds.forEach((test, f) => {
          const tr = trainIndices(rows.length, test);
          let pred: FusedPrediction;
          try {
            pred = candidate.fit(selectItems(sub, tr), selectGold(y, tr), { seed: seed + f + 1 }).predict(selectItems(sub, test));
          } catch (e) {
            if (e instanceof StrategyError) return; // e.g. a fold without labels: the candidate scores as undecided
            throw e;
          }
          test.forEach((i, r) => {
            probs.set(pred.probs.subarray(r * K, (r + 1) * K), i * K);
            decided[i] = pred.decided[r] as number;
          });
        });
        scores.push({ name: candidate.name, score: innerScore(y, { probs, decided }, train.labels), strategy: candidate });
      }
      const stacked = scoreConfigs(train, gold, STACKING_GRID, { shares: true, tiedVotes: true }, seed) ?? [];
      stacked.forEach((score, idx) => {
        const config = STACKING_GRID[idx] as StackingConfig;
        const name = `stacking(${configName(config)})`;
        scores.push({ name, score, strategy: createStacking({ configs: [config], name: 'stacking' }) });
      });
    }
    let best = scores[0] ?? { name: weightedVoteStrategy.name, score: 0, strategy: weightedVoteStrategy };
    for (const s of scores) if (s.score > best.score) best = s;
    const innerScores: Record<string, number> = {};
    for (const s of scores) innerScores[s.name] = s.score;
    const inner = best.strategy.fit(train, gold, { seed });
    const strategy = best.name.startsWith('stacking(') ? stackingStrategy.name : best.strategy.name;
    return wrap({ picked: best.name, strategy, innerScores, inner: null }, inner);
  },
  load(raw, labels) {
    const s = parseState(NAME, StateSchema, raw);
    const restore = RESTORE.get(s.strategy);
    if (!restore) throw new StrategyStateError(NAME, [{ field: 'strategy', message: `unknown strategy "${s.strategy}"` }]);
    try {
      return wrap(s, restore.load(s.inner, labels));
    } catch (e) {
      if (e instanceof StrategyStateError) throw new StrategyStateError(NAME, e.issues.map((i) => ({ field: i.field ? `inner.${i.field}` : 'inner', message: i.message })));
      throw e;
    }
  },
};

import { z } from 'zod';
import { type AnswerMatrix, argmax, candidateCount, hasSharedLabels } from './answer-matrix.js';
import { type DawidSkeneCounts, type DawidSkeneResult, type DawidSkeneVariant, dawidSkene } from './dawid-skene-em.js';
import { majorityVote, majorityVoteStrategy } from './majority-vote.js';
import { alignModels, checkLabels } from './model-alignment.js';
import { type FittedStrategy, type FusedPrediction, type FusionStrategy, type ModelContribution, StrategyError } from './strategy.js';
import { parseState, StrategyStateError } from './strategy-state.js';
import { SCREEN_MIN_ANSWERS, screenVoters, type VoterScreen } from './voter-screen.js';
import { hardVotes } from './votes.js';

export * from './dawid-skene-em.js';

/** The collapse check needs this many decided items: on fewer, one answer winning everywhere proves nothing. */
export const COLLAPSE_MIN_ITEMS = 30;
/**
 * A solution has collapsed when one answer wins at least COLLAPSE_SHARE of the items and at least
 * COLLAPSE_MARGIN more of them than it wins under the vote: EM has then explained the disagreement
 * away by trusting whoever says that answer, not found better voters.
 */
export const COLLAPSE_SHARE = 0.5;
export const COLLAPSE_MARGIN = 0.25;

/**
 * The runs tried in order until one does not collapse: the variant itself, again with uniform class
 * priors (a learned prior is what locks a collapse in), for the full variant the one-coin model,
 * and finally the plain vote.
 */
const STEPS = ['learned-priors', 'uniform-priors', 'one-coin', 'one-coin-uniform-priors', 'majority-vote'] as const;
type Step = (typeof STEPS)[number];

export interface Collapse {
  /** The answer that wins far more often than under the vote (label, or candidate text). */
  answer: string;
  share: number;
  voteShare: number;
}

/** The answer a fused prediction names on far more items than the vote does, or null. */
export function collapseOf(prediction: FusedPrediction, vote: FusedPrediction, answers: AnswerMatrix): Collapse | null {
  const K = answers.labels.length;
  const shared = hasSharedLabels(answers);
  const name = (i: number, k: number): string => (shared ? (answers.labels[k] as string) : (answers.candidates?.[i]?.[k] ?? ''));
  const ours = new Map<string, number>();
  const theirs = new Map<string, number>();
  let n = 0;
  for (let i = 0; i < answers.itemIds.length; i++) {
    if (!prediction.decided[i] || !vote.decided[i]) continue;
    const Ki = candidateCount(answers, i);
    const a = name(i, argmax(prediction.probs, i * K, Ki));
    const b = name(i, argmax(vote.probs, i * K, Ki));
    ours.set(a, (ours.get(a) ?? 0) + 1);
    theirs.set(b, (theirs.get(b) ?? 0) + 1);
    n++;
  }
  if (n < COLLAPSE_MIN_ITEMS) return null;
  let top = '';
  let topCount = -1;
  for (const [a, c] of ours) {
    if (c > topCount) {
      top = a;
      topCount = c;
    }
  }
  const share = topCount / n;
  const voteShare = (theirs.get(top) ?? 0) / n;
  return share >= COLLAPSE_SHARE && share - voteShare >= COLLAPSE_MARGIN ? { answer: top, share, voteShare } : null;
}

/**
 * With per-item candidates a voter is never worse than a blind pick among them, so a solution in
 * which a voter that answers (and is not left out) is almost never right has turned the evidence
 * upside down: typically a block of voters giving the same kind of junk taken for the truth.
 */
export const MIN_PLAUSIBLE_ACCURACY = 0.05;

/** The voters such a solution judges (almost) never right, or an empty list. Per-item candidates only. */
export function implausibleVoters(r: DawidSkeneResult, weights: Float64Array, answers: AnswerMatrix): string[] {
  if (hasSharedLabels(answers)) return [];
  const acc = r.counts.accuracy;
  if (!acc) return [];
  return answers.models.filter((_, j) => {
    const n = acc[2 * j + 1] as number;
    return (weights[j] as number) > 0 && n >= SCREEN_MIN_ANSWERS && (acc[2 * j] as number) < MIN_PLAUSIBLE_ACCURACY * n;
  });
}

const GuardSchema = z.object({
  /** Which run was kept: see STEPS. */
  used: z.enum(STEPS),
  /** Models left out because they give the same answer on (nearly) every item. */
  constantModels: z.array(z.string()),
  /** Groups of models whose answers copy one another: each group counts as one voter. */
  duplicateModels: z.array(z.array(z.string())),
  /**
   * Models the kept run down-weighted because they agree with others beyond what their confusion
   * rows predict given the class (near-copies, see dawid-skene-dependence.ts), with the weight each
   * kept, rounded to two decimals. Absent in states saved before the test existed.
   */
  dependentModels: z.array(z.tuple([z.string(), z.number().min(0).max(1)])).optional(),
  /** What the guards did, in words, or an empty string when nothing was needed. */
  note: z.string(),
});
type Guard = z.infer<typeof GuardSchema>;

const StateSchema = z.object({
  variant: z.enum(['full', 'one-coin']),
  models: z.array(z.string()),
  /** False when fitted on per-item candidates (free-form or numeric QA); then only accuracyCounts apply. */
  sharedLabels: z.boolean().optional(),
  /** Expected class counts of the fit. */
  priorCounts: z.array(z.number().nonnegative()),
  /** Per model, its K*K expected confusion counts (row = true label), flattened. */
  confusionCounts: z.array(z.array(z.number().nonnegative())),
  /** Per model, [expected right answers, answers]. */
  accuracyCounts: z.array(z.tuple([z.number().nonnegative(), z.number().nonnegative()])).optional(),
  guard: GuardSchema.optional(),
});
type DawidSkeneState = z.infer<typeof StateSchema>;

/** The outcome of a guarded run on one answer matrix. */
interface Outcome {
  prediction: FusedPrediction;
  /** The EM result kept, or null when the vote was kept. */
  result: DawidSkeneResult | null;
  /** The last EM run (for its counts), even when the vote was kept. */
  last: DawidSkeneResult | null;
  weights: Float64Array;
  guard: Guard;
}

function describe(used: Step, degenerate: string | null, screen: VoterScreen, models: readonly string[], dependent: readonly (readonly [string, number])[]): string {
  const parts: string[] = [];
  if (screen.constant.length > 0) parts.push(`left out ${screen.constant.length} constant voter(s): ${screen.constant.map((j) => models[j]).join(', ')}`);
  if (screen.duplicates.length > 0) parts.push(`counted ${screen.duplicates.map((g) => g.map((j) => models[j]).join(' = ')).join('; ')} as one voter each`);
  if (dependent.length > 0) parts.push(`down-weighted ${dependent.length} voter(s) that agree with others beyond chance given the class: ${dependent.map(([m, w]) => `${m} x${w.toFixed(2)}`).join(', ')}`);
  if (used !== 'learned-priors') {
    const why = degenerate ?? 'inherited from the fit';
    const what = used === 'majority-vote' ? 'fell back to the majority vote' : used.startsWith('one-coin') ? `fell back to the one-coin model${used.endsWith('uniform-priors') ? ' with uniform class priors' : ''}` : 'restarted with uniform class priors';
    parts.push(`${what}: ${why}`);
  }
  return parts.join('; ');
}

/**
 * Dawid-Skene with its guards: constant voters left out and copies counted once, near-copies
 * down-weighted inside every EM run (the dependence test given the class, re-done on the data at
 * hand, dawid-skene-dependence.ts), then the runs of STEPS from `start` on until one is not degenerate: collapsed onto one answer (checked against the
 * vote on the same items), or, with per-item candidates, judging an answering voter never right.
 * `inherited` carries what the fit screened out, by model name.
 */
function guardedRun(
  answers: AnswerMatrix,
  variant: DawidSkeneVariant,
  start: Step,
  warm: DawidSkeneCounts | undefined,
  inherited: { constant: readonly string[]; duplicates: readonly (readonly string[])[] } | undefined,
): Outcome {
  const K = answers.labels.length;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const shared = hasSharedLabels(answers);
  const votes = hardVotes(answers);
  const candidateCounts = shared ? undefined : Int32Array.from({ length: N }, (_, i) => candidateCount(answers, i));
  const screen = screenVoters(votes, N, M, shared ? (_i, k) => k : (i, k) => answers.candidates?.[i]?.[k] ?? '');
  if (inherited) {
    const col = new Map(answers.models.map((m, j) => [m, j]));
    for (const name of inherited.constant) {
      const j = col.get(name);
      if (j !== undefined && screen.weights[j] !== 0) {
        screen.weights[j] = 0;
        screen.constant.push(j);
      }
    }
    for (const group of inherited.duplicates) {
      const present = group.map((m) => col.get(m)).filter((j): j is number => j !== undefined && screen.weights[j] !== 0);
      if (present.length < 2) continue;
      for (const j of present) screen.weights[j] = Math.min(screen.weights[j] as number, 1 / present.length);
      if (!screen.duplicates.some((g) => present.every((j) => g.includes(j)))) screen.duplicates.push(present);
    }
  }
  const vote = majorityVote(answers);
  const anyVoice = screen.weights.some((w) => w > 0);
  let degenerate: string | null = null;
  let last: DawidSkeneResult | null = null;
  const finish = (used: Step, result: DawidSkeneResult | null): Outcome => {
    const dependent: [string, number][] = [];
    if (result) {
      answers.models.forEach((m, j) => {
        const w = result.weights[j] as number;
        if (w < (screen.weights[j] as number)) dependent.push([m, Math.round(w * 100) / 100]);
      });
    }
    return {
      prediction: result ? { probs: result.posteriors, decided: result.decided } : vote,
      result,
      last,
      weights: result ? result.weights : screen.weights,
      guard: {
        used,
        constantModels: screen.constant.map((j) => answers.models[j] as string),
        duplicateModels: screen.duplicates.map((g) => g.map((j) => answers.models[j] as string)),
        ...(dependent.length > 0 ? { dependentModels: dependent } : {}),
        note: anyVoice ? describe(used, degenerate, screen, answers.models, dependent) : 'fell back to the majority vote: every voter gives the same answer on (nearly) every item',
      },
    };
  };
  if (!anyVoice) return finish('majority-vote', null);
  for (const step of STEPS.slice(STEPS.indexOf(start))) {
    if (step === 'majority-vote') break;
    const oneCoin = step.startsWith('one-coin');
    if (oneCoin && variant === 'one-coin') continue;
    const uniformPriors = step.endsWith('uniform-priors');
    // Per-item candidates always have uniform priors: a restart with them would repeat the same run.
    if (uniformPriors && !shared) continue;
    const r = dawidSkene(votes, N, M, K, { variant: oneCoin ? 'one-coin' : variant, weights: screen.weights, uniformPriors, dependence: true, ...(candidateCounts ? { candidateCounts } : {}) }, warm);
    last = r;
    const c = collapseOf({ probs: r.posteriors, decided: r.decided }, vote, answers);
    const never = c ? [] : implausibleVoters(r, screen.weights, answers);
    if (!c && never.length === 0) return finish(step, r);
    degenerate ??= c
      ? `the solution collapsed onto "${c.answer}" (${(c.share * 100).toFixed(0)}% of items, ${(c.voteShare * 100).toFixed(0)}% under the vote)`
      : `the solution judged ${never.join(', ')} (almost) never right`;
  }
  return finish('majority-vote', null);
}

function fitted(name: string, state: DawidSkeneState, labels: readonly string[]): FittedStrategy {
  const shared = state.sharedLabels !== false;
  const K = labels.length;
  /** The last run on each answer matrix, for explanations. */
  const cache = new WeakMap<AnswerMatrix, Outcome>();
  /** The guarded EM on the given answers, with the fit's counts as a prior for the models it knows (matched by name). */
  const run = (answers: AnswerMatrix): Outcome => {
    if (shared) {
      if (!hasSharedLabels(answers)) throw new StrategyError(`${name} was fitted on a shared label set but these answers have per-item candidates`);
      checkLabels(name, labels, answers);
    } else if (hasSharedLabels(answers)) {
      throw new StrategyError(`${name} was fitted on per-item candidates (free-form or numeric answers) but these answers have a shared label set`);
    }
    const M = answers.models.length;
    const col = alignModels(state.models, answers);
    const warm: DawidSkeneCounts = shared
      ? { confusion: new Float64Array(M * K * K), priors: Float64Array.from(state.priorCounts) }
      : { confusion: new Float64Array(0), priors: new Float64Array(answers.labels.length), accuracy: new Float64Array(2 * M) };
    col.forEach((j, f) => {
      if (j < 0) return;
      if (shared) warm.confusion.set(state.confusionCounts[f] as number[], j * K * K);
      const a = state.accuracyCounts?.[f];
      if (a && warm.accuracy) warm.accuracy.set(a, 2 * j);
    });
    const g = state.guard;
    const start: Step = g?.used ?? 'learned-priors';
    const out = guardedRun(answers, state.variant, start, warm, g ? { constant: g.constantModels, duplicates: g.duplicateModels } : undefined);
    cache.set(answers, out);
    return out;
  };
  return {
    name,
    predict: (answers): FusedPrediction => run(answers).prediction,
    state: () => state,
    explain(answers, i): ModelContribution[] {
      // Explanations come item by item after a prediction on the same answers: reuse its run.
      const out = cache.get(answers) ?? run(answers);
      const r = out.result;
      if (!r) return majorityVoteStrategy.fit(answers, new Int32Array(0), { seed: 0 }).explain?.(answers, i) ?? [];
      const M = answers.models.length;
      const KA = answers.labels.length;
      const Ki = candidateCount(answers, i);
      const top = argmax(r.posteriors, i * KA, Ki);
      const votes = hardVotes(answers);
      return answers.models.map((model, j) => {
        const v = votes[i * M + j] as number;
        const w = out.weights[j] as number;
        if (v < 0) return { model, answer: null, weight: 0, influence: 0 };
        const answer = hasSharedLabels(answers) ? (answers.labels[v] as string) : (answers.candidates?.[i]?.[v] ?? '');
        if (Ki < 2) return { model, answer, weight: 0, influence: 0 };
        // P(answer v | truth k) for each of the item's candidates.
        const a = r.accuracy[j] as number;
        const col = hasSharedLabels(answers) ? (k: number) => r.confusion[(j * KA + k) * KA + v] as number : (k: number) => (k === v ? a : (1 - a) / (Ki - 1));
        let others = 0;
        for (let k = 0; k < Ki; k++) if (k !== v) others += col(k);
        // Log-likelihood ratio of its answer for the label it names vs. the others, and for the fused label vs. an average label.
        let meanLog = 0;
        for (let k = 0; k < Ki; k++) meanLog += Math.log(col(k)) / Ki;
        return { model, answer, weight: w * Math.log((col(v) * (Ki - 1)) / others), influence: w * (Math.log(col(top)) - meanLog) };
      });
    },
  };
}

/**
 * Dawid-Skene as a strategy. It never reads gold: `fit` runs EM on the training answers and keeps
 * the expected counts, and `predict` runs EM again on the answers it is given with those counts
 * as a prior, so it works on unlabelled `fusion run` output and benefits from a larger fit set.
 * Both runs are guarded (see `guardedRun`), and the state says what the guards did.
 */
export function createDawidSkene(variant: DawidSkeneVariant): FusionStrategy & { readonly needsSharedLabels: boolean } {
  const name = variant === 'full' ? 'dawid-skene' : 'dawid-skene-one-coin';
  return {
    name,
    supervised: false,
    // One confusion row per label only means something when column k is the same label on every item.
    needsSharedLabels: variant === 'full',
    fit(train) {
      const shared = hasSharedLabels(train);
      if (!shared && variant === 'full') {
        throw new StrategyError(
          'dawid-skene needs a fixed label set (one confusion matrix row per label), but these answers have per-item candidates (free-form or numeric QA): use dawid-skene-one-coin',
        );
      }
      const K = train.labels.length;
      const out = guardedRun(train, variant, 'learned-priors', undefined, undefined);
      const counts = (out.result ?? out.last)?.counts;
      const state: DawidSkeneState = {
        variant,
        models: [...train.models],
        ...(shared ? {} : { sharedLabels: false }),
        priorCounts: shared ? Array.from(counts?.priors ?? new Float64Array(K)) : [],
        confusionCounts: shared ? train.models.map((_, j) => Array.from(counts?.confusion.subarray(j * K * K, (j + 1) * K * K) ?? new Float64Array(K * K))) : [],
        accuracyCounts: train.models.map((_, j) => [counts?.accuracy?.[2 * j] ?? 0, counts?.accuracy?.[2 * j + 1] ?? 0]),
        guard: out.guard,
      };
      return fitted(name, state, train.labels);
    },
    load(state, labels) {
      const s = parseState(name, StateSchema, state);
      const K = labels.length;
      const issues = [];
      if (s.variant !== variant) issues.push({ field: 'variant', message: `expected "${variant}", got "${s.variant}"` });
      if (s.sharedLabels !== false) {
        if (s.priorCounts.length !== K) issues.push({ field: 'priorCounts', message: `expected ${K} values, got ${s.priorCounts.length}` });
        if (s.confusionCounts.length !== s.models.length) issues.push({ field: 'confusionCounts', message: `expected ${s.models.length} models, got ${s.confusionCounts.length}` });
        s.confusionCounts.forEach((c, f) => {
          if (c.length !== K * K) issues.push({ field: `confusionCounts.${f}`, message: `expected ${K * K} values, got ${c.length}` });
        });
      } else if (variant === 'full') {
        issues.push({ field: 'sharedLabels', message: 'dawid-skene needs a fixed label set' });
      }
      if (s.accuracyCounts && s.accuracyCounts.length !== s.models.length) issues.push({ field: 'accuracyCounts', message: `expected ${s.models.length} models, got ${s.accuracyCounts.length}` });
      if (s.sharedLabels === false && !s.accuracyCounts) issues.push({ field: 'accuracyCounts', message: 'required when sharedLabels is false' });
      if (issues.length > 0) throw new StrategyStateError(name, issues);
      return fitted(name, s, labels);
    },
  };
}

export const dawidSkeneStrategy = createDawidSkene('full');
export const oneCoinDawidSkeneStrategy = createDawidSkene('one-coin');

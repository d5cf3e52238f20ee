import type { StopReason } from '../fuse/adaptive/stop-rule.js';
import { type AskStopReason, type RawModelAnswer, askedOf, cutShort } from './raw-answer.js';
import type { StreamPrediction } from '../fuse/stream-fuser.js';
import { writtenUsd } from '../util/usd.js';

/** What every output line of `fusion run` carries, for either task kind. */
export interface FusedLineBase {
  id: string;
  /** USD spent on this item's new calls (cached answers cost nothing now). */
  cost: number;
  /**
   * Why the line has no answer: `no-consensus`, models answered but the fused winner's probability
   * was below `--min-confidence`; `no-answer`, no model gave a readable answer (each answer's own
   * `abstain` says why: empty, refusal, out-of-set, error...).
   */
  abstain?: 'no-consensus' | 'no-answer';
  /** Adaptive policies: how many models were asked about this item, and why asking stopped. */
  asked?: number;
  stopped?: AskStopReason;
}

/** A model's answer that did not come: the call failed (`error`) or was not made (`missing`), and why. */
export function unanswered<F extends string>(
  a: Exclude<RawModelAnswer, { status: 'ok' }>,
  field: F,
): { model: string; output: null; abstain: 'error' | 'missing'; error: string } & Record<F, null> {
  // `field` (label, answer) sits right after `output`, where the kinds' lines have it.
  return { model: a.model, ...(a.sample === undefined ? {} : { sample: a.sample }), output: null, [field]: null, abstain: a.status === 'failed' ? 'error' : 'missing', error: a.error } as {
    model: string;
    output: null;
    abstain: 'error' | 'missing';
    error: string;
  } & Record<F, null>;
}

/** USD paid in this run for an item's answers, as the line writes it: cached answers cost nothing now. */
export function newCost(answers: readonly RawModelAnswer[]): number {
  let cost = 0;
  for (const a of answers) if (a.status === 'ok' && !a.cached) cost += a.cost ?? 0;
  return writtenUsd(cost);
}

/**
 * What the fused prediction says of item i beyond its answer: withheld for low confidence
 * (`--min-confidence`), undecided for want of any readable answer, and under an adaptive policy
 * how many models were asked and why it stopped. An undecided line always says why, so a table's
 * `abstain` column is never blank on a row without an answer.
 */
export function markLine(line: FusedLineBase, prediction: StreamPrediction | undefined, i: number, answers: readonly RawModelAnswer[], decided: boolean): void {
  if (prediction?.withheld?.[i] === 1) line.abstain = 'no-consensus';
  else if (!decided) line.abstain = 'no-answer';
  if (prediction?.calls && prediction.reasons) Object.assign(line, askedOf(answers, prediction.calls[i] as number, prediction.reasons[i] as StopReason));
  // Without a policy, a line says why it stopped only when the user cancelled a batch it needed
  // (a budget or an interrupt already ends the whole run, and says so on stderr).
  else if (cutShort(answers) === 'cancelled') line.stopped = 'cancelled';
}

import type { StopReason } from '../fuse/adaptive/stop-rule.js';
import type { TokenLogprob } from '../task/schema.js';

/**
 * Why a model was not asked: the run stopped issuing calls (`interrupted`, `budget`), the user
 * cancelled the batch that carried the call (`cancelled`), or an adaptive policy did not need it (`not-needed`).
 */
export type SkipReason = 'interrupted' | 'budget' | 'cancelled' | 'not-needed';

/** Why asking about an item stopped, on an output line: the policy's rule, the run stopping calls, or a cancelled batch. */
export type AskStopReason = StopReason | 'interrupted' | 'budget' | 'cancelled';

/** One model's raw answer to one item (`sample`: which of its samples, when it was asked several), or why there is none. */
export type RawModelAnswer = { model: string; sample?: number } & (
  | { status: 'ok'; output: string; logprobs?: TokenLogprob[]; cost?: number; cached: boolean; cut?: true }
  | { status: 'failed'; error: string }
  | { status: 'skipped'; error: string; reason?: SkipReason }
);


/**
 * Why asking about an item was cut short: the run stopped issuing calls (interrupt, budget) before
 * every call it wanted was made; undefined when it was not.
 */
export function cutShort(answers: readonly RawModelAnswer[]): 'interrupted' | 'budget' | 'cancelled' | undefined {
  for (const a of answers) if (a.status === 'skipped' && (a.reason === 'interrupted' || a.reason === 'budget' || a.reason === 'cancelled')) return a.reason;
  return undefined;
}

/**
 * What an output line says an adaptive policy asked: the replayed count and stop reason, unless the
 * run cut the item short, when it is the models really asked and why asking stopped.
 */
export function askedOf(answers: readonly RawModelAnswer[], calls: number, reason: StopReason): { asked: number; stopped: AskStopReason } {
  const cut = cutShort(answers);
  return cut ? { asked: answers.filter((a) => a.status !== 'skipped').length, stopped: cut } : { asked: calls, stopped: reason };
}


import type { TokenLogprob } from '../task/schema.js';

/**
 * Why an answer could not be read as a label. Counted per model in reports, never guessed over.
 * `unexecuted-code`: the output is a program that computes the answer but was never run (QA).
 * `no-score`: no score was stated (rating); `out-of-scale`: a score was stated but lies outside the
 * task's scale, or on another scale that cannot be mapped onto it (rating). `encoding`: the answer
 * depends on characters the provider sent as bytes that are not valid UTF-8 (lost-bytes.ts). `cut`:
 * the tool cut the answer at its length limit (FUSION_MAX_ANSWER_CHARS), so it did not end.
 */
export const ABSTENTION_REASONS = ['empty', 'no-label', 'ambiguous', 'refusal', 'out-of-set', 'unexecuted-code', 'no-score', 'out-of-scale', 'encoding', 'cut', 'missing', 'error'] as const;
export type AbstentionReason = (typeof ABSTENTION_REASONS)[number];

/**
 * The reading of an answer the tool cut at its length limit, for every kind: what an answer that
 * did not end concludes is unknown (a final answer stated before the cut may be corrected after it,
 * and a free-form answer taken whole would be the cut text itself), so no label, answer or score is
 * taken from it.
 */
export const CUT_READING = { kind: 'abstain', reason: 'cut', detail: 'the answer was cut at the length limit (FUSION_MAX_ANSWER_CHARS) before it ended' } as const;

/** How a readable answer was read; useful to audit the normalizer on real outputs. */
export type ReadMethod = 'exact' | 'alias' | 'prefix' | 'json' | 'logprobs' | 'verdict' | 'stem' | 'fuzzy' | 'mention';

export type NormalizedLabel =
  | {
      kind: 'label';
      /** Probability over the task's labels, in task order; sums to 1. */
      dist: Float64Array;
      method: ReadMethod;
      /** The confidence the model stated (JSON field or words), when it shaped `dist`. */
      confidence?: number;
    }
  | {
      kind: 'abstain';
      reason: AbstentionReason;
      detail?: string;
    };

/** What a normalizer reads: the raw text and, when the provider gave them, token logprobs. */
export interface RawAnswer {
  output: string;
  /** The tool cut it at its length limit (CUT_READING). */
  cut?: boolean;
  logprobs?: readonly TokenLogprob[];
}

export type ClassificationNormalizer = (answer: RawAnswer) => NormalizedLabel;

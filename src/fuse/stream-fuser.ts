import type { StopReason } from './adaptive/stop-rule.js';
import type { AnswerMatrix } from './answer-matrix.js';
import type { FusedPrediction } from './strategy.js';

/** A fused prediction as a run reports it: items withheld for low confidence, and, under an adaptive policy, how many models were asked and why asking stopped. */
export type StreamPrediction = FusedPrediction & { withheld?: Uint8Array; calls?: Int32Array; reasons?: readonly StopReason[] };

/** The fused decisions on a batch, and whose words a QA answer should be stated in. */
export interface StreamDecision {
  strategy: string;
  prediction: StreamPrediction;
  /** The fitted strategy's trust per model name (FittedStrategy.modelTrust). */
  trust?: Readonly<Record<string, number>>;
}

/**
 * What a run needs of a policy that decides which models to ask, item by item, whatever the task
 * kind: its asking order and, for one item, how far along that order to ask next. The item comes
 * as the kind reads it (RunKind.read: a one-item answer matrix, a one-item rating matrix), so the
 * run's asking loop (src/run/ask-adaptively.ts) is written once. A categorical FittedAdaptive is one.
 */
export interface AskingPolicy {
  /** It declares that it asks. */
  readonly capabilities: { readonly asks: true };
  /** The asking order as model names (samples of a model repeat its name). */
  readonly order: readonly string[];
  /** The asking order as columns of `models`. */
  orderOf(models: readonly string[]): number[];
  /**
   * With the first `asked` models of the order asked and `one` the item's answers so far as the
   * kind reads them: how many to have asked after the next wave, or null when the item is done.
   */
  nextWave(one: unknown, asked: number): { next: number | null };
}

/**
 * How a stream of items is fused, for either task kind (a QA batch comes as its candidate matrix).
 * Strategies without state fuse item by item; an unsupervised strategy that learns from the answers
 * themselves (Dawid-Skene) needs many items at once, so it is refitted on each batch of `batchSize`
 * consecutive items: output still comes one line per input line, in order, a batch later.
 */
export interface StreamFuser {
  readonly name: string;
  /** Items fused together; 1 means item by item. */
  readonly batchSize: number;
  /** Models a saved strategy was fitted on (the default `--models`). */
  readonly models?: readonly string[];
  /** A saved adaptive policy: the run asks only the models it asks for. */
  readonly policy?: AskingPolicy;
  /** Under a policy: the same fuser never asking more than `maxCalls` models per item (`--max-calls`). */
  capped?(maxCalls: number): StreamFuser;
  decide(answers: AnswerMatrix): StreamDecision;
  fuse(answers: AnswerMatrix): StreamPrediction;
}


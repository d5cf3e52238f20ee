import type { ZodType } from 'zod';
import type { AnswerMatrix } from '../../fuse/answer-matrix.js';
import type { ClassificationItem, QaItem } from '../../task/schema.js';
import type { RawModelAnswer } from '../ask-item.js';
import type { StreamFuser } from '../strategy-choice.js';
import type { FusedLineBase } from './line-parts.js';

/**
 * One item's answers so far (every model of the run, in order; those not asked `skipped`) read
 * into its one-item answer matrix: what an adaptive policy decides its next wave on.
 */
export type ReadOne = (answers: readonly RawModelAnswer[]) => AnswerMatrix;

/**
 * What differs between task kinds in `fusion run` and `fuse()`: the schema of an input line, how an
 * item's answers are read into the answer matrix, how a batch of answered items becomes output
 * lines, and what "decided" means. Everything else (reading, asking, adaptive waves, ordering,
 * interrupts) is written once over this interface.
 */
export interface RunKind<I extends ClassificationItem | QaItem, L extends FusedLineBase> {
  readonly kind: 'classification' | 'qa';
  /** Validates one input line. */
  readonly schema: ZodType<I>;
  /** How `item`'s answers so far are read for an adaptive policy, over the run's `models` (names, in order). */
  read(item: I, models: readonly string[]): ReadOne;
  /** One output line per item, in the order given, each answer in `models` order. Pure: no I/O. */
  fuse(items: readonly { item: I; answers: readonly RawModelAnswer[] }[], models: readonly string[], fuser: StreamFuser): L[];
  /** False when no model gave a readable answer (counted as undecided). */
  decided(line: L): boolean;
}

/** A run kind of either task kind. */
export type AnyRunKind = RunKind<ClassificationItem | QaItem, FusedLineBase>;

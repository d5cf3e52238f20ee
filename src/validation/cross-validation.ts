/** Per-item distributions over K columns; `decided[i] = 0` marks an abstention (all-zero row). */
export interface Prediction {
  readonly probs: Float64Array;
  readonly decided: Uint8Array;
}

/** Out-of-fold predictions of a categorical strategy (see outOfFold in ./out-of-fold.ts, the one helper). */
export type { OutOfFoldResult as CrossValidationResult } from './out-of-fold.js';

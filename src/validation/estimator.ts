/**
 * The one estimator shape every fusion strategy has, whatever the task kind (scikit-learn's
 * fit / predict / state): `In` is what the strategy reads (an answer matrix, a rating matrix),
 * `Gold` the training truth (label indices, scores), `Pred` the fused prediction, `Opts` the fit
 * options (a seed at least) and `Ctx` what `load` needs besides the state (labels, a scale).
 */
export interface Fitted<In, Pred> {
  readonly name: string;
  predict(input: In): Pred;
  /** Strategy-specific, JSON-serialisable state; `load` of the same strategy restores it. */
  state(): unknown;
}

export interface Estimator<In, Gold, Pred, Opts extends { seed: number }, Ctx, F extends Fitted<In, Pred> = Fitted<In, Pred>> {
  readonly name: string;
  /** True when `fit` needs gold; such strategies are scored out-of-fold. */
  readonly supervised: boolean;
  /** Fits on training input and its gold (unknown entries marked as the kind says); never given test-fold gold. */
  fit(train: In, gold: Gold, options: Opts): F;
  /** Restores a fitted strategy from `state()` output; throws on malformed state. */
  load(state: unknown, context: Ctx): F;
}

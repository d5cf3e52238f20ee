import { z } from 'zod';
import { CurvePointSchema, TargetSchema } from './operating-point.js';
import { StopRuleSchema } from './stop-rule.js';
import { AgreementModelSchema } from './agreement.js';

const SavedFitSchema = z.object({ strategy: z.string().min(1), state: z.unknown() });

/** A fitted adaptive policy as `fusion fit --strategy adaptive --out` saves it. */
export const AdaptiveStateSchema = z.object({
  /** Short description, e.g. `cascade(threshold=0.95) -> auto`: shown per fold by `fusion eval`. */
  picked: z.string(),
  rule: StopRuleSchema,
  /** Model names in asking order. */
  order: z.array(z.string()).min(1),
  /** Vote weight of each model of `order` (for the vote-based rules and models never seen). */
  weights: z.array(z.number().nonnegative()),
  /**
   * Calls never asked: the `sample`-th call (from 0) of `model`, which gave no readable answer on
   * any training item. Absent in policies saved before it existed, and when every call read.
   */
  skipped: z.array(z.object({ model: z.string().min(1), sample: z.number().int().nonnegative() })).optional(),
  /** Numbers of models asked after which the rule is checked, ascending, the last one the number of models. */
  checkpoints: z.array(z.number().int().positive()).min(1),
  /** For the `agreement` rule: the model of P(the decision so far is the full fusion's). */
  agreement: AgreementModelSchema.optional(),
  /** Never ask more models per item than this. */
  maxCalls: z.number().int().positive().optional(),
  target: TargetSchema,
  /** Cost/quality on the training folds for every setting tried (the report's curve). */
  curve: z.array(CurvePointSchema),
  /** For the cascade: the fitted fusion of the first checkpoints[c] models, one per checkpoint but the last. */
  prefixes: z.array(SavedFitSchema),
  /** The strategy deciding once every model was asked (the cascade's last stage). */
  final: SavedFitSchema.nullable(),
  /**
   * Checkpoint 0, before any call: the fusion of the item's text alone, its own agreement model,
   * and the threshold chosen for it on the training folds given `rule` (with its curve: each
   * threshold's bound is `rule`'s own plus what its stops at 0 add, see `measureCurve`). Absent in
   * policies saved before it existed and whenever no threshold kept the bound: such a policy asks
   * at least one model on every item, as before.
   */
  text: z.object({ prefix: SavedFitSchema, agreement: AgreementModelSchema, tau: z.number().min(0), curve: z.array(CurvePointSchema) }).optional(),
});
export type AdaptiveState = z.infer<typeof AdaptiveStateSchema>;
